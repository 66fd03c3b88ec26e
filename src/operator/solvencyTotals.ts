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

/**
 * The public figures of an epoch's solvency statement (docs/design.md §9, §10), both exact: the mark
 * total (column 0) and the stress total, the largest total over every column (mark included),
 * with the column it comes from (the circuit's one-hot stress selector; the first on a tie).
 */
export function exactFigures(totals: readonly bigint[]): { markTotal: bigint; stressTotal: bigint; stressColumn: number } {
  let worst = 0;
  totals.forEach((t, s) => { if (t > totals[worst]) worst = s; });
  return { markTotal: totals[0], stressTotal: totals[worst], stressColumn: worst };
}

/**
 * A figure the caller expected differs from the exact one. A solvency statement publishes the
 * exact totals — a larger figure would let the operator choose a freeze or a haircut, a smaller
 * one would hide liabilities — so there is nothing to choose, only to check.
 */
export class InexactFigureError extends Error {
  constructor(readonly figure: "stressTotal" | "markTotal", readonly expected: bigint, readonly exact: bigint, readonly column?: number) {
    super(`${figure} ${expected} is not exact: the ${figure === "markTotal" ? "liabilities at mark are" : `largest liability total (${columnLabel(column ?? 0)}) is`} ${exact}; a solvency statement publishes the exact figure`);
    this.name = "InexactFigureError";
  }
}

/** Throws InexactFigureError when an expected figure differs from the exact one. */
export function checkExpectedFigures(totals: readonly bigint[], expected: { stressTotal?: bigint; markTotal?: bigint }): void {
  const f = exactFigures(totals);
  if (expected.stressTotal !== undefined && expected.stressTotal !== f.stressTotal) throw new InexactFigureError("stressTotal", expected.stressTotal, f.stressTotal, f.stressColumn);
  if (expected.markTotal !== undefined && expected.markTotal !== f.markTotal) throw new InexactFigureError("markTotal", expected.markTotal, f.markTotal);
}
