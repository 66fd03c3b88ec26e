import { findCircuit, portfolioParams } from "../protocol/circuitCatalog.js";
import type { ProofVerifier } from "../protocol/checkProof.js";
import { liquidationStatement } from "../protocol/liquidation.js";
import { marginStatement } from "../protocol/margin.js";
import { type EpochStatus, eventsNamed, haircutRatio, navPerShare, type PoolEvent } from "../protocol/poolEvents.js";
import { batchChainProblem, batchLinkProblem, type BatchStatement, batchStatement } from "../protocol/solvency.js";
import { commitRiskTable } from "../risk/riskCommitment.js";
import type { RiskTable } from "../risk/riskEngine.js";
import { type AccountCheck, type AccountToCheck, checkAccount } from "./accountCheck.js";
import { type Haircut, haircutPayment } from "./epochStatus.js";
import { auditFrozen, type FrozenAudit } from "./frozenAudit.js";
import type { PoolReader, PoolSnapshot } from "./poolReader.js";
import { type LiquidationAudit, type OpeningAudit, replayWaterfall, type WaterfallReplay } from "./waterfall.js";

export type { ProofVerifier };

/** The circuits whose verification keys the pool's verifiers were generated from. */
export interface AuditCircuits {
  margin: string;
  solvency: string;
  /** The liquidation circuit (docs/design.md §9); without it, liquidation proofs are reported as not re-verified. */
  liquidation?: string;
  /** The risk-table circuit (issue 17); without it, the epoch's table proof is reported as not re-verified. */
  riskTable?: string;
  /** The exit circuit (docs/design.md §12); without it, exit proofs of a frozen pool are reported as not re-verified. */
  exit?: string;
}

/** One thing the auditor checked. `what` states what holds when `ok`. */
export interface AuditCheck {
  ok: boolean;
  what: string;
  /** Why it failed, or the figure it rests on. */
  detail?: string;
  /** For a re-verified proof: the transaction that carried it. */
  transactionHash?: string;
  /** For a re-verified proof: which kind. */
  proof?: "riskTable" | "solvency" | "settlement" | "liquidation" | "exit";
}

/** What an auditor concludes about one epoch, from public data only. */
export interface AuditReport {
  pool: string;
  epoch: number;
  riskRootOnChain?: bigint;
  /** Re-derived from the published table, when one was given. */
  riskRootFromTable?: bigint;
  /** From the epoch's EpochOpened event (its last solvency batch). */
  accountsRoot?: bigint;
  /** The proven stress bound (max over mark and every scenario). */
  stressTotal?: bigint;
  /** The proven mark bound (docs/design.md §9; undefined on a pool without it). */
  markTotal?: bigint;
  poolBalanceAtAcceptance?: bigint;
  /** Solvent, stressed (LP withdrawals frozen) or haircut, recomputed from the opening's public figures. */
  status?: EpochStatus;
  /** A Haircut epoch's haircut: settlements pay amount × num / den. */
  haircut?: Haircut;
  /** The haircut as a decimal, e.g. "0.8731". */
  haircutRatio?: string;
  /** The opening recomputed (status, epoch-level write-offs, the LPs' NAV and request batches). */
  opening?: OpeningAudit;
  /** NAV per share at the opening, (nav + 1) / (supply + 1) as a decimal, or "no shares" (docs/design.md §11). */
  navPerShare?: string;
  /** Every liquidation of the epoch, its waterfall recomputed. */
  liquidations: LiquidationAudit[];
  /** The insurance fund and LP capital at the end of the epoch's window (next opening, or now). */
  insuranceFundAtEnd?: bigint;
  lpCapitalAtEnd?: bigint;
  /** Solvency batches accepted on-chain for the epoch. */
  batches: number;
  /** The batches form one chain 0..K-1, the last one `isLast`, and the epoch was opened. */
  solvencyChainComplete: boolean;
  settlements: number;
  settledAmount: bigint;
  /** What the settlements actually paid (less than settledAmount in a Haircut epoch). */
  paidAmount: bigint;
  settlementOpen: boolean;
  poolBalance: bigint;
  latestAcceptedEpoch?: number;
  /** poolBalance - stressTotal, plainly. */
  balanceLessBound?: bigint;
  /** Trader deposits no accepted bound covers yet (only for the latest accepted epoch, as below). */
  uncoveredDeposits?: bigint;
  /** What the pool must hold now: bound - this epoch's settlements + uncovered deposits. */
  mustHold?: bigint;
  /** poolBalance - mustHold (only for the latest accepted Solvent epoch: a later bound governs older ones). */
  headroom?: bigint;
  /** With an account: its leaf is under the epoch's accounts root. */
  accountIncluded?: boolean;
  account?: AccountCheck;
  /** The pool froze after this epoch (docs/design.md §12): its exits re-verified, what is left for the LPs. */
  frozen?: FrozenAudit;
  checks: AuditCheck[];
  /** Every check holds. */
  ok: boolean;
  /** The failed checks, one line each. */
  problems: string[];
}

