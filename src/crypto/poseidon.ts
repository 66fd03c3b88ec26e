import {
  poseidon1, poseidon2, poseidon3, poseidon4, poseidon5, poseidon6, poseidon7, poseidon8,
  poseidon9, poseidon10, poseidon11, poseidon12, poseidon13, poseidon14, poseidon15, poseidon16,
} from "poseidon-lite";
import { toField } from "./field.js";

type PoseidonFn = (inputs: bigint[]) => bigint;
const BY_ARITY: PoseidonFn[] = [
  poseidon1, poseidon2, poseidon3, poseidon4, poseidon5, poseidon6, poseidon7, poseidon8,
  poseidon9, poseidon10, poseidon11, poseidon12, poseidon13, poseidon14, poseidon15, poseidon16,
];

/**
 * circomlib's Poseidon over 1..16 inputs, the same function as the `Poseidon(n)` template.
 * Signed inputs are mapped into the field first.
 */
export function poseidon(inputs: readonly bigint[]): bigint {
  const fn = BY_ARITY[inputs.length - 1];
  if (fn === undefined) throw new Error(`poseidon takes 1 to 16 inputs, got ${inputs.length}`);
  return fn(inputs.map(toField));
}

/**
 * Hash of a list of any length, the off-circuit twin of `HashList(n)` in
 * circuits/lib/hash_list.circom: Poseidon over the first 16 elements, then each further
 * chunk of up to 15 absorbed as h = Poseidon(h, chunk).
 */
export function hashList(values: readonly bigint[]): bigint {
  if (values.length === 0) throw new Error("hashList needs at least one value");
  let h = poseidon(values.slice(0, 16));
  for (let start = 16; start < values.length; start += 15) {
    h = poseidon([h, ...values.slice(start, start + 15)]);
  }
  return h;
}
