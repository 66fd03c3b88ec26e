/**
 * DEVELOPMENT-ONLY Groth16 proving keys made straight from known toxic waste.
 *
 * !!! INSECURE !!!  tau, alpha and beta come from a public seed (the same values
 * generateDevPtau draws from that seed) and delta from a public beacon: anyone can forge proofs
 * for these keys. Tests, the demo and local pools only.
 *
 * What it writes: byte for byte the zkey that `snarkjs zkey new` (against any dev ptau of the
 * same seed whose power exceeds the circuit's domain power) followed by `snarkjs zkey beacon`
 * (with the given beacon hash and iterations) would write, so snarkjs proves with it, exports
 * its verification key and Solidity verifier, and `snarkjs zkey verify` accepts it against the
 * r1cs and that ptau. Sections (snarkjs zkey_new.js / zkey_utils.js), in `zkey new`'s file
 * order (with a beacon, in id order, as `zkey beacon` writes them):
 *   1 header (groth16)   2 groth16 header: q, r, nVars, nPublic, domain size, alpha1, beta1,
 *   beta2, gamma2 = G2, delta1, delta2   4 A and B coefficients (c * R^2 mod r, as snarkjs)
 *   3 IC_s = (beta A_s + alpha B_s + C_s)(tau) G1 for public s (gamma = 1, as `zkey new`)
 *   9 H_i = L'_{2i+1}(tau) / delta G1, L' the Lagrange basis of the 2n domain (odd points)
 *   8 C_s = (beta A_s + alpha B_s + C_s)(tau) / delta G1 for private s
 *   5 A_s(tau) G1   6 B_s(tau) G1   7 B_s(tau) G2   10 circuit hash + the beacon contribution
 * where A_s(tau) = sum_c a_{c,s} L_c(tau) over the constraints, plus L_{nConstraints+s}(tau) for
 * s <= nPublic (snarkjs' extra constraints binding the public inputs).
 *
 * Why it is fast: no ptau is read and no phase-2 preparation runs. The QAP polynomials are
 * evaluated at tau in Fr (bigint arithmetic over the r1cs; the Lagrange values come from one Fr
 * FFT), and every point is a fixed-base multiplication of a generator (fixedBase.ts). The
 * circuit hash (csHash) is computed as `zkey new` computes it, over the keys before delta.
 */

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { randomBytes } from "node:crypto";
import { blake2b } from "@noble/hashes/blake2b";
import { ChaCha } from "ffjavascript";
import { devToxicWaste } from "./devPtau.js";
import { type Curve, type FixedBaseTable, type GroupName, type Job, N8, S_AFF, buildTableFor, runOrdered, withFixedBaseCurve } from "./fixedBase.js";

export interface DevZkeyBeacon {
  /** Beacon hash, hex (as `snarkjs zkey beacon`'s argument). */
  hashHex: string;
  /** log2 of the sha256 iterations (snarkjs accepts 10..63). */
  numIterationsExp: number;
  /** Contribution name recorded in the zkey. */
  name: string;
}

export interface DevZkeyOptions {
  /** Seed of tau, alpha, beta: generateDevPtau(power, path, { entropy: toxicSeed }) has the same ones. */
  toxicSeed: string;
  /** The phase-2 beacon giving delta; without it delta = 1 (the zkey `zkey new` writes). */
  beacon?: DevZkeyBeacon;
  /** Progress: points computed out of the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface DevZkeyResult {
  /** log2 of the circuit's domain; a dev ptau of power domainPower + 1 or more matches the zkey. */
  domainPower: number;
  csHash: Uint8Array;
  ms: number;
}

/** The r1cs contents the keys depend on (iden3 r1cs binary format). */
interface R1cs {
  prime: bigint;
  nVars: number;
  nPublic: number;
  nConstraints: number;
  /** The constraints section: per constraint and matrix, nTerms then (signal u32, coefficient n8 LE). */
  constraints: Buffer;
}

