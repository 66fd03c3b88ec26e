import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as snarkjs from "snarkjs";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomicWrite.js";
import { sha256File, sha256Hex } from "./hashing.js";
import { BUILD_DIR, PROJECT_ROOT } from "./paths.js";
import type { CompiledCircuit, KeySet, PtauChoice } from "../artifacts/manifest.js";

export type { KeySet };
import { snarkLogger } from "./snarkLogger.js";

// snarkjs does not export its templates folder, so it is read from the installed package.
const GROTH16_VERIFIER_TEMPLATE = readFileSync(join(PROJECT_ROOT, "node_modules", "snarkjs", "templates", "verifier_groth16.sol.ejs"), "utf8");

export interface SetupOptions {
  /** Phase-2 entropy. Default: ZKRS_ENTROPY, else a fixed dev value derived from the circuit hash. */
  entropy?: string;
  log: (line: string) => void;
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
  const dir = join(BUILD_DIR, "keys", `${name}-${setupHash.slice(0, 16)}`);
  const infoPath = join(dir, "keys.json");
  if (existsSync(infoPath)) {
    options.log(`  ${name}: keys ready already`);
    return JSON.parse(readFileSync(infoPath, "utf8")) as KeySet;
  }

  const tmp = `${dir}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const logger = snarkLogger(options.log, `    [${name}] `);
  const started = Date.now();
  const zkey0 = join(tmp, `${name}_0000.zkey`);
  const zkeyTmp = join(tmp, `${name}.zkey`);
  options.log(`  ${name}: groth16 setup with ${ptau.path} (power ${ptau.power}${ptau.insecure ? ", INSECURE dev ptau" : ""}) ...`);
  await snarkjs.zKey.newZKey(circuit.r1cs, ptau.path, zkey0);
  const contribution = deterministicEntropy ? "zkrs dev beacon (INSECURE: entropy is public)" : "zkrs phase-2 contribution";
  if (deterministicEntropy) {
    // A beacon is snarkjs' deterministic contribution: same inputs, same keys, on any machine.
    await snarkjs.zKey.beacon(zkey0, zkeyTmp, contribution, sha256Hex(entropy), 10);
  } else {
    await snarkjs.zKey.contribute(zkey0, zkeyTmp, contribution, entropy);
  }
  rmSync(zkey0);
  options.log(`  ${name}: verifying the zkey against r1cs + ptau ...`);
  if (!(await snarkjs.zKey.verifyFromR1cs(circuit.r1cs, ptau.path, zkeyTmp, logger))) {
    throw new Error(`${name}: zkey verification against ${circuit.r1cs} and ${ptau.path} failed`);
  }
  const vkey = await snarkjs.zKey.exportVerificationKey(zkeyTmp);
  writeJsonAtomic(join(tmp, "verification_key.json"), vkey);
  const solidity = await snarkjs.zKey.exportSolidityVerifier(zkeyTmp, { groth16: GROTH16_VERIFIER_TEMPLATE });
  writeFileAtomic(join(tmp, "Verifier.sol"), solidity);

  const keys: KeySet = {
    setupHash,
    dir,
    zkey: join(dir, `${name}.zkey`),
    zkeySha256: await sha256File(zkeyTmp),
    vkey: join(dir, "verification_key.json"),
    verifierSol: join(dir, "Verifier.sol"),
    contribution,
    deterministicEntropy,
    reproducible: deterministicEntropy,
    setupMs: Date.now() - started,
  };
  writeJsonAtomic(join(tmp, "keys.json"), keys);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  options.log(`  ${name}: keys ready in ${(keys.setupMs / 1000).toFixed(1)} s (zkey sha256 ${keys.zkeySha256.slice(0, 16)}…)`);
  return keys;
}
