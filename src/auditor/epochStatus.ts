/**
 * DESIGN §9: an accepted epoch is Solvent when the pool's assets (balance less deposits the
 * root cannot credit yet) cover the proven stress total; Stressed (LP withdrawals frozen) when
 * they cover only the mark total; Haircut when they do not even cover the mark total — then
 * every settlement of the epoch pays amount × assets / markTotal, rounded down. Both totals
 * are exact (the operator chooses neither). The contract's enum order.
 */
export const EPOCH_STATUSES = ["solvent", "stressed", "haircut"] as const;
export type EpochStatusName = (typeof EPOCH_STATUSES)[number];

/** The loss waterfall's stages, in the contract's enum order (DESIGN §9). */
export const WATERFALL_STAGES = ["penalty", "insurance fund", "LP capital", "haircut"] as const;
export type WaterfallStageName = (typeof WATERFALL_STAGES)[number];

export interface Haircut {
  /** The pool's assets when the epoch opened. */
  num: bigint;
  /** The proven mark total. */
  den: bigint;
}

/** The status the contract must have set, from the three public figures of the EpochOpened event. */
export function expectedStatus(balance: bigint, stressTotal: bigint, markTotal: bigint | undefined): EpochStatusName {
  if (stressTotal <= balance) return "solvent";
  if (markTotal === undefined || markTotal <= balance) return "stressed";
  return "haircut";
}

/** What a settlement of `amount` pays in an epoch with this haircut (the contract's floor rule). */
export function haircutPayment(amount: bigint, haircut: Haircut | undefined): bigint {
  return haircut === undefined || haircut.den === 0n ? amount : (amount * haircut.num) / haircut.den;
}

/** A haircut as a decimal ratio for people, e.g. "0.8731" (token amounts stay integers everywhere else). */
export function haircutRatio(h: Haircut, digits = 4): string {
  if (h.den === 0n) return "1";
  const scale = 10n ** BigInt(digits);
  const x = (h.num * scale) / h.den;
  return `${x / scale}.${(x % scale).toString().padStart(digits, "0")}`;
}

export function statusName(code: number | undefined): EpochStatusName | undefined {
  return code === undefined ? undefined : EPOCH_STATUSES[code];
}
