import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomicWrite.js";
import { sha256File, sha256Hex } from "./hashing.js";
import type { ProgressBoard } from "../io/progress.js";
import { generateDevZkey } from "../setup/devZkey.js";
import { BUILD_DIR, PROJECT_ROOT, PTAU_CACHE_DIR } from "./paths.js";
import { requiredPower } from "./ptau.js";
import type { CompiledCircuit, KeySet, PtauChoice } from "../artifacts/manifest.js";

export type { KeySet };
import { snarkLogger } from "./snarkLogger.js";

// snarkjs does not export its templates folder, so it is read from the installed package.
const GROTH16_VERIFIER_TEMPLATE = readFileSync(join(PROJECT_ROOT, "node_modules", "snarkjs", "templates", "verifier_groth16.sol.ejs"), "utf8");

export interface SetupOptions {
  /** Phase-2 entropy. Default: ZKRS_ENTROPY, else a fixed dev value derived from the circuit hash. */
  entropy?: string;
  log: (line: string) => void;
  board?: ProgressBoard;
}

/** Runs one opaque step (no progress figures) as a ticking line on the board. */
async function timed<T>(board: ProgressBoard | undefined, stage: string, fn: () => Promise<T>): Promise<T> {
  const progress = board?.start(stage);
  try {
    return await fn();
  } finally {
    progress?.end();
  }
}

/**
 * Groth16 setup for one compiled circuit: `zkey new` against the ptau, one phase-2
 * contribution, `zkey verify` against r1cs + ptau, then the verification key and the Solidity
 * verifier exported from it. Cached in build/keys/<name>-<hash>/ keyed by circuit, ptau and
 * entropy. The dev setup is reproducible (a beacon from the public dev entropy): removing build/
 * and rebuilding gives byte-identical keys. A setup with secret entropy is not, by design.
 */
export async function groth16Setup(name: string, circuit: CompiledCircuit, ptau: PtauChoice, options: SetupOptions): Promise<KeySet> {
  const envEntropy = process.env.ZKRS_ENTROPY;
  const entropy = options.entropy ?? envEntropy ?? `zkrs insecure dev entropy ${circuit.circuitHash}`;
  const deterministicEntropy = options.entropy === undefined && envEntropy === undefined;
  // "beacon-v1": dev keys are made with a deterministic beacon contribution (see below).
  const setupHash = sha256Hex([circuit.circuitHash, ptau.sha256, sha256Hex(entropy), deterministicEntropy ? "beacon-v1" : "contribution"].join("\0"));
  const slot = keySlot(name, setupHash, options.log);
  if ("cached" in slot) return slot.cached;
  const { dir, tmp } = slot;

  const logger = snarkLogger(options.log, `    [${name}] `);
  const started = Date.now();
  const zkey0 = join(tmp, `${name}_0000.zkey`);
  const zkeyTmp = join(tmp, `${name}.zkey`);
  options.log(`  ${name}: groth16 setup with ${ptau.path} (power ${ptau.power}${ptau.insecure ? ", INSECURE dev ptau" : ""}) ...`);
  await timed(options.board, `${name}: zkey new`, () => snarkjs.zKey.newZKey(circuit.r1cs, ptau.path, zkey0));
  const contribution = deterministicEntropy ? "zkrs dev beacon (INSECURE: entropy is public)" : "zkrs phase-2 contribution";
  if (deterministicEntropy) {
    // A beacon is snarkjs' deterministic contribution: same inputs, same keys, on any machine.
    await timed(options.board, `${name}: beacon`, () => snarkjs.zKey.beacon(zkey0, zkeyTmp, contribution, sha256Hex(entropy), 10));
  } else {
    await timed(options.board, `${name}: contribution`, () => snarkjs.zKey.contribute(zkey0, zkeyTmp, contribution, entropy));
  }
  rmSync(zkey0);
  options.log(`  ${name}: verifying the zkey against r1cs + ptau ...`);
  if (!(await timed(options.board, `${name}: zkey verify`, () => snarkjs.zKey.verifyFromR1cs(circuit.r1cs, ptau.path, zkeyTmp, logger)))) {
    throw new Error(`${name}: zkey verification against ${circuit.r1cs} and ${ptau.path} failed`);
  }
  const keys = await exportKeys(tmp, dir, name, zkeyTmp, { setupHash, contribution, deterministicEntropy, setupMs: Date.now() - started });
  return finishKeys(tmp, name, keys, options.log);
}

/**
 * The keys folder build/keys/<name>-<setupHash>/: the KeySet recorded there when a finished setup
 * is cached, else an emptied `<dir>.tmp` to fill (renamed to `dir` by finishKeys, so an interrupted
 * setup leaves nothing that looks finished).
 */
