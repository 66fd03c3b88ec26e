import { loadCircuitArtifacts } from "../artifacts/manifest.js";
import { proveCircuit, verifyGroth16 } from "../proof/groth16Prover.js";
import { checkProof } from "../protocol/checkProof.js";
import type { ExitProof } from "../protocol/exit.js";
import { buildExitInput, type ExitRequest } from "./exitInput.js";

export type { ExitProof };

/**
 * The trader's exit proof for a frozen pool (docs/design.md §12), made on the trader's own
 * machine: "my account, committed in the last open epoch's accountsRoot, is owed max(E_0, 0)
 * at mark; pay it to `recipient`", revealing only the epoch nullifier and the amount. There is
 * no compliance condition: every account in the root has a claim, 0 for one under water.
 */
export async function proveExit(request: ExitRequest, circuit = "exit"): Promise<ExitProof> {
  const artifacts = loadCircuitArtifacts(circuit);
  if (artifacts.instance.kind !== "exit") throw new Error(`circuit ${circuit} is not an exit circuit`);
  const { input, statement } = buildExitInput(request, artifacts.instance.params);
  const proven = await proveCircuit(artifacts, input);
  return { ...proven, statement };
}

/** Off-chain check of an exit proof (src/protocol/checkProof.ts, with the keys in build/). */
export async function verifyExit(proof: Pick<ExitProof, "circuit" | "proof" | "publicSignals" | "statement">): Promise<boolean> {
  return (await checkProof({ kind: "exit", proof }, verifyGroth16)).valid;
}
