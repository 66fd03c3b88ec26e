import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import * as snarkjs from "snarkjs";
import type { Groth16Proof, VerificationKey } from "snarkjs";
import { type CircuitArtifacts, loadCircuitArtifacts } from "../artifacts/manifest.js";
import type { ProvenStatement } from "../protocol/proofFile.js";
import { toSolidityProof } from "../protocol/solidityProof.js";
import { NATIVE_PROVER_PATH, nativeProverBuilt, proveNative, stopNativeProver } from "./nativeProver.js";
import { calculateWitness } from "./witnessCalculator.js";
import { stopCurveEngines, watchCurveEngines } from "./curveEngines.js";

watchCurveEngines();

export type { ProofTimings, ProvenStatement } from "../protocol/proofFile.js";

export type ProverKind = "snarkjs" | "native";

/**
 * Which Groth16 prover proves: `ZKRS_PROVER=snarkjs|native` forces one; otherwise the native
 * prover (native/, built by `npm install`) when it was built, else snarkjs.
 */
export function selectedProver(): ProverKind {
  const forced = process.env.ZKRS_PROVER;
  if (forced === "snarkjs") return "snarkjs";
  if (forced === "native") {
    if (!nativeProverBuilt()) throw new Error(`ZKRS_PROVER=native but the native prover is not built (${NATIVE_PROVER_PATH}): run npm run build:native`);
    return "native";
  }
  if (forced !== undefined && forced !== "") throw new Error(`ZKRS_PROVER must be snarkjs or native, not ${JSON.stringify(forced)}`);
  return nativeProverBuilt() ? "native" : "snarkjs";
}

/** Groth16 proof of a computed witness (.wtns bytes) with a zkey, by the given prover. */
export async function proveWitness(zkeyPath: string, wtns: Uint8Array, prover: ProverKind = selectedProver()): Promise<{ proof: Groth16Proof; publicSignals: string[] }> {
  if (prover === "native") return proveNative(resolve(zkeyPath), wtns);
  const { proof, publicSignals } = await snarkjs.groth16.prove(zkeyPath, { type: "mem", data: wtns });
  return { proof, publicSignals };
}

export type CircuitInput = Record<string, bigint | bigint[] | bigint[][] | bigint[][][] | number | string>;

/** Decimal-string form of a circuit input (snarkjs takes strings; negatives go in as p - |x| by the caller). */
function stringify(value: CircuitInput[string]): unknown {
  if (Array.isArray(value)) return value.map((v) => stringify(v as CircuitInput[string]));
  return value.toString();
}

/**
 * Builds snarkjs' shared BN254 curve (and its worker threads) once. Call before proving
 * concurrently: two first provers racing would each build a curve and one would be orphaned,
 * keeping the process alive.
 */
export async function warmUpProver(): Promise<void> {
  await snarkjs.curves.getCurveFromName("bn128");
}

/**
 * Computes the witness in memory (the circuit's witness generator compiled once per process:
 * witnessCalculator.ts) and proves it with the circuit's zkey (by `selectedProver()` unless given).
 */
export async function proveCircuit(circuit: string | CircuitArtifacts, input: CircuitInput, prover: ProverKind = selectedProver()): Promise<ProvenStatement> {
  const artifacts = typeof circuit === "string" ? loadCircuitArtifacts(circuit) : circuit;
  const signals = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, stringify(v)]));
  const t0 = Date.now();
  let wtns: Uint8Array;
  try {
    wtns = await calculateWitness(artifacts.circuit.wasm, signals);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const line = msg.split("\n").find((l) => /Assert Failed|Error in template/.test(l)) ?? msg.split("\n")[0];
    throw new Error(`${artifacts.instance.name}: the witness violates a circuit constraint (${line.trim()})`);
  }
  const t1 = Date.now();
  const { proof, publicSignals } = await proveWitness(artifacts.keys.zkey, wtns, prover);
  const t2 = Date.now();
  return { circuit: artifacts.instance.name, proof, publicSignals, solidity: toSolidityProof(proof), timings: { witnessMs: t1 - t0, proveMs: t2 - t1 } };
}

const vkeys = new Map<string, VerificationKey>();

export function verificationKey(circuit: string): VerificationKey {
  let vk = vkeys.get(circuit);
  if (!vk) {
    vk = JSON.parse(readFileSync(loadCircuitArtifacts(circuit).keys.vkey, "utf8")) as VerificationKey;
    vkeys.set(circuit, vk);
  }
  return vk;
}

/** Off-chain Groth16 verification against the circuit's verification key. */
export async function verifyGroth16(circuit: string | VerificationKey, publicSignals: readonly string[], proof: Groth16Proof): Promise<boolean> {
  const vk = typeof circuit === "string" ? verificationKey(circuit) : circuit;
  if (publicSignals.length !== vk.nPublic) return false;
  return snarkjs.groth16.verify(vk, [...publicSignals], proof);
}

/**
 * snarkjs keeps the BN254 curve's worker threads alive after proving; end them (and the native
 * prover process) so the process can exit. Safe to call when neither was started.
 */
export async function releaseProverThreads(): Promise<void> {
  stopNativeProver();
  await stopCurveEngines();
}
