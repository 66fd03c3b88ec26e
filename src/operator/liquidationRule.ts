import type { AccountOpening } from "../accounts/account.js";
import { marginReport } from "../risk/equity.js";
import type { RiskRow } from "../risk/riskEngine.js";

/**
 * The liquidation rule of docs/design.md §9 in plain integers: the TypeScript model of the Liquidation
 * circuit. An account is liquidatable iff some column s = 0..S (0 = mark) has E_s < R — the exact
 * complement of the margin check with amount 0, so every account is either able to attest
 * compliance or liquidatable, never both and never neither.
 */
export interface LiquidationAssessment {
  /** E_s = collateral + sum q * v_s, s = 0 (mark) .. S. */
  equities: bigint[];
  /** R = sum |q| * addon. */
  requirement: bigint;
  /** headroom_s = E_s - R; the account is liquidatable iff one of them is negative. */
  headroom: bigint[];
  /** The column of least headroom (the first one on ties), and its label. */
  worstColumn: number;
  worstLabel: string;
  /** headroom[worstColumn]: negative iff the account is liquidatable. */
  minHeadroom: bigint;
  liquidatable: boolean;
  /** min(max(E_0, 0), R): moved to the insurance fund by the contract. */
  penalty: bigint;
  /** max(0, -E_0): the loss beyond the account's collateral, for the rest of the waterfall. */
  deficit: bigint;
}

/** The penalty and deficit of waterfall step 1, from the mark equity E_0 and the requirement R. */
export function penaltyAndDeficit(markEquity: bigint, requirement: bigint): { penalty: bigint; deficit: bigint } {
  if (requirement < 0n) throw new RangeError(`requirement must be >= 0, got ${requirement}`);
  const positive = markEquity > 0n ? markEquity : 0n;
  return { penalty: positive < requirement ? positive : requirement, deficit: markEquity < 0n ? -markEquity : 0n };
}

/** Assesses one account against the epoch's (padded) risk rows, as the Liquidation circuit does. */
export function assessLiquidation(account: AccountOpening, rows: readonly RiskRow[], scenarios: number): LiquidationAssessment {
  const report = marginReport(account, rows, scenarios, 0n);
  const minHeadroom = report.slack[report.worstColumn];
  return {
    equities: report.equities,
    requirement: report.requirement,
    headroom: report.slack,
    worstColumn: report.worstColumn,
    worstLabel: report.worstLabel,
    minHeadroom,
    liquidatable: minHeadroom < 0n,
    ...penaltyAndDeficit(report.equities[0], report.requirement),
  };
}
