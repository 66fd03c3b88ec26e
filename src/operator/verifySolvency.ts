import { verifyGroth16 } from "../proof/groth16Prover.js";
import { batchPublicSignals } from "./solvencyBatches.js";
import type { SolvencyProof } from "./proveSolvency.js";

export interface SolvencyVerdict {
  valid: boolean;
  /** Why it is invalid (first problem found). */
  reason?: string;
}

/**
 * Checks an epoch's solvency proof as an auditor or the contract would: batches numbered
 * 0..K-1 in order, only the last marked last, every batch on the same epoch and roots, the figures (stressTotal,
 * markTotal) on the last batch only and equal to the header's,
 * each batch's previous-totals commitment equal to the one before it, the signals equal to
 * the statements, and every Groth16 proof valid.
 */
export async function verifySolvency(proof: SolvencyProof): Promise<SolvencyVerdict> {
  if (proof.batches.length === 0) return { valid: false, reason: "no batches" };
  for (const [k, b] of proof.batches.entries()) {
    const s = b.statement;
    if (s.batchIndex !== k) return { valid: false, reason: `batch at position ${k} has index ${s.batchIndex} (reordered or missing)` };
    if (s.isLast !== (k === proof.batches.length - 1)) return { valid: false, reason: `batch ${k} is${s.isLast ? "" : " not"} marked last` };
    if (s.epoch !== proof.epoch || s.riskRoot !== proof.riskRoot || s.accountsRoot !== proof.accountsRoot) {
      return { valid: false, reason: `batch ${k} is for another epoch or root` };
    }
    const figures = s.isLast ? [proof.stressTotal, proof.markTotal] : [0n, 0n];
    if (s.stressTotal !== figures[0] || s.markTotal !== figures[1]) {
      return { valid: false, reason: s.isLast ? `batch ${k} carries other figures than the proof's header` : `batch ${k} is not the last but carries figures (stressTotal, markTotal must be 0)` };
    }
    if (k > 0 && s.prevTotalsCommitment !== proof.batches[k - 1].statement.totalsCommitment) {
      return { valid: false, reason: `batch ${k} does not chain to batch ${k - 1} (running totals differ)` };
    }
    const expected = batchPublicSignals(s);
    if (expected.some((v, i) => v !== b.publicSignals[i]) || expected.length !== b.publicSignals.length) {
      return { valid: false, reason: `batch ${k}: public signals differ from its statement` };
    }
    if (!(await verifyGroth16(proof.circuit, b.publicSignals, b.proof))) return { valid: false, reason: `batch ${k}: Groth16 proof is invalid` };
  }
  return { valid: true };
}
