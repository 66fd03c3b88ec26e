import type { AccountOpening } from "../accounts/account.js";
import { scenarioEquities } from "../risk/equity.js";
import type { RiskRow } from "../risk/riskEngine.js";
import { columnLabel } from "../risk/scenarios.js";

/** max(0, E_{j,s}) per scenario: what the pool owes one account (a deficit counts as 0, never negative). */
export function flooredEquities(account: AccountOpening, rows: readonly RiskRow[], scenarios: number): bigint[] {
  return scenarioEquities(account, rows, scenarios).map((e) => (e > 0n ? e : 0n));
}

/** Column-wise sums of floored equities over accounts: the pool's liabilities per scenario. */
export function liabilityTotals(accounts: readonly AccountOpening[], rows: readonly RiskRow[], scenarios: number): bigint[] {
  const totals = Array<bigint>(scenarios + 1).fill(0n);
  for (const a of accounts) flooredEquities(a, rows, scenarios).forEach((v, s) => { totals[s] += v; });
  return totals;
}

export class LiabilitiesBoundError extends Error {
  constructor(readonly column: number, readonly total: bigint, readonly bound: bigint) {
    super(`liabilitiesBound ${bound} is too low: liabilities in ${columnLabel(column)} are ${total} (${total - bound} above the bound)`);
    this.name = "LiabilitiesBoundError";
  }
}

/** Throws LiabilitiesBoundError naming the worst scenario when some total exceeds the bound. */
export function checkBound(totals: readonly bigint[], bound: bigint): void {
  let worst = 0;
  totals.forEach((t, s) => { if (t > totals[worst]) worst = s; });
  if (totals[worst] > bound) throw new LiabilitiesBoundError(worst, totals[worst], bound);
}

export class MarkBoundError extends Error {
  constructor(readonly total: bigint, readonly bound: bigint) {
    super(`markBound ${bound} is too low: liabilities at mark are ${total} (${total - bound} above the bound)`);
    this.name = "MarkBoundError";
  }
}

/** Throws MarkBoundError when the mark total (column 0) exceeds the mark bound. */
export function checkMarkBound(totals: readonly bigint[], markBound: bigint): void {
  if (totals[0] > markBound) throw new MarkBoundError(totals[0], markBound);
}
