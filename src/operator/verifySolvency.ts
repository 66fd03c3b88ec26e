import { verifyGroth16 } from "../proof/groth16Prover.js";
import { checkProof, type Verdict } from "../protocol/checkProof.js";
import type { SolvencyProof } from "../protocol/solvency.js";

export type SolvencyVerdict = Verdict;

/**
 * Checks an epoch's solvency proof as an auditor or the contract would: the batches form one
 * chain carrying the header's epoch and roots, the figures on the last batch only
 * (src/protocol/solvency.ts), each batch's
 * signals are its statement, and every Groth16 proof is valid (keys from build/).
 */
export async function verifySolvency(proof: SolvencyProof): Promise<SolvencyVerdict> {
  return checkProof({ kind: "solvency", proof }, verifyGroth16);
}
