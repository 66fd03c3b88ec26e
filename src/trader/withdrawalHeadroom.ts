/**
 * How much a trader may withdraw, per scenario, from the project's one margin rule
 * (`marginReport`, src/risk/equity.ts: slack_s = E_s - R - amount, compliant iff every slack >= 0
 * and amount <= collateral). Browser-safe: the trader's page draws it while the amount is typed.
 */
import type { AccountOpening } from "../accounts/account.js";
import { marginReport } from "../risk/equity.js";
import type { RiskRow } from "../risk/riskEngine.js";
import { columnLabel } from "../risk/scenarios.js";

/** What limits a withdrawal: the headroom of one column (0 = mark, 1.. = scenarios) or the account's collateral. */
export type Binding = { kind: "scenario"; column: number; label: string } | { kind: "collateral" };

export interface WithdrawalHeadroom {
  amount: bigint;
  requirement: bigint;
  /** E_s per column, s = 0 (mark) .. S. */
  equities: bigint[];
  /** E_s - R - amount per column: every one must be >= 0. */
  headroom: bigint[];
  labels: string[];
  /** The rule's verdict for this amount. */
  compliant: boolean;
  /** The column with the least headroom at this amount. */
  worstColumn: number;
  /** The largest compliant amount, or undefined when even 0 is not compliant (the account is under its requirement). */
  maxAmount: bigint | undefined;
  /** What sets maxAmount (with no withdrawal possible: the column under water). */
  binding: Binding;
}

/** The headroom of `account` in every column of the epoch's (padded) risk rows after withdrawing `amount`. */
export function withdrawalHeadroom(account: AccountOpening, rows: readonly RiskRow[], scenarios: number, amount: bigint): WithdrawalHeadroom {
  const now = marginReport(account, rows, scenarios, amount);
  const free = marginReport(account, rows, scenarios, 0n);
  const least = free.slack[free.worstColumn];
  const scenario: Binding = { kind: "scenario", column: free.worstColumn, label: free.worstLabel };
  let maxAmount: bigint | undefined;
  let binding: Binding = scenario;
  if (least >= 0n) {
    maxAmount = least < account.collateral ? least : account.collateral;
    if (least >= account.collateral) binding = { kind: "collateral" };
  }
  return {
    amount, requirement: now.requirement, equities: now.equities, headroom: now.slack,
    labels: now.equities.map((_, s) => columnLabel(s)), compliant: now.compliant, worstColumn: now.worstColumn, maxAmount, binding,
  };
}

/** What binds, in words: "scenario 6 (price -1/3, vol down)", "mark", or "the account's collateral". */
export function describeBinding(b: Binding): string {
  return b.kind === "collateral" ? "the account's collateral" : b.label;
}