function keySlot(name: string, setupHash: string, log: (line: string) => void): { cached: KeySet } | { dir: string; tmp: string } {
  const dir = join(BUILD_DIR, "keys", `${name}-${setupHash.slice(0, 16)}`);
  const infoPath = join(dir, "keys.json");
  if (existsSync(infoPath)) {
    log(`  ${name}: keys ready already`);
    return { cached: JSON.parse(readFileSync(infoPath, "utf8")) as KeySet };
  }
  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  return { dir, tmp };
}

/** Exports the verification key and the Solidity verifier beside the zkey in `tmp`; the KeySet as it will read once `tmp` becomes `dir`. */
async function exportKeys(tmp: string, dir: string, name: string, zkeyTmp: string, k: Pick<KeySet, "setupHash" | "contribution" | "deterministicEntropy" | "setupMs">): Promise<KeySet> {
  const vkey = await snarkjs.zKey.exportVerificationKey(zkeyTmp);
  writeJsonAtomic(join(tmp, "verification_key.json"), vkey);
  const solidity = await snarkjs.zKey.exportSolidityVerifier(zkeyTmp, { groth16: GROTH16_VERIFIER_TEMPLATE });
  writeFileAtomic(join(tmp, "Verifier.sol"), solidity);
  return {
    setupHash: k.setupHash,
    dir,
    zkey: join(dir, `${name}.zkey`),
    zkeySha256: await sha256File(zkeyTmp),
    vkey: join(dir, "verification_key.json"),
    verifierSol: join(dir, "Verifier.sol"),
    contribution: k.contribution,
    deterministicEntropy: k.deterministicEntropy,
    reproducible: k.deterministicEntropy,
    setupMs: k.setupMs,
  };
}

function finishKeys(tmp: string, name: string, keys: KeySet, log: (line: string) => void): KeySet {
  writeJsonAtomic(join(tmp, "keys.json"), keys);
  rmSync(keys.dir, { recursive: true, force: true });
  renameSync(tmp, keys.dir);
  log(`  ${name}: keys ready in ${(keys.setupMs / 1000).toFixed(1)} s (zkey sha256 ${keys.zkeySha256.slice(0, 16)}…)`);
  return keys;
}

/** The public seed of every development key's tau, alpha and beta (see src/setup/devZkey.ts). */
export const DEV_TOXIC_SEED = "zk-risk-sharing public development toxic waste v1";

/** The dev ptau (made from DEV_TOXIC_SEED) that development keys of a circuit verify against: one power above its domain. */
export function devToxicPtau(circuit: Pick<CompiledCircuit, "constraints" | "nPublic">): PtauChoice {
  const power = requiredPower(circuit.constraints, circuit.nPublic) + 1;
  return { path: join(PTAU_CACHE_DIR, `dev_toxic_bn128_${power}.ptau`), power, sha256: "", source: "toxic-waste", insecure: true };
}

/**
 * INSECURE development keys, made directly from known toxic waste (src/setup/devZkey.ts): no
 * ptau is read and no phase-2 preparation or `zkey verify` runs. The zkey is byte-identical to
 * `zkey new` against devToxicPtau(circuit) followed by the dev beacon, so `zkrs setup verify
 * --deep` (which makes that ptau on demand) checks it with snarkjs. Cached like groth16Setup.
 */
export async function devGroth16Setup(name: string, circuit: CompiledCircuit, options: Pick<SetupOptions, "log" | "board">): Promise<KeySet> {
  const entropy = `zkrs insecure dev entropy ${circuit.circuitHash}`;
  const setupHash = sha256Hex([circuit.circuitHash, DEV_TOXIC_SEED, sha256Hex(entropy), "toxic-waste-v1"].join("\0"));
  const slot = keySlot(name, setupHash, options.log);
  if ("cached" in slot) return slot.cached;
  const { dir, tmp } = slot;
  const started = Date.now();
  const zkeyTmp = join(tmp, `${name}.zkey`);
  const contribution = "zkrs dev beacon (INSECURE: entropy is public)";
  options.log(`  ${name}: development keys from the public toxic waste (no ptau, no phase-2 preparation) ...`);
  const progress = options.board?.start(`${name} keys`);
  try {
    await generateDevZkey(circuit.r1cs, zkeyTmp, {
      toxicSeed: DEV_TOXIC_SEED,
      beacon: { hashHex: sha256Hex(entropy), numIterationsExp: 10, name: contribution },
      onProgress: (done, total) => progress?.update(done, total),
    });
  } finally {
    progress?.end();
  }
  const keys = await exportKeys(tmp, dir, name, zkeyTmp, { setupHash, contribution, deterministicEntropy: true, setupMs: Date.now() - started });
  return finishKeys(tmp, name, keys, options.log);
}