function readR1cs(path: string): R1cs {
  const file = readFileSync(path);
  if (file.toString("latin1", 0, 4) !== "r1cs") throw new Error(`${path} is not an r1cs file (bad magic)`);
  const nSections = file.readUInt32LE(8);
  let pos = 12;
  let header: R1cs | undefined;
  let constraints: Buffer | undefined;
  for (let i = 0; i < nSections; i++) {
    const type = file.readUInt32LE(pos);
    const size = Number(file.readBigUInt64LE(pos + 4));
    const start = pos + 12;
    if (type === 1) {
      const n8 = file.readUInt32LE(start);
      if (n8 !== N8) throw new Error(`${path}: field elements of ${n8} bytes, expected ${N8} (BN128)`);
      const prime = leBig(file, start + 4);
      let o = start + 4 + n8;
      const nVars = file.readUInt32LE(o);
      const nOutputs = file.readUInt32LE(o + 4);
      const nPubInputs = file.readUInt32LE(o + 8);
      o += 12 + 4 + 8; // nPrvInputs, nLabels (u64)
      header = { prime, nVars, nPublic: nOutputs + nPubInputs, nConstraints: file.readUInt32LE(o), constraints: Buffer.alloc(0) };
    } else if (type === 2) {
      constraints = file.subarray(start, start + size);
    }
    pos = start + size;
  }
  if (!header || !constraints) throw new Error(`${path}: r1cs header or constraints section missing`);
  return { ...header, constraints };
}

function leBig(buf: Uint8Array, off: number): bigint {
  const dv = new DataView(buf.buffer, buf.byteOffset + off, 32);
  return dv.getBigUint64(0, true) | (dv.getBigUint64(8, true) << 64n) | (dv.getBigUint64(16, true) << 128n) | (dv.getBigUint64(24, true) << 192n);
}

function putBig(buf: Uint8Array, off: number, x: bigint): void {
  const dv = new DataView(buf.buffer, buf.byteOffset + off, 32);
  const m = (1n << 64n) - 1n;
  dv.setBigUint64(0, x & m, true);
  dv.setBigUint64(8, (x >> 64n) & m, true);
  dv.setBigUint64(16, (x >> 128n) & m, true);
  dv.setBigUint64(24, x >> 192n, true);
}

