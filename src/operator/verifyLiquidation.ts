import { loadCircuitArtifacts } from "../artifacts/manifest.js";
import { verifyGroth16 } from "../proof/groth16Prover.js";
import { liquidationPublicSignals } from "./liquidationInput.js";
import type { LiquidationProof } from "./proveLiquidation.js";

/**
 * Off-chain check of a liquidation proof, as an auditor or the contract would: its public
 * signals must be exactly the statement it claims (epoch, roots, tag, penalty, deficit) and the
 * Groth16 proof must verify against the key of a liquidation circuit — a margin proof also has
 * six signals and would otherwise read as (tag, penalty, deficit) = (nullifier, recipient, amount).
 */
export async function verifyLiquidation(proof: Pick<LiquidationProof, "circuit" | "proof" | "publicSignals" | "statement">): Promise<boolean> {
  const expected = liquidationPublicSignals(proof.statement);
  if (expected.length !== proof.publicSignals.length || expected.some((v, i) => v !== proof.publicSignals[i])) return false;
  if (loadCircuitArtifacts(proof.circuit).instance.kind !== "liquidation") return false;
  return verifyGroth16(proof.circuit, proof.publicSignals, proof.proof);
}
