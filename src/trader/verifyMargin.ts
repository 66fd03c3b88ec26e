import { verifyGroth16 } from "../proof/groth16Prover.js";
import { marginPublicSignals } from "./marginInput.js";
import type { MarginProof } from "./proveMargin.js";

/**
 * Off-chain check of a margin proof: its public signals must be exactly the statement it
 * claims (epoch, roots, nullifier, recipient, amount) and the Groth16 proof must verify.
 */
export async function verifyMargin(proof: Pick<MarginProof, "circuit" | "proof" | "publicSignals" | "statement">): Promise<boolean> {
  const expected = marginPublicSignals(proof.statement);
  if (expected.length !== proof.publicSignals.length || expected.some((v, i) => v !== proof.publicSignals[i])) return false;
  return verifyGroth16(proof.circuit, proof.publicSignals, proof.proof);
}
