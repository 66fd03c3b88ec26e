import type { AccountOpening } from "../accounts/account.js";
import { columnLabel } from "./scenarios.js";
import type { RiskRow } from "./riskEngine.js";

/** E_s = collateral + sum_k q_k * v_{i_k, s} for s = 0 (mark) .. S. */
export function scenarioEquities(account: AccountOpening, rows: readonly RiskRow[], scenarios: number): bigint[] {
  const out: bigint[] = [];
  for (let s = 0; s <= scenarios; s++) {
    let e = account.collateral;
    for (const p of account.positions) {
      const row = rows[p.instrument];
      if (!row) throw new RangeError(`position on instrument ${p.instrument}, which the risk table does not list`);
      e += p.quantity * row.values[s];
    }
    out.push(e);
  }
  return out;
}

/** R = sum_k |q_k| * a_{i_k}. */
export function marginRequirement(account: AccountOpening, rows: readonly RiskRow[]): bigint {
  return account.positions.reduce((r, p) => r + (p.quantity < 0n ? -p.quantity : p.quantity) * rows[p.instrument].addon, 0n);
}

export interface MarginReport {
  equities: bigint[];
  requirement: bigint;
  /** slack_s = E_s - amount - R; the account may withdraw `amount` iff every slack >= 0. */
  slack: bigint[];
  worstColumn: number;
  worstLabel: string;
  /** max(0, -min slack): what the account lacks in its worst scenario. */
  shortfall: bigint;
  compliant: boolean;
}

/** The margin check of docs/design.md §4.1 in plain integers: the TypeScript model of MarginCompliance. */
export function marginReport(account: AccountOpening, rows: readonly RiskRow[], scenarios: number, amount = 0n): MarginReport {
  const equities = scenarioEquities(account, rows, scenarios);
  const requirement = marginRequirement(account, rows);
  const slack = equities.map((e) => e - amount - requirement);
  let worstColumn = 0;
  slack.forEach((v, s) => { if (v < slack[worstColumn]) worstColumn = s; });
  const worst = slack[worstColumn];
  return {
    equities, requirement, slack, worstColumn, worstLabel: columnLabel(worstColumn),
    shortfall: worst < 0n ? -worst : 0n, compliant: worst >= 0n && amount <= account.collateral,
  };
}
