import { verifyGroth16 } from "../proof/groth16Prover.js";
import { checkProof } from "../protocol/checkProof.js";
import type { MarginProof } from "../protocol/margin.js";

/**
 * Off-chain check of a margin proof: its public signals must be exactly the statement it
 * claims (epoch, roots, nullifier, recipient, amount), its circuit a margin circuit, and the
 * Groth16 proof must verify (src/protocol/checkProof.ts, with the keys in build/).
 */
export async function verifyMargin(proof: Pick<MarginProof, "circuit" | "proof" | "publicSignals" | "statement">): Promise<boolean> {
  return (await checkProof({ kind: "margin", proof }, verifyGroth16)).valid;
}
