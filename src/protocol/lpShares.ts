/**
 * LP shares at NAV (docs/design.md §11): the contract's rules, once, for the auditor, the CLI
 * and the page. Every request executed at an opening gets the opening's NAV per share,
 * (nav + 1) / (supply + 1) token units per share (one virtual share and unit), rounded down
 * for the requester; withdrawals never take the pool below the lock, and when the lock allows
 * only part every request of the batch is filled the same fraction.
 */
import type { EpochStatus } from "./poolEvents.js";

/** NAV above this is not priced (RiskSharingPool.NAV_CAP). */
export const NAV_CAP = (1n << 100n) - 1n;
/** A new share era starts when shares outstanding exceed NAV times this (RiskSharingPool.MAX_SHARES_PER_UNIT). */
export const MAX_SHARES_PER_UNIT = 1n << 24n;
/** Escrowed deposits, and withdrawals owed, never exceed this (RiskSharingPool.MAX_ESCROW). */
export const MAX_ESCROW = (1n << 96n) - 1n;

/** NAV at an opening: assets - insurance fund - markTotal, at least 0, capped. */
export function openingNav(assets: bigint, insuranceFund: bigint, markTotal: bigint): bigint {
  const nav = assets > insuranceFund + markTotal ? assets - insuranceFund - markTotal : 0n;
  return nav > NAV_CAP ? NAV_CAP : nav;
}

/** What LP withdrawals may take at a Solvent opening: assets - insurance fund - stressTotal (the lock), at least 0. */
export function withdrawable(assets: bigint, insuranceFund: bigint, stressTotal: bigint): bigint {
  return assets > insuranceFund + stressTotal ? assets - insuranceFund - stressTotal : 0n;
}

/** Token value of `shares` at (nav, supply), rounded down. */
export function sharesValue(shares: bigint, nav: bigint, supply: bigint): bigint {
  return (shares * (nav + 1n)) / (supply + 1n);
}

/** Shares `assets` tokens buy at (nav, supply), rounded down. */
export function sharesFor(assets: bigint, nav: bigint, supply: bigint): bigint {
  return (assets * (supply + 1n)) / (nav + 1n);
}

/**
 * Whether an opening with this status executes the deposit batch: not a Haircut, whose settlements
 * leave the traders' unpaid claims owed at full value (new capital would pay them); the batch waits.
 */
export function depositsExecute(status: EpochStatus): boolean {
  return status !== "haircut";
}

/** Whether an opening with this NAV and supply starts a new share era (NAV 0 with shares out: a wipe-out). */
export function startsNewEra(nav: bigint, supply: bigint): boolean {
  return supply !== 0n && supply > nav * MAX_SHARES_PER_UNIT;
}

/** A withdrawal batch of `shares` at (nav, supply) with `free` tokens above the lock: shares burned, tokens out. */
export function fillWithdrawals(shares: bigint, nav: bigint, supply: bigint, free: bigint): { burned: bigint; tokens: bigint; partial: boolean } {
  const tokens = sharesValue(shares, nav, supply);
  if (tokens <= free) return { burned: shares, tokens, partial: false };
  const burned = (shares * free) / tokens;
  return { burned, tokens: sharesValue(burned, nav, supply), partial: true };
}
