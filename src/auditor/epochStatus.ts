/**
 * docs/design.md §9: an accepted epoch is Solvent when the pool's balance covers the proven stress
 * bound; Stressed (LP withdrawals frozen) when it covers only the mark bound; Haircut when it
 * does not even cover the mark bound — then every settlement of the epoch pays
 * amount × balance / markTotal, rounded down. The auditor recomputes both from public figures.
 */
import type { EpochStatus } from "../protocol/poolEvents.js";

export interface Haircut {
  /** The pool's balance when the epoch opened. */
  num: bigint;
  /** The proven mark bound. */
  den: bigint;
}

/** The status the contract must have set, from the three public figures of the EpochOpened event. */
export function expectedStatus(balance: bigint, stressTotal: bigint, markTotal: bigint): EpochStatus {
  if (stressTotal <= balance) return "solvent";
  if (markTotal <= balance) return "stressed";
  return "haircut";
}

/** What a settlement of `amount` pays in an epoch with this haircut (the contract's floor rule). */
export function haircutPayment(amount: bigint, haircut: Haircut | undefined): bigint {
  return haircut === undefined || haircut.den === 0n ? amount : (amount * haircut.num) / haircut.den;
}
