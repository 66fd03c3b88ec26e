import { verifyGroth16 } from "../proof/groth16Prover.js";
import { checkProof } from "../protocol/checkProof.js";
import type { LiquidationProofFile } from "../protocol/liquidation.js";

/**
 * Off-chain check of a liquidation proof, as an auditor or the contract would: its public
 * signals must be exactly the statement it claims (epoch, roots, tag, penalty, deficit) and the
 * Groth16 proof must verify against the key of a liquidation circuit — a margin proof also has
 * six signals and would otherwise read as (tag, penalty, deficit) = (nullifier, recipient, amount).
 */
export async function verifyLiquidation(proof: Pick<LiquidationProofFile, "circuit" | "proof" | "publicSignals" | "statement">): Promise<boolean> {
  return (await checkProof({ kind: "liquidation", proof }, verifyGroth16)).valid;
}
