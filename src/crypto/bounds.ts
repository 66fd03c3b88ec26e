/**
 * Integer bounds shared by the TypeScript model and the circuits (circuits/lib/account.circom).
 * With at most 8 positions: |equity| < 2^64 + 8 * 2^32 * 2^48 < 2^84, far below the field.
 */
export const COLLATERAL_BITS = 64n;
export const QUANTITY_BITS = 32n;
export const VALUE_BITS = 48n;
export const EQUITY_BITS = 84n;
export const BOUND_BITS = 128n;

export const MAX_COLLATERAL = (1n << COLLATERAL_BITS) - 1n;
/** Quantities satisfy -2^32 <= q < 2^32. */
export const MIN_QUANTITY = -(1n << QUANTITY_BITS);
export const MAX_QUANTITY = (1n << QUANTITY_BITS) - 1n;
/** Instrument values satisfy -2^48 <= v < 2^48; add-ons 0 <= a < 2^48. */
export const MIN_VALUE = -(1n << VALUE_BITS);
export const MAX_VALUE = (1n << VALUE_BITS) - 1n;
export const MAX_BOUND = (1n << BOUND_BITS) - 1n;

export function checkRange(what: string, x: bigint, min: bigint, max: bigint): void {
  if (x < min || x > max) throw new RangeError(`${what} = ${x} is out of range [${min}, ${max}]`);
}