/** The pool's public history, read once and shared by the audits of all its epochs. */
export interface PoolHistory {
  reader: PoolReader;
  fromBlock: number;
  events: PoolEvent[];
  snapshot: PoolSnapshot;
  waterfall: WaterfallReplay;
}

/**
 * Reads the pool's events from `fromBlock`, its state now, and replays the loss waterfall
 * from the fund and LP capital it had just before `fromBlock`.
 */
export async function loadPoolHistory(reader: PoolReader, fromBlock = 0): Promise<PoolHistory> {
  const [events, snapshot, start] = await Promise.all([reader.events(fromBlock), reader.snapshot(), reader.fundsAt(fromBlock - 1)]);
  return { reader, fromBlock, events, snapshot, waterfall: replayWaterfall(events, start) };
}

export interface EpochAuditOptions {
  history: PoolHistory;
  epoch: number;
  circuits: AuditCircuits;
  verify: ProofVerifier;
  /** The risk table the oracle published for the epoch. */
  riskTable?: RiskTable;
  /** A trader's own account opening and inclusion path. */
  account?: AccountToCheck;
}

/**
 * The auditor (docs/design.md §2): anyone, with nothing but the chain, the published risk table and —
 * as a trader — their own account file. Rebuilds the epoch from the pool's events; re-derives
 * the risk root from the table; re-verifies every solvency batch, settlement and liquidation
 * proof from the transactions' own calldata (no operator data needed); checks the batches
 * chain 0..K-1 ending in the last one; recomputes the epoch's status (solvent / stressed /
 * haircut) and haircut, every settlement's payment and every liquidation's waterfall from
 * public figures (docs/design.md §9); checks the balance covers what a Solvent latest epoch still owes;
 * and checks the trader's account is in the accounts root — the operator is trusted with the
 * ledger, and an omitted or altered account is caught only by its owner, here.
 * Browser-safe: the chain, the keys and the verifier are all injected.
 */
