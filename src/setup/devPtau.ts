/**
 * Fast, DEVELOPMENT-ONLY powers-of-tau generator (BN128, snarkjs `.ptau` format).
 *
 * !!! INSECURE !!!  The toxic waste (tau, alpha, beta) is sampled by this process and is
 * known to whoever runs it.  It is dropped when the function returns, but nobody else can
 * verify that, so anyone holding a proving key derived from this file could have forged
 * proofs.  Use it for local development, tests and CI only -- never for anything that is
 * deployed or holds value.  Production keys need a real multi-party ceremony file
 * (e.g. the Hermez/Polygon `powersOfTau28_hez_final_*.ptau`).
 *
 * What it writes: exactly the file `snarkjs powersoftau new` + one `contribute` +
 * `snarkjs powersoftau prepare phase2` would produce for a single contribution with
 * secret (tau, alpha, beta):
 *   1  header (n8, q, power, ceremonyPower = power)
 *   2  tau^i * G1                       i < 2^(power+1) - 1
 *   3  tau^i * G2                       i < 2^power
 *   4  alpha * tau^i * G1               i < 2^power
 *   5  beta  * tau^i * G1               i < 2^power
 *   6  beta * G2
 *   7  one contribution record (public key with proofs of knowledge, response hash state
 *      and next-challenge hash), so `snarkjs powersoftau verify` accepts the file
 *   12..15  the Lagrange-basis evaluations snarkjs' prepare phase2 derives from sections
 *      2..5: for every k = 0..power (and k = power+1 for section 12) the inverse FFT, over the
 *      size-2^k subgroup, of the first 2^k points (for section 12 at k = power+1 the last,
 *      missing, point is taken as zero), i.e. L_i(tau) * G with
 *      L_i(tau) = (tau^m - 1)/m * w^i/(tau - w^i), m = 2^k.
 *
 * Why it is fast: snarkjs' prepare phase2 runs group-element FFTs (each butterfly is a
 * full variable-base scalar multiplication), roughly power * 2^power scalar
 * multiplications per section.  Because the secrets are known here, every output point is
 * computed directly as s * G for a scalar s computed in Fr (the Lagrange scalars come from
 * a cheap Fr FFT of (tau^j) -- the very same linear map snarkjs applies to the points, so
 * the output is byte-identical).  All s * G products use a fixed-base windowed table of the
 * generator (one mixed point addition per window, ~20 per point instead of ~380
 * double/adds), implemented as a few small functions added to ffjavascript's wasm module
 * (buildBn128 plugin) and run in its worker threads.  Measured on 2 cores: power 16 in
 * ~25 s, power 18 in ~100 s (snarkjs prepare phase2 alone: ~16 min for power 16).
 *
 * Memory: peak RSS ~0.5 GB at power 16-18 (mostly worker heaps and the ~11 MB tables that
 * are shipped with every task); the main thread additionally holds ~100 B * 2^power of
 * Lagrange scalars.  Powers above ~22 work in principle but take hours.
 */

