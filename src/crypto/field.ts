/** The BN254 scalar field: every circuit signal and public input lives in it. */
export const FIELD_MODULUS = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** Map a signed integer to its field element (negative x becomes p - |x|). */
export function toField(x: bigint): bigint {
  const r = x % FIELD_MODULUS;
  return r < 0n ? r + FIELD_MODULUS : r;
}

/** Read a field element as a signed integer: elements above p/2 are negative. */
export function fromField(x: bigint): bigint {
  return x > FIELD_MODULUS / 2n ? x - FIELD_MODULUS : x;
}

/** True when x is a canonical field element (0 <= x < p). */
export function isCanonical(x: bigint): boolean {
  return x >= 0n && x < FIELD_MODULUS;
}