export async function auditEpochWith(options: EpochAuditOptions): Promise<AuditReport> {
  const { history, epoch, circuits, verify } = options;
  const { reader, events, snapshot: state, waterfall } = history;
  const margin = portfolioParams(findCircuit(circuits.margin));
  const named = <N extends PoolEvent["name"]>(name: N) => eventsNamed(events, name, epoch);
  const [published] = named("RiskPublished");
  const [opened] = named("EpochOpened");
  const batches = named("SolvencyBatchAccepted");
  const settled = named("Settled");
  const opening = waterfall.openings.get(epoch);
  const atEnd = waterfall.fundsAtEnd.get(epoch);
  const r: AuditReport = {
    pool: reader.address, epoch, riskRootOnChain: published?.args.riskRoot, accountsRoot: opened?.args.accountsRoot,
    stressTotal: opened?.args.stressTotal, markTotal: opened?.args.markTotal, poolBalanceAtAcceptance: opened?.args.poolBalance,
    status: opening?.status, haircut: opening?.haircut, haircutRatio: opening?.haircut && haircutRatio(opening.haircut.num, opening.haircut.den), opening,
    navPerShare: opening?.navEmitted === undefined ? undefined : opening.supply === 0n ? "no shares" : navPerShare(opening.nav, opening.supply),
    liquidations: waterfall.liquidations.filter((l) => l.epoch === epoch),
    insuranceFundAtEnd: state.insuranceFund === undefined ? undefined : atEnd?.insuranceFund, lpCapitalAtEnd: atEnd?.lpCapital,
    batches: batches.length, solvencyChainComplete: false, settlements: settled.length,
    settledAmount: settled.reduce((t, s) => t + s.args.amount, 0n), paidAmount: settled.reduce((t, s) => t + (s.args.paid ?? s.args.amount), 0n),
    settlementOpen: opened !== undefined && named("EpochClosed").length === 0,
    poolBalance: state.poolBalance, latestAcceptedEpoch: state.latestAcceptedEpoch, checks: [], ok: false, problems: [],
  };
  const check = (ok: boolean, what: string, detail?: string, extra: Partial<AuditCheck> = {}): boolean => {
    r.checks.push({ ok, what, detail, ...extra });
    return ok;
  };
  /** Re-verifies the proof a transaction carried; undefined when valid, else why not. */
  const reverify = async (hash: string, method: string, circuit: string | undefined, signals: string[]): Promise<string | undefined> => {
    if (!circuit) return "no verification key for this proof kind was given";
    const proof = await reader.proofFromCalldata(hash, method);
    if (typeof proof === "string") return proof;
    return (await verify(circuit, signals, proof)) ? undefined : "proof does not verify";
  };

  // 1. risk root
  const riskRoot = published?.args.riskRoot;
  check(riskRoot !== undefined, `risk root of epoch ${epoch} published`,
    riskRoot?.toString() ?? `no RiskPublished event${history.fromBlock ? ` since block ${history.fromBlock}` : ""}`);
  if (riskRoot === undefined) return finish(r);
  const tableWhy = await reverify(published.transactionHash, "publishRisk", circuits.riskTable, [String(epoch), riskRoot.toString()]);
  check(!tableWhy, `risk-table proof re-verified (${circuits.riskTable ?? "no risk-table circuit"}): riskRoot commits to one table, every value in range, perps at mark 0`,
    tableWhy, { transactionHash: published.transactionHash, proof: "riskTable" });
  const table = options.riskTable;
  if (table) {
    r.riskRootFromTable = commitRiskTable(table, margin.logInstruments).riskRoot;
    check(table.epoch === epoch && r.riskRootFromTable === riskRoot, "riskRoot re-derived from the published table matches the on-chain one",
      table.epoch !== epoch ? `the table is for epoch ${table.epoch}` : r.riskRootFromTable === riskRoot ? undefined : `the table hashes to ${r.riskRootFromTable}`);
  }

  // 2. solvency batches: one chain (src/protocol/solvency.ts), each proof re-verified from its calldata
  const statements = batches.map((b): BatchStatement => ({ ...b.args, riskRoot }));
  const chainProblem = batchChainProblem(statements);
  const chained = chainProblem === undefined;
  for (const [k, b] of batches.entries()) {
    const link = batchLinkProblem(statements, k);
    const why = [link,
      await reverify(b.transactionHash, "postSolvency", circuits.solvency, batchStatement.signals(statements[k]))].filter(Boolean).join("; ");
    check(!why, `solvency batch ${b.args.batchIndex} re-verified (${circuits.solvency})`, why || undefined, { transactionHash: b.transactionHash, proof: "solvency" });
  }
  const last = batches.at(-1)?.args;
  r.solvencyChainComplete = chained && last?.isLast === true && opened !== undefined;
  check(r.solvencyChainComplete, `epoch ${epoch}'s solvency accepted: batches 0..K-1 chained, the last one opened the epoch`,
    !last ? "no solvency batch accepted" : !last.isLast ? `${batches.length} batch(es) accepted, the last one not yet`
    : !chained ? `the batches do not form one chain: ${chainProblem}` : !opened ? "no EpochOpened event" : `${batches.length} batch(es)`);

  // 3. the epoch's status and the epoch-level waterfall, recomputed from the opening's figures
  if (opening) {
    const figures = `assets ${opening.poolBalance}, stress total ${opening.stressTotal}${opening.markTotal === undefined ? "" : `, mark total ${opening.markTotal}`}`;
    const lp = opening.navEmitted === undefined ? ""
      : opening.supply === 0n ? `; LP NAV ${opening.nav}, no shares outstanding, and its request batches`
      : `; LP NAV ${opening.nav} for ${opening.supply} shares, ${r.navPerShare} per share, and its request batches`;
    check(!opening.mismatch, `epoch ${epoch} opened ${opening.status}${opening.haircut ? ` with haircut ${r.haircutRatio}` : ""}${lp} (recomputed from public figures)`,
      opening.mismatch ?? figures);
    if (opening.haircut) {
      const stored = await reader.epochStatus(epoch);
      if (stored) {
        const same = stored.status === "haircut" && stored.haircutNum === opening.haircut.num && stored.haircutDen === opening.haircut.den;
        check(same, "the pool stores the same status and haircut", same ? undefined
          : `stored ${stored.status} ${stored.haircutNum}/${stored.haircutDen}, recomputed haircut ${opening.haircut.num}/${opening.haircut.den}`);
      }
    }
  }

  // 4. settlements: each margin proof re-verified from its calldata, each payment recomputed
  for (const s of settled) {
    const { nullifier, recipient, amount, paid } = s.args;
    const signals = marginStatement.signals({ epoch, riskRoot, accountsRoot: r.accountsRoot ?? 0n, nullifier, recipient, amount });
    const why = await reverify(s.transactionHash, "settle", circuits.margin, signals);
    const due = haircutPayment(amount, r.haircut);
    const payWhy = paid !== undefined && paid !== due ? `paid ${paid}, the haircut rule gives ${due}` : undefined;
    const detail = [why, payWhy].filter(Boolean).join("; ") || (paid !== undefined && paid !== amount ? `paid ${paid} after the haircut` : undefined);
    check(!why && !payWhy, `settlement of ${amount} to ${recipient} re-verified (${circuits.margin})`, detail, { transactionHash: s.transactionHash, proof: "settlement" });
  }

  // 5. liquidations: each proof re-verified, each waterfall step recomputed
  for (const l of r.liquidations) {
    const signals = liquidationStatement.signals({ epoch, riskRoot, accountsRoot: r.accountsRoot ?? 0n, tag: l.tag, penalty: l.penalty, deficit: l.deficit });
    const why = await reverify(l.transactionHash, "liquidate", circuits.liquidation, signals);
    check(!why, `liquidation (penalty ${l.penalty}, deficit ${l.deficit}) re-verified (${circuits.liquidation ?? "no liquidation circuit"})`, why,
      { transactionHash: l.transactionHash, proof: "liquidation" });
    const [penalty, drawn, written, left] = l.steps.map((x) => x.expected);
    check(!l.mismatch, `liquidation waterfall recomputed: penalty ${penalty} into the fund, fund drawn ${drawn}, LP capital written down ${written}, left to the haircut ${left}`,
      l.mismatch, { transactionHash: l.transactionHash });
  }

  // 6. balance against the bound, for the latest accepted epoch (a later bound governs older ones)
  if (opened) {
    const bound = opened.args.stressTotal;
    r.balanceLessBound = state.poolBalance - bound;
    // A frozen pool pays its claims out under the escape hatch's rules (checked in 7 instead).
    if (state.latestAcceptedEpoch === epoch && named("Frozen").length === 0) {
      // A settlement pays a compliant account out of its own equity, so it lowers the proven
      // liabilities by what it pays; trader deposits since the risk was published are owed on
      // top of the bound. The contract locks the same amount against LP withdrawals.
      r.uncoveredDeposits = state.unboundDeposits;
      r.mustHold = bound - r.settledAmount + state.unboundDeposits;
      if (r.status === undefined || r.status === "solvent") {
        r.headroom = state.poolBalance - r.mustHold;
        check(r.headroom >= 0n, "pool balance now covers the bound less this epoch's settlements, plus deposits no bound covers yet",
          r.headroom >= 0n ? undefined : `balance ${state.poolBalance}, must hold ${r.mustHold}`);
      }
    }
  }

  // 7. a freeze after this epoch: every exit re-verified and its payment recomputed, the LPs' take bounded
  r.frozen = await auditFrozen({
    events, epoch, accountsRoot: r.accountsRoot, riskRoot, markTotal: r.markTotal, haircut: r.haircut,
    reverify: (hash, signals) => reverify(hash, "exit", circuits.exit, signals),
    check: (c) => { check(c.ok, c.what, c.detail, c.transactionHash ? { transactionHash: c.transactionHash, proof: c.what.startsWith("exit") ? "exit" : undefined } : {}); },
  });

  // 8. the trader's own account
  if (options.account) {
    r.account = checkAccount(options.account, epoch, r.accountsRoot, margin, events, table);
    r.accountIncluded = r.account.included;
    check(r.account.included, `your account (leaf ${r.account.index}) is in epoch ${epoch}'s accountsRoot`, r.account.why);
  }
  return finish(r);
}

function finish(r: AuditReport): AuditReport {
  r.problems = r.checks.filter((c) => !c.ok).map((c) => `${c.what}: FAILED${c.detail ? ` (${c.detail})` : ""}`);
  r.ok = r.problems.length === 0;
  return r;
}

/** Every epoch the pool published, in order. */
export function publishedEpochs(history: PoolHistory): number[] {
  return eventsNamed(history.events, "RiskPublished").map((e) => e.args.epoch);
}
