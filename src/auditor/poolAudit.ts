import type { RiskTable } from "../risk/riskEngine.js";
import type { AccountToCheck } from "./accountCheck.js";
import { type AuditCircuits, type AuditReport, auditEpochWith, type PoolHistory, type ProofVerifier, publishedEpochs } from "./epochAudit.js";
import type { EpochStatus, WaterfallStage } from "../protocol/poolEvents.js";

/** One epoch as the chart draws it: the balance against the proven bounds, the fund, the waterfall. */
export interface EpochPoint {
  epoch: number;
  status?: EpochStatus;
  poolBalance?: bigint;
  stressTotal?: bigint;
  markTotal?: bigint;
  insuranceFund?: bigint;
  /** The LPs' NAV at the end of the epoch's window. */
  lpCapital?: bigint;
  /** NAV per share at the epoch's opening (docs/design.md §11), as a decimal. */
  navPerShare?: string;
  /** Sums over the epoch's waterfall steps (liquidations and the opening's write-offs). */
  penalties: bigint;
  fundDrawn: bigint;
  lpWrittenDown: bigint;
  leftToHaircut: bigint;
}

export interface PoolAudit {
  pool: string;
  epochs: AuditReport[];
  points: EpochPoint[];
  /** Disagreements of the waterfall replay not tied to one epoch (e.g. an InsuranceFunded total). */
  problems: string[];
  ok: boolean;
}

export interface PoolAuditOptions {
  history: PoolHistory;
  circuits: AuditCircuits;
  verify: ProofVerifier;
  /** The published risk table of an epoch, when the auditor has it (a file, a URL beside the page). */
  table: (epoch: number) => Promise<RiskTable | undefined>;
  /** A trader's account, checked against the epoch its path is for (or the latest accepted one). */
  account?: AccountToCheck;
  /** Called as each epoch's audit completes (the page shows progress). */
  onEpoch?: (report: AuditReport) => void;
}

/** Audits every epoch the pool published, from one read of its history. */
export async function auditPoolWith(options: PoolAuditOptions): Promise<PoolAudit> {
  const { history } = options;
  const epochs: AuditReport[] = [];
  const accountEpoch = options.account?.epoch ?? history.snapshot.latestAcceptedEpoch;
  for (const epoch of publishedEpochs(history)) {
    const riskTable = await options.table(epoch);
    const report = await auditEpochWith({
      history, epoch, circuits: options.circuits, verify: options.verify, riskTable,
      account: options.account && epoch === accountEpoch ? options.account : undefined,
    });
    epochs.push(report);
    options.onEpoch?.(report);
  }
  const points = epochs.map((r): EpochPoint => {
    const steps = [...(r.opening?.steps ?? []), ...r.liquidations.flatMap((l) => l.steps)];
    const sum = (stage: WaterfallStage): bigint => steps.filter((s) => s.stage === stage).reduce((t, s) => t + s.expected, 0n);
    return {
      epoch: r.epoch, status: r.status, poolBalance: r.poolBalanceAtAcceptance, stressTotal: r.stressTotal, markTotal: r.markTotal,
      insuranceFund: r.insuranceFundAtEnd, lpCapital: r.lpCapitalAtEnd, navPerShare: r.navPerShare,
      penalties: sum("penalty"), fundDrawn: sum("insuranceFund"), lpWrittenDown: sum("lpCapital"), leftToHaircut: sum("haircut"),
    };
  });
  const problems = history.waterfall.problems;
  return { pool: history.reader.address, epochs, points, problems, ok: problems.length === 0 && epochs.every((e) => e.ok) };
}
