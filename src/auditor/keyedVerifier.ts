import * as snarkjs from "snarkjs";
import type { VerificationKey } from "snarkjs";
import type { ProofVerifier } from "../protocol/checkProof.js";

/**
 * A ProofVerifier over verification keys got from anywhere (the page fetches them beside
 * itself): each key is loaded once, and a proof whose signal count is not the key's is
 * refused before snarkjs sees it.
 */
export function keyedVerifier(loadKey: (circuit: string) => Promise<VerificationKey>): ProofVerifier {
  const keys = new Map<string, Promise<VerificationKey>>();
  return async (circuit, publicSignals, proof) => {
    let key = keys.get(circuit);
    if (!key) {
      key = loadKey(circuit);
      keys.set(circuit, key);
      key.catch(() => keys.delete(circuit));
    }
    const vk = await key;
    if (publicSignals.length !== vk.nPublic) return false;
    try {
      return await snarkjs.groth16.verify(vk, [...publicSignals], proof);
    } catch {
      return false; // malformed points: not a valid proof
    }
  };
}
