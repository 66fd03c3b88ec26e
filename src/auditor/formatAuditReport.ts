import { STAGE_LABELS } from "../protocol/poolEvents.js";
import type { AuditReport } from "./epochAudit.js";
import type { WaterfallStepCheck } from "./waterfall.js";

function stepLine(s: WaterfallStepCheck): string {
  const mark = s.ok ? "" : `  MISMATCH: the pool emitted ${s.emitted}`;
  return `      ${STAGE_LABELS[s.stage].padEnd(32)} ${s.expected.toString().padStart(16)}  (fund ${s.insuranceFundAfter}, LP NAV ${s.lpCapitalAfter})${mark}`;
}

function statusLine(r: AuditReport): string | undefined {
  if (!r.status || !r.opening) return undefined;
  const o = r.opening;
  const figures = `assets ${o.poolBalance} at opening; stress total ${o.stressTotal}${o.markTotal === undefined ? "" : `, mark total ${o.markTotal}`}`;
  switch (r.status) {
    case "solvent":
      return `  status: SOLVENT (${figures}: the balance covers every stress scenario)`;
    case "stressed":
      return `  status: STRESSED, LP withdrawals frozen (${figures}: covers mark, not every stress scenario)`;
    case "haircut":
      return `  status: HAIRCUT ${r.haircutRatio} = ${r.haircut?.num} / ${r.haircut?.den} (${figures}): settlements pay amount x ${r.haircutRatio}`;
  }
}

/** The LPs at the opening (docs/design.md §11): NAV per share, and the request batches it executed. */
function navLines(r: AuditReport): string[] {
  const o = r.opening;
  if (!o || r.navPerShare === undefined) return [];
  const era = o.newEra !== undefined ? `; share era ${o.newEra} started` : "";
  const lines = [o.supply === 0n
    ? `  LP NAV at the opening: ${o.nav}, no shares outstanding (NAV = max(0, assets - insurance fund - mark total)${era})`
    : `  LP NAV per share at the opening: ${r.navPerShare} (NAV ${o.nav} = max(0, assets - insurance fund - mark total), ${o.supply} shares${era})`];
  if (o.withdrawals) lines.push(`    withdrawal batch ${o.withdrawals.batch}: ${o.withdrawals.burned} of ${o.withdrawals.shares} shares burned for ${o.withdrawals.tokens}`);
  if (o.deposits) lines.push(`    deposit batch ${o.deposits.batch}: ${o.deposits.assets} for ${o.deposits.shares} shares`);
  return lines;
}

/** A readable report of one epoch (amounts in token base units): checks, status, waterfall, figures. */
export function formatAuditReport(r: AuditReport): string {
  const figures = r.stressTotal === undefined ? `no accepted bound; pool balance ${r.poolBalance}`
    : r.headroom !== undefined ? `stress total ${r.stressTotal}; pool balance ${r.poolBalance}; must hold ${r.mustHold}; headroom ${r.headroom}`
    : r.latestAcceptedEpoch === r.epoch ? `stress total ${r.stressTotal}; pool balance ${r.poolBalance}; balance - stress total ${r.balanceLessBound}`
    : `stress total ${r.stressTotal}; pool balance ${r.poolBalance}; balance - stress total ${r.balanceLessBound} (epoch ${r.epoch} is not the latest accepted one: epoch ${r.latestAcceptedEpoch}'s stress total governs the balance now)`;
  const waterfall: string[] = [];
  const opening = r.opening;
  if (opening && opening.steps.length > 0) {
    waterfall.push(`  epoch-level write-offs at the Haircut opening${opening.mismatch ? "  MISMATCH" : ""}:`, ...opening.steps.map(stepLine));
  }
  for (const l of r.liquidations) {
    waterfall.push(`  liquidation tag ${l.tag.toString().slice(0, 10)}… (penalty ${l.penalty}, deficit ${l.deficit}), tx ${l.transactionHash.slice(0, 10)}…${l.mismatch ? "  MISMATCH" : "  (recomputed: matches)"}`,
      ...l.steps.map(stepLine));
  }
  if (r.insuranceFundAtEnd !== undefined) waterfall.push(`  insurance fund ${r.insuranceFundAtEnd}, LP NAV ${r.lpCapitalAtEnd} at the end of the epoch's window`);
  const account = r.account?.margin && r.account.included
    ? [`  your headroom per scenario (E_s - R, requirement ${r.account.margin.requirement}): worst ${r.account.margin.worstLabel} ${r.account.margin.headroom.reduce((m, x) => (x < m ? x : m))}`]
    : [];
  return [
    `solvency audit of pool ${r.pool}, epoch ${r.epoch}`,
    ...r.checks.map((c) => `  [${c.ok ? "ok" : "FAIL"}] ${c.what}${c.detail ? `: ${c.detail}` : ""}`),
    ...[statusLine(r)].filter((x): x is string => x !== undefined),
    ...navLines(r),
    ...waterfall,
    `  ${figures}`,
    ...(r.headroom !== undefined && r.headroom !== r.balanceLessBound
      ? [`  balance - bound is ${r.balanceLessBound}: this epoch's settlements (${r.settledAmount}) paid out liabilities the bound covered, and deposits no bound covers yet (${r.uncoveredDeposits}) are owed on top`]
      : []),
    `  settlements: ${r.settlements} for ${r.settledAmount} in total${r.paidAmount !== r.settledAmount ? `, paying ${r.paidAmount} after the haircut` : ""}; settlement ${r.settlementOpen ? "open" : "closed"}`,
    ...account,
    ...(r.frozen
      ? [`  FROZEN after this epoch: ${r.frozen.exits} exit(s) paid ${r.frozen.exitsPaid}; traders' outstanding claims ${r.frozen.outstanding}; LPs took ${r.frozen.lpPaid} of ${r.frozen.lpSurplus}; refunds ${r.frozen.refunded} of ${r.frozen.uncredited}`]
      : []),
    r.ok ? "audit passed" : `audit FAILED (${r.problems.length} check(s))`,
  ].join("\n");
}