function modPow(b: bigint, e: bigint, m: bigint): bigint {
  let r = 1n;
  b %= m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

function u32le(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

function u32be(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, false);
  return b;
}

/** A run of points to compute: scalar i of `count` by `scalar(i)`, in G1 or G2. */
interface PointRun {
  g: GroupName;
  count: number;
  scalar: (i: number) => bigint;
  /** Where the LEM points go in the file (omit: hashed only). */
  at?: number;
  /** Hash the uncompressed points (with a big-endian u32 count `hashCount` in front). */
  hash?: boolean;
}

const CHUNK = 1 << 13;

/**
 * Writes an INSECURE development zkey for the circuit `r1csPath` to `outPath` (through a
 * temporary file and a rename). See the module comment.
 */
export async function generateDevZkey(r1csPath: string, outPath: string, options: DevZkeyOptions): Promise<DevZkeyResult> {
  const t0 = performance.now();
  const beacon = options.beacon;
  if (beacon && !/^([0-9a-fA-F]{2}){1,255}$/.test(beacon.hashHex)) throw new Error("beacon hash must be a non-empty hex string of under 256 bytes");
  if (beacon && (!Number.isInteger(beacon.numIterationsExp) || beacon.numIterationsExp < 10 || beacon.numIterationsExp > 31)) {
    throw new Error("beacon numIterationsExp must be an integer between 10 and 31");
  }
  const r1cs = readR1cs(r1csPath);
  const tmpPath = join(dirname(outPath), `.${basename(outPath)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  return withFixedBaseCurve(async (curve) => {
    if (r1cs.prime !== curve.r) throw new Error(`${r1csPath}: the circuit's field is not BN128's scalar field`);
    let fh: FileHandle | undefined;
    try {
      fh = await open(tmpPath, "w+");
      const res = await writeZkey(curve, fh, r1cs, options);
      await fh.close();
      fh = undefined;
      await rename(tmpPath, outPath);
      return { ...res, ms: Math.round(performance.now() - t0) };
    } catch (err) {
      if (fh) await fh.close().catch(() => undefined);
      await unlink(tmpPath).catch(() => undefined);
      throw err;
    }
  });
}

async function writeZkey(curve: Curve, fh: FileHandle, r1cs: R1cs, options: DevZkeyOptions): Promise<Omit<DevZkeyResult, "ms">> {
  const { Fr, G1, G2 } = curve;
  const r = curve.r;
  const R = (1n << 256n) % r;
  const Rinv = modPow(R, r - 2n, r);
  const R2 = (R * R) % r;
  const toMont = (x: bigint): bigint => (x * R) % r;
  const fromMont = (raw: bigint): bigint => (raw * Rinv) % r;
  const progress = options.onProgress ?? ((): void => undefined);

  const { nVars, nPublic, nConstraints } = r1cs;
  const domainPower = Math.floor(Math.log2(nConstraints + nPublic)) + 1;
  const n = 2 ** domainPower;
  if (domainPower > 27) throw new Error(`circuit too big for a development zkey (domain 2^${domainPower})`);

  const waste = devToxicWaste(curve, options.toxicSeed);
  const tau = Fr.toObject(waste.tau) as bigint;
  const alpha = Fr.toObject(waste.alpha) as bigint;
  const beta = Fr.toObject(waste.beta) as bigint;

  // --- Lagrange values at tau: the inverse FFT of (tau^j) over the domain (as prepare phase2) --
  async function lagrange(m: number): Promise<bigint[]> {
    const geom = new Uint8Array(m * N8);
    let p = 1n;
    for (let j = 0; j < m; j++) {
      putBig(geom, j * N8, toMont(p));
      p = (p * tau) % r;
    }
    const evals = (await Fr.lagrangeEvaluations(geom)) as Uint8Array;
    const out = new Array<bigint>(m);
    for (let j = 0; j < m; j++) out[j] = fromMont(leBig(evals, j * N8));
    return out;
  }
  const L = await lagrange(n);

  // --- QAP evaluations at tau and the coefficients section --------------------------------------
  const a = new Array<bigint>(nVars).fill(0n);
  const b = new Array<bigint>(nVars).fill(0n);
  const c = new Array<bigint>(nVars).fill(0n);
  const cs = r1cs.constraints;
  let nCoefs = 0;
  {
    let o = 0;
    for (let k = 0; k < nConstraints; k++) {
      for (let mtx = 0; mtx < 3; mtx++) {
        const nTerms = cs.readUInt32LE(o);
        o += 4 + nTerms * (4 + N8);
        if (mtx < 2) nCoefs += nTerms;
      }
    }
  }
  nCoefs += nPublic + 1;
  const coefs = new Uint8Array(4 + nCoefs * (12 + N8));
  const coefsView = new DataView(coefs.buffer);
  coefsView.setUint32(0, nCoefs, true);
  let co = 4;
  const pushCoef = (mtx: number, k: number, s: number, v: bigint): void => {
    coefsView.setUint32(co, mtx, true);
    coefsView.setUint32(co + 4, k, true);
    coefsView.setUint32(co + 8, s, true);
    putBig(coefs, co + 12, (v * R2) % r);
    co += 12 + N8;
  };
  {
    let o = 0;
    const acc = [a, b, c];
    for (let k = 0; k < nConstraints; k++) {
      const lk = L[k]!;
      for (let mtx = 0; mtx < 3; mtx++) {
        const nTerms = cs.readUInt32LE(o);
        o += 4;
        const target = acc[mtx]!;
        for (let t = 0; t < nTerms; t++) {
          const s = cs.readUInt32LE(o);
          const v = leBig(cs, o + 4);
          o += 4 + N8;
          target[s] = target[s]! + v * lk;
          if (mtx < 2) pushCoef(mtx, k, s, v);
        }
      }
    }
    for (let s = 0; s <= nPublic; s++) {
      a[s] = a[s]! + L[nConstraints + s]!;
      pushCoef(0, nConstraints + s, s, 1n);
    }
    for (let s = 0; s < nVars; s++) {
      a[s] = a[s]! % r;
      b[s] = b[s]! % r;
      c[s] = c[s]! % r;
    }
  }
  const lc = (s: number): bigint => (beta * a[s]! + alpha * b[s]! + c[s]!) % r;

  // --- layout ---------------------------------------------------------------------------------
  const sG1 = S_AFF.G1;
  const sG2 = S_AFF.G2;
  const nPrivate = nVars - nPublic - 1;
  const beacon = options.beacon;
  const beaconHash = beacon ? Uint8Array.from(Buffer.from(beacon.hashHex, "hex")) : undefined;
  const nameBytes = beacon ? new TextEncoder().encode(beacon.name.substring(0, 64)) : new Uint8Array(0);
  const params = beacon
    ? new Uint8Array([...(nameBytes.length ? [1, nameBytes.length, ...nameBytes] : []), 2, beacon.numIterationsExp, 3, beaconHash!.length, ...beaconHash!])
    : new Uint8Array(0);
  const contributionSize = beacon ? 3 * sG1 + sG2 + 64 + 4 + 4 + params.length : 0;
  const sizes: [number, number][] = [
    [1, 4],
    [2, 4 + N8 + 4 + N8 + 4 + 4 + 4 + 3 * sG1 + 3 * sG2],
    [4, coefs.length],
    [3, (nPublic + 1) * sG1],
    [9, n * sG1],
    [8, nPrivate * sG1],
    [5, nVars * sG1],
    [6, nVars * sG1],
    [7, nVars * sG2],
    [10, 64 + 4 + contributionSize],
  ];
  // `zkey new` writes its sections in the order above; `zkey beacon` rewrites the file in id order.
  if (beacon) sizes.sort((x, y) => x[0] - y[0]);
  const dataPos = new Map<number, number>();
  let pos = 12;
  const fileHeader = new Uint8Array(12);
  fileHeader.set(new TextEncoder().encode("zkey"));
  fileHeader.set(u32le(1), 4);
  fileHeader.set(u32le(sizes.length), 8);
  const write = async (buf: Uint8Array, at: number): Promise<void> => {
    let off = 0;
    while (off < buf.length) {
      const { bytesWritten } = await fh.write(buf, off, buf.length - off, at + off);
      off += bytesWritten;
    }
  };
  await write(fileHeader, 0);
  for (const [id, size] of sizes) {
    const h = new Uint8Array(12);
    const dv = new DataView(h.buffer);
    dv.setUint32(0, id, true);
    dv.setBigUint64(4, BigInt(size), true);
    await write(h, pos);
    dataPos.set(id, pos + 12);
    pos += 12 + size;
  }
  await write(u32le(1), dataPos.get(1)!);
  await write(coefs, dataPos.get(4)!);

  // --- header points and the circuit hash over the keys before delta ---------------------------
  const lem = (G: typeof G1, p: Uint8Array, size: number): Uint8Array => {
    const out = new Uint8Array(size);
    G.toRprLEM(out, 0, G.toAffine(p));
    return out;
  };
  const unc = (G: typeof G1, p: Uint8Array, size: number): Uint8Array => {
    const out = new Uint8Array(size);
    G.toRprUncompressed(out, 0, p);
    return out;
  };
  const fr = (x: bigint): Uint8Array => Fr.e(x);
  const alpha1 = G1.timesFr(G1.g, fr(alpha));
  const beta1 = G1.timesFr(G1.g, fr(beta));
  const beta2 = G2.timesFr(G2.g, fr(beta));
  const csHasher = blake2b.create({ dkLen: 64 });
  for (const [G, p, size] of [[G1, alpha1, sG1], [G1, beta1, sG1], [G2, beta2, sG2], [G2, G2.g, sG2], [G1, G1.g, sG1], [G2, G2.g, sG2]] as const) {
    csHasher.update(unc(G, p, size));
  }

  const tables: Partial<Record<GroupName, FixedBaseTable>> = {};
  const g1Points = (nPublic + 1) + n + nPrivate * 2 + nVars * 2 + n;
  const total = g1Points + nVars;
  tables.G1 = await buildTableFor(curve, "G1", g1Points);
  tables.G2 = await buildTableFor(curve, "G2", nVars);
  let done = 0;
  progress(0, total);

  async function run(pr: PointRun, hashCount?: number): Promise<void> {
    const t = tables[pr.g]!;
    const G = pr.g === "G1" ? G1 : G2;
    if (pr.hash) csHasher.update(u32be(hashCount ?? pr.count));
    function* jobs(): Generator<Job> {
      for (let i = 0; i < pr.count; i += CHUNK) {
        const m = Math.min(CHUNK, pr.count - i);
        const scalars = new Uint8Array(m * N8);
        for (let j = 0; j < m; j++) putBig(scalars, j * N8, toMont(pr.scalar(i + j)));
        yield { n: m, src: { scalars }, compressed: false };
      }
    }
    let at = pr.at;
    await runOrdered(curve, t, jobs(), async (points, _c, job) => {
      if (at !== undefined) {
        await write(points, at);
        at += points.length;
      }
      if (pr.hash) csHasher.update((await G.batchLEMtoU(points)) as Uint8Array);
      done += job.n;
      progress(done, total);
    });
  }

  // zkey new's hash order: IC, H (as tau^i (tau^n - 1) G1, see hashHPoints), C, A, B1, B2.
  await run({ g: "G1", count: nPublic + 1, scalar: lc, at: dataPos.get(3)!, hash: true });
  // hashHPoints hashes min(n-1, 2^14) points per 2^14-chunk: n - 1 points up to n = 2^14, n above.
  const hHashed = Math.ceil((n - 1) / (1 << 14)) * Math.min(n - 1, 1 << 14);
  const zTau = (modPow(tau, BigInt(n), r) - 1n + r) % r;
  let hp = zTau;
  let hpNext = 0;
  await run({ g: "G1", count: hHashed, scalar: (i) => { if (i !== hpNext) throw new Error("devZkey: internal error, H scalars out of order"); hpNext++; const v = hp; hp = (hp * tau) % r; return v; }, hash: true }, n - 1);
  await run({ g: "G1", count: nPrivate, scalar: (i) => lc(nPublic + 1 + i), at: beacon ? undefined : dataPos.get(8)!, hash: true });
  await run({ g: "G1", count: nVars, scalar: (s) => a[s]!, at: dataPos.get(5)!, hash: true });
  await run({ g: "G1", count: nVars, scalar: (s) => b[s]!, at: dataPos.get(6)!, hash: true });
  await run({ g: "G2", count: nVars, scalar: (s) => b[s]!, at: dataPos.get(7)!, hash: true });
  const csHash = csHasher.digest();

  // --- delta: snarkjs' beacon contribution ------------------------------------------------------
  let delta = 1n;
  let delta1 = G1.g;
  let delta2 = G2.g;
  const sec10 = new Uint8Array(64 + 4 + contributionSize);
  sec10.set(csHash, 0);
  sec10.set(u32le(beacon ? 1 : 0), 64);
  if (beacon) {
    let h: Uint8Array = beaconHash!;
    for (let i = 0; i < 2 ** beacon.numIterationsExp; i++) h = createHash("sha256").update(h).digest();
    const rng = new ChaCha(seedWords(h));
    const prvKey = Fr.fromRng(rng);
    const g1s = G1.toAffine(G1.fromRng(rng));
    const g1sx = G1.toAffine(G1.timesFr(g1s, prvKey));
    const transcriptHasher = blake2b.create({ dkLen: 64 });
    transcriptHasher.update(csHash);
    transcriptHasher.update(unc(G1, g1s, sG1));
    transcriptHasher.update(unc(G1, g1sx, sG1));
    const transcript = transcriptHasher.digest();
    const g2sp = G2.fromRng(new ChaCha(seedWords(transcript)));
    const g2spx = G2.toAffine(G2.timesFr(g2sp, prvKey));
    delta = Fr.toObject(prvKey) as bigint;
    delta1 = G1.timesFr(G1.g, prvKey);
    delta2 = G2.timesFr(G2.g, prvKey);
    let o = 68;
    for (const [G, p, size] of [[G1, delta1, sG1], [G1, g1s, sG1], [G1, g1sx, sG1], [G2, g2spx, sG2]] as const) {
      sec10.set(lem(G, p, size), o);
      o += size;
    }
    sec10.set(transcript, o);
    o += 64;
    sec10.set(u32le(1), o); // type 1: beacon
    o += 4;
    sec10.set(u32le(params.length), o);
    o += 4;
    sec10.set(params, o);
  }
  await write(sec10, dataPos.get(10)!);

  // --- groth16 header ---------------------------------------------------------------------------
  {
    const h = new Uint8Array(sizes[1]![1]);
    const dv = new DataView(h.buffer);
    let o = 0;
    dv.setUint32(o, N8, true);
    putBig(h, o + 4, curve.q);
    o += 4 + N8;
    dv.setUint32(o, N8, true);
    putBig(h, o + 4, r);
    o += 4 + N8;
    dv.setUint32(o, nVars, true);
    dv.setUint32(o + 4, nPublic, true);
    dv.setUint32(o + 8, n, true);
    o += 12;
    for (const [G, p, size] of [[G1, alpha1, sG1], [G1, beta1, sG1], [G2, beta2, sG2], [G2, G2.g, sG2], [G1, delta1, sG1], [G2, delta2, sG2]] as const) {
      h.set(lem(G, p, size), o);
      o += size;
    }
    await write(h, dataPos.get(2)!);
  }

  // --- H and (with a beacon) C, divided by delta ------------------------------------------------
  const deltaInv = modPow(delta, r - 2n, r);
  if (beacon) await run({ g: "G1", count: nPrivate, scalar: (i) => (lc(nPublic + 1 + i) * deltaInv) % r, at: dataPos.get(8)! });
  else done += nPrivate;
  const L2 = await lagrange(2 * n);
  await run({ g: "G1", count: n, scalar: (i) => (L2[2 * i + 1]! * deltaInv) % r, at: dataPos.get(9)! });
  progress(total, total);
  return { domainPower, csHash };
}

/** ChaCha seed from a hash, as snarkjs reads it (big-endian u32 words). */
function seedWords(h: Uint8Array): number[] {
  const dv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  const seed: number[] = [];
  for (let i = 0; i < 8; i++) seed[i] = dv.getUint32(i * 4, false);
  return seed;
}
