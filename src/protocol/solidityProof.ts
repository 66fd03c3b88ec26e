import type { Groth16Proof } from "snarkjs";

/** A Groth16 proof laid out as snarkjs' Solidity verifier takes it (G2 coordinates swapped). */
export interface SolidityProof {
  a: [bigint, bigint];
  b: [[bigint, bigint], [bigint, bigint]];
  c: [bigint, bigint];
}

/** Packs snarkjs' proof object for `verifyProof(a, b, c, publicSignals)`. */
export function toSolidityProof(proof: Groth16Proof): SolidityProof {
  const n = (x: string): bigint => BigInt(x);
  return {
    a: [n(proof.pi_a[0]), n(proof.pi_a[1])],
    b: [[n(proof.pi_b[0][1]), n(proof.pi_b[0][0])], [n(proof.pi_b[1][1]), n(proof.pi_b[1][0])]],
    c: [n(proof.pi_c[0]), n(proof.pi_c[1])],
  };
}

/** The inverse of toSolidityProof: a snarkjs proof object from the points a contract received. */
export function fromSolidityProof(p: SolidityProof): Groth16Proof {
  const s = (x: bigint): string => x.toString();
  return {
    pi_a: [s(p.a[0]), s(p.a[1]), "1"],
    pi_b: [[s(p.b[0][1]), s(p.b[0][0])], [s(p.b[1][1]), s(p.b[1][0])], ["1", "0"]],
    pi_c: [s(p.c[0]), s(p.c[1]), "1"],
    protocol: "groth16",
    curve: "bn128",
  };
}

/** The pool's `Proof` struct argument: exactly the points a, b, c. */
export function proofTuple(p: SolidityProof): { a: [bigint, bigint]; b: [[bigint, bigint], [bigint, bigint]]; c: [bigint, bigint] } {
  return { a: p.a, b: p.b, c: p.c };
}