import { createHash, randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { blake2b } from "@noble/hashes/blake2b";
import { BigBuffer, ChaCha } from "ffjavascript";
import {
  type ByteBuf, type Curve, type FixedBaseTable, type Group, type Job, N8, S_AFF,
  buildTableFor, runOrdered, withFixedBaseCurve,
} from "./fixedBase.js";

export interface DevPtauOptions {
  /**
   * Seed material.  If given, the output is a deterministic function of (power, entropy) --
   * convenient for reproducible test fixtures, and exactly as insecure as everything else
   * here.  If omitted, 64 bytes from the OS CSPRNG are used.
   */
  entropy?: Uint8Array | string;
  /** Progress callback; `done`/`total` count points within the stage. */
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface DevPtauResult {
  power: number;
  path: string;
  ms: number;
}

export const DEV_PTAU_MAX_POWER = 28;

const CONTRIBUTION_NAME = "INSECURE dev-only ptau (zk-risk-sharing devPtau)";

// ---------------------------------------------------------------------------------------
// Hash helpers (snarkjs uses blake2b-512 everywhere).

type NobleBlake2b = ReturnType<typeof blake2b.create>;

/** Same layout as snarkjs' misc.toPartialHash (noble blake2b internal state, 216 bytes). */
function toPartialHash(h: NobleBlake2b): Uint8Array {
  const s = h as unknown as Record<string, number> & { buffer: Uint8Array };
  if (!(s.buffer instanceof Uint8Array) || s.buffer.length !== 128 || typeof s.v0l !== "number") {
    throw new Error("devPtau: unexpected @noble/hashes blake2b internals; cannot serialise partial hash");
  }
  const res = new Uint8Array(216);
  const res32 = new Uint32Array(res.buffer, 128, 22);
  res.set(s.buffer);
  const names = ["v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7"];
  names.forEach((v, i) => {
    res32[2 * i] = s[`${v}l`]!;
    res32[2 * i + 1] = s[`${v}h`]!;
  });
  res32[18] = s.pos!;
  res32[16] = s.length! - s.pos!;
  return res;
}

function blake2b512(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("blake2b512");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

// ---------------------------------------------------------------------------------------
// Key generation (mirrors snarkjs keypair.createPTauKey so `powersoftau verify` accepts it).

interface PubKeyPart {
  prvKey: Uint8Array;
  g1_s: Uint8Array;
  g1_sx: Uint8Array;
  g2_spx: Uint8Array;
}

function hashToG2(curve: Curve, hash: Uint8Array): Uint8Array {
  const dv = new DataView(hash.buffer, hash.byteOffset, hash.byteLength);
  const seed: number[] = [];
  for (let i = 0; i < 8; i++) seed[i] = dv.getUint32(i * 4);
  return curve.G2.fromRng(new ChaCha(seed));
}

function makePubKeyPart(curve: Curve, prvKey: Uint8Array, personalization: number, challenge: Uint8Array, rng: unknown): PubKeyPart {
  const { G1, G2 } = curve;
  const g1_s = G1.toAffine(G1.fromRng(rng));
  const g1_sx = G1.toAffine(G1.timesFr(g1_s, prvKey));
  const h = blake2b512(new Uint8Array([personalization]), challenge, G1.toUncompressed(g1_s), G1.toUncompressed(g1_sx));
  const g2_sp = G2.toAffine(hashToG2(curve, h));
  const g2_spx = G2.toAffine(G2.timesFr(g2_sp, prvKey));
  return { prvKey, g1_s, g1_sx, g2_spx };
}

function firstChallengeHash(curve: Curve, power: number): Uint8Array {
  const h = createHash("blake2b512");
  h.update(blake2b512());
  const g1 = curve.G1.toUncompressed(curve.G1.g);
  const g2 = curve.G2.toUncompressed(curve.G2.g);
  const repeat = (p: Uint8Array, n: number): void => {
    const blockPts = 4096;
    const block = new Uint8Array(p.length * blockPts);
    for (let i = 0; i < blockPts; i++) block.set(p, i * p.length);
    let left = n;
    while (left >= blockPts) {
      h.update(block);
      left -= blockPts;
    }
    h.update(block.subarray(0, left * p.length));
  };
  const N = 2 ** power;
  repeat(g1, 2 * N - 1);
  repeat(g2, N);
  repeat(g1, N);
  repeat(g1, N);
  h.update(g2);
  return new Uint8Array(h.digest());
}

// ---------------------------------------------------------------------------------------

function validatePower(power: unknown): asserts power is number {
  if (typeof power !== "number" || !Number.isInteger(power) || power < 1 || power > DEV_PTAU_MAX_POWER) {
    throw new RangeError(`generateDevPtau: power must be an integer between 1 and ${DEV_PTAU_MAX_POWER}, got ${String(power)}`);
  }
}

function u32le(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

function sectionHeader(id: number, size: number): Uint8Array {
  const b = new Uint8Array(12);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, id, true);
  dv.setBigUint64(4, BigInt(size), true);
  return b;
}

/** The toxic waste (tau, alpha, beta; Montgomery Fr) of a dev ptau made from `seedMaterial`, and the rng left after drawing it. */
export interface DevToxicWaste {
  rng: InstanceType<typeof ChaCha>;
  tau: Uint8Array;
  alpha: Uint8Array;
  beta: Uint8Array;
}

/**
 * The secrets generateDevPtau draws from its entropy, in the order it draws them: devZkey.ts
 * derives its keys from the same values, so its zkeys verify against the ptau of that entropy.
 */
export function devToxicWaste(curve: Curve, seedMaterial: Uint8Array | string): DevToxicWaste {
  const material = typeof seedMaterial === "string" ? new TextEncoder().encode(seedMaterial) : seedMaterial;
  const seedHash = blake2b512(new TextEncoder().encode("zk-risk-sharing/devPtau/v1"), material);
  const seedDv = new DataView(seedHash.buffer, seedHash.byteOffset, seedHash.byteLength);
  const seed: number[] = [];
  for (let i = 0; i < 8; i++) seed[i] = seedDv.getUint32(i * 4);
  const rng = new ChaCha(seed);
  const tau = curve.Fr.fromRng(rng);
  const alpha = curve.Fr.fromRng(rng);
  const beta = curve.Fr.fromRng(rng);
  return { rng, tau, alpha, beta };
}

/**
 * Generates an INSECURE, development-only, phase-2-prepared powers-of-tau file for BN128.
 * See the module comment.  Supports 2^power constraints (circuits with up to 2^power
 * constraints + public inputs, as with any snarkjs ptau).
 */
export async function generateDevPtau(power: number, outPath: string, options: DevPtauOptions = {}): Promise<DevPtauResult> {
  validatePower(power);
  if (typeof outPath !== "string" || outPath.length === 0) throw new TypeError("generateDevPtau: outPath must be a non-empty string");
  const t0 = performance.now();
  const progress = options.onProgress ?? ((): void => undefined);

  const tmpPath = join(dirname(outPath), `.${basename(outPath)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);

  await withFixedBaseCurve(async (curve) => {
    let fh: FileHandle | undefined;
    try {
      fh = await open(tmpPath, "w+");
      await writeFile(curve, fh, power, options, progress);
      await fh.close();
      fh = undefined;
      await rename(tmpPath, outPath);
    } catch (err) {
      if (fh) await fh.close().catch(() => undefined);
      await unlink(tmpPath).catch(() => undefined);
      throw err;
    }
  });
  return { power, path: outPath, ms: Math.round(performance.now() - t0) };
}

async function writeFile(
  curve: Curve,
  fh: FileHandle,
  power: number,
  options: DevPtauOptions,
  progress: (stage: string, done: number, total: number) => void,
): Promise<void> {
  const { Fr, G1, G2 } = curve;
  const N = 2 ** power;
  const sG1 = S_AFF.G1;
  const sG2 = S_AFF.G2;

  // --- secrets -------------------------------------------------------------------------
  const seedMaterial = options.entropy === undefined ? randomBytes(64) : options.entropy;
  const { rng, tau, alpha, beta } = devToxicWaste(curve, seedMaterial);
  const challenge = firstChallengeHash(curve, power);
  const key = {
    tau: makePubKeyPart(curve, tau, 0, challenge, rng),
    alpha: makePubKeyPart(curve, alpha, 1, challenge, rng),
    beta: makePubKeyPart(curve, beta, 2, challenge, rng),
  };

  // --- layout -----------------------------------------------------------------------------
  const nameBytes = new TextEncoder().encode(CONTRIBUTION_NAME);
  const params = new Uint8Array([1, nameBytes.length, ...nameBytes]);
  const sec7Size = 4 + (3 * sG1 + 2 * sG2) + (6 * sG1 + 3 * sG2) + 216 + 64 + 4 + 4 + params.length;
  let lagG1 = 0;
  for (let k = 0; k <= power; k++) lagG1 += 2 ** k;
  const sizes: [number, number][] = [
    [1, 4 + N8 + 4 + 4],
    [2, (2 * N - 1) * sG1],
    [3, N * sG2],
    [4, N * sG1],
    [5, N * sG1],
    [6, sG2],
    [7, sec7Size],
    [12, (lagG1 + 2 * N) * sG1],
    [13, lagG1 * sG2],
    [14, lagG1 * sG1],
    [15, lagG1 * sG1],
  ];
  const dataPos = new Map<number, number>();
  let pos = 12; // "ptau", version, nSections
  const fileHeader = new Uint8Array(12);
  fileHeader.set(new TextEncoder().encode("ptau"));
  fileHeader.set(u32le(1), 4);
  fileHeader.set(u32le(sizes.length), 8);
  await fh.write(fileHeader, 0, 12, 0);
  for (const [id, size] of sizes) {
    await fh.write(sectionHeader(id, size), 0, 12, pos);
    dataPos.set(id, pos + 12);
    pos += 12 + size;
  }
  const write = async (buf: Uint8Array, at: number): Promise<void> => {
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await fh.write(buf, off, buf.length - off, at + off);
      off += bytesWritten;
    }
  };

  // Section 1: header
  {
    const b = new Uint8Array(4 + N8 + 4 + 4);
    const dv = new DataView(b.buffer);
    dv.setUint32(0, N8, true);
    let q = curve.q;
    for (let i = 0; i < N8; i++) {
      b[4 + i] = Number(q & 0xffn);
      q >>= 8n;
    }
    dv.setUint32(4 + N8, power, true);
    dv.setUint32(8 + N8, power, true);
    await write(b, dataPos.get(1)!);
  }

  // --- fixed-base tables ------------------------------------------------------------------
  progress("tables", 0, 2);
  const tG1 = await buildTableFor(curve, "G1", 12 * N);
  progress("tables", 1, 2);
  const tG2 = await buildTableFor(curve, "G2", 3 * N);
  progress("tables", 2, 2);

  const chunkFor = (t: FixedBaseTable): number => (t.g === "G1" ? 1 << 13 : 1 << 12);

  // --- sections 2..6 (powers) -----------------------------------------------------------
  const responseHasher = blake2b.create({ dkLen: 64 });
  responseHasher.update(challenge);

  function* geomJobs(t: FixedBaseTable, first: Uint8Array, n: number): Generator<Job> {
    const chunk = chunkFor(t);
    for (let i = 0; i < n; i += chunk) {
      yield { n: Math.min(chunk, n - i), src: { first: Fr.mul(first, Fr.exp(tau, i)), inc: tau }, compressed: true };
    }
  }

  const powerSections: { id: number; stage: string; t: FixedBaseTable; first: Uint8Array; n: number }[] = [
    { id: 2, stage: "tauG1", t: tG1, first: Fr.one, n: 2 * N - 1 },
    { id: 3, stage: "tauG2", t: tG2, first: Fr.one, n: N },
    { id: 4, stage: "alphaTauG1", t: tG1, first: alpha, n: N },
    { id: 5, stage: "betaTauG1", t: tG1, first: beta, n: N },
    { id: 6, stage: "betaG2", t: tG2, first: beta, n: 1 },
  ];
  for (const s of powerSections) {
    let at = dataPos.get(s.id)!;
    let done = 0;
    progress(s.stage, 0, s.n);
    await runOrdered(curve, s.t, geomJobs(s.t, s.first, s.n), async (points, compressed, job) => {
      responseHasher.update(compressed!);
      await write(points, at);
      at += points.length;
      done += job.n;
      progress(s.stage, done, s.n);
    });
  }

  // --- section 7 (contribution) -----------------------------------------------------------
  progress("contribution", 0, 1);
  const partialHash = toPartialHash(responseHasher);
  const pubKeyU = new Uint8Array(6 * sG1 + 3 * sG2);
  const pubKeyLEM = new Uint8Array(6 * sG1 + 3 * sG2);
  {
    const g1s = [key.tau.g1_s, key.tau.g1_sx, key.alpha.g1_s, key.alpha.g1_sx, key.beta.g1_s, key.beta.g1_sx];
    const g2s = [key.tau.g2_spx, key.alpha.g2_spx, key.beta.g2_spx];
    let o = 0;
    for (const p of g1s) {
      G1.toRprUncompressed(pubKeyU, o, p);
      G1.toRprLEM(pubKeyLEM, o, p);
      o += sG1;
    }
    for (const p of g2s) {
      G2.toRprUncompressed(pubKeyU, o, p);
      G2.toRprLEM(pubKeyLEM, o, p);
      o += sG2;
    }
  }
  responseHasher.update(pubKeyU);
  const responseHash = responseHasher.digest();

  // next challenge = H(responseHash || uncompressed sections 2..6), read back from the file
  const nextHasher = createHash("blake2b512");
  nextHasher.update(responseHash);
  for (const s of powerSections) {
    const G = s.t.g === "G1" ? G1 : G2;
    const sG = S_AFF[s.t.g];
    const chunk = 1 << 16;
    for (let i = 0; i < s.n; i += chunk) {
      const n = Math.min(chunk, s.n - i);
      const buf = new Uint8Array(n * sG);
      await fh.read(buf, 0, buf.length, dataPos.get(s.id)! + i * sG);
      nextHasher.update(await G.batchLEMtoU(buf));
    }
  }
  const nextChallenge = new Uint8Array(nextHasher.digest());

  {
    const b = new Uint8Array(sec7Size);
    let o = 0;
    b.set(u32le(1), o);
    o += 4;
    const put = (G: Group, p: Uint8Array, size: number): void => {
      G.toRprLEM(b, o, G.toAffine(p));
      o += size;
    };
    put(G1, G1.timesFr(G1.g, tau), sG1); // tauG1
    put(G2, G2.timesFr(G2.g, tau), sG2); // tauG2
    put(G1, G1.timesFr(G1.g, alpha), sG1); // alphaG1
    put(G1, G1.timesFr(G1.g, beta), sG1); // betaG1
    put(G2, G2.timesFr(G2.g, beta), sG2); // betaG2
    b.set(pubKeyLEM, o);
    o += pubKeyLEM.length;
    b.set(partialHash, o);
    o += 216;
    b.set(nextChallenge, o);
    o += 64;
    b.set(u32le(0), o); // type 0 (regular contribution)
    o += 4;
    b.set(u32le(params.length), o);
    o += 4;
    b.set(params, o);
    o += params.length;
    if (o !== sec7Size) throw new Error("devPtau: internal error, contribution size mismatch");
    await write(b, dataPos.get(7)!);
  }
  progress("contribution", 1, 1);

  // --- sections 12..15 (Lagrange bases) ---------------------------------------------------
  const lagSections: { id: number; stage: string; t: FixedBaseTable; first: Uint8Array; maxK: number }[] = [
    { id: 12, stage: "lagrangeTauG1", t: tG1, first: Fr.one, maxK: power + 1 },
    { id: 13, stage: "lagrangeTauG2", t: tG2, first: Fr.one, maxK: power },
    { id: 14, stage: "lagrangeAlphaTauG1", t: tG1, first: alpha, maxK: power },
    { id: 15, stage: "lagrangeBetaTauG1", t: tG1, first: beta, maxK: power },
  ];

  /**
   * Fr scalars of one Lagrange block: the inverse FFT (ffjavascript's lagrangeEvaluations,
   * the same linear map prepare phase2 applies to the points) of (first * tau^j)_{j<m}.
   */
  async function lagrangeScalars(first: Uint8Array, k: number, zeroLast: boolean): Promise<ByteBuf> {
    const m = 2 ** k;
    const geom: ByteBuf = m * N8 > 1 << 28 ? (new BigBuffer(m * N8) as ByteBuf) : new Uint8Array(m * N8);
    const step = 1 << 20;
    const parts = [];
    for (let i = 0; i < m; i += step) {
      const n = Math.min(step, m - i);
      parts.push(
        curve.tm
          .queueAction([
            { cmd: "ALLOCSET", var: 0, buff: Fr.mul(first, Fr.exp(tau, i)) },
            { cmd: "ALLOCSET", var: 1, buff: tau.slice() },
            { cmd: "ALLOC", var: 2, len: n * N8 },
            { cmd: "CALL", fnName: "devptau_frGeom", params: [{ var: 0 }, { var: 1 }, { val: n }, { var: 2 }] },
            { cmd: "GET", out: 0, var: 2, len: n * N8 },
          ])
          .then(([b]) => geom.set(b!, i * N8)),
      );
    }
    await Promise.all(parts);
    if (zeroLast) geom.set(new Uint8Array(N8), (m - 1) * N8); // Fr zero, like prepare phase2's zero point
    return (await Fr.lagrangeEvaluations(geom as Uint8Array)) as ByteBuf;
  }

  async function* lagJobs(s: (typeof lagSections)[number]): AsyncGenerator<Job> {
    const chunk = chunkFor(s.t);
    const scalarsFor = (k: number): Promise<ByteBuf> => {
      const p = lagrangeScalars(s.first, k, s.id === 12 && k === power + 1);
      p.catch(() => undefined); // awaited below; avoid unhandled rejection if abandoned
      return p;
    };
    let next = scalarsFor(0);
    for (let k = 0; k <= s.maxK; k++) {
      const m = 2 ** k;
      const scalars = await next;
      if (k < s.maxK) next = scalarsFor(k + 1); // prefetch while this block's points are computed
      for (let i = 0; i < m; i += chunk) {
        const n = Math.min(chunk, m - i);
        yield { n, src: { scalars: scalars.slice(i * N8, (i + n) * N8) }, compressed: false };
      }
    }
  }

  for (const s of lagSections) {
    let at = dataPos.get(s.id)!;
    const total = 2 ** (s.maxK + 1) - 1;
    let done = 0;
    progress(s.stage, 0, total);
    await runOrdered(curve, s.t, lagJobs(s), async (points, _c, job) => {
      await write(points, at);
      at += points.length;
      done += job.n;
      progress(s.stage, done, total);
    });
  }
}
