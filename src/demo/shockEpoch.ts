import { type AccountOpening, accountCommitment } from "../accounts/account.js";
import { MerkleTree } from "../crypto/merkleTree.js";
import { loadCircuitArtifacts } from "../artifacts/manifest.js";
import type { PoolCircuits, RiskSharingPoolClient, TxResult } from "../chain/riskSharingPool.js";
import { assessLiquidation } from "../operator/liquidationRule.js";
import { proveLiquidation } from "../operator/proveLiquidation.js";
import { proveSolvency } from "../operator/proveSolvency.js";
import { settleToMark } from "../operator/settleToMark.js";
import { liabilityTotals } from "../operator/solvencyTotals.js";
import { proveRiskTable } from "../oracle/riskTableProof.js";
import { STAGE_LABELS } from "../protocol/poolEvents.js";
import { commitRiskTable } from "../risk/riskCommitment.js";
import { computeRiskTable, type MarketSnapshot, type RiskTable } from "../risk/riskEngine.js";

export interface ShockEpochOptions {
  circuits: PoolCircuits;
  /** The pool as the risk oracle and as the operator. */
  oracle: RiskSharingPoolClient;
  operator: RiskSharingPoolClient;
  /** The previous epoch's snapshot and ledger (named accounts first). */
  previous: MarketSnapshot;
  ledger: { name: string; account: AccountOpening }[];
  /** The shocked market of the new epoch. */
  snapshot: MarketSnapshot;
  log: (line: string) => void;
  usd: (x: bigint) => string;
}

export interface ShockEpochResult {
  epoch: number;
  /** Liquidated accounts by name, with their tag, penalty, deficit and gas. */
  liquidations: { name: string; tag: bigint; penalty: bigint; deficit: bigint; gasUsed: bigint; proveMs: number }[];
  postSolvencyGas: bigint[];
  ledger: { name: string; account: AccountOpening }[];
  tree: MerkleTree;
}

/**
 * A market shock, end to end (docs/design.md §9): the oracle publishes the moved risk table; the
 * operator settles perps and futures to the new mark, re-salts every account, proves the new
 * epoch's solvency with its stress and mark bounds, then liquidates every account below its
 * requirement with a proof (liquidateBreaches).
 */
export async function runShockEpoch(options: ShockEpochOptions): Promise<ShockEpochResult> {
  const { circuits, log, usd, snapshot } = options;
  const epoch = snapshot.epoch;
  const table = computeRiskTable(snapshot);
  const solvencyInstance = loadCircuitArtifacts(circuits.solvency).instance;
  if (solvencyInstance.kind !== "solvency") throw new Error(`${circuits.solvency} is not a solvency circuit`);
  const params = solvencyInstance.params;
  const risk = commitRiskTable(table, params.logInstruments);

  log(`\n— epoch ${epoch}: market shock — the oracle publishes the moved risk table`);
  for (const u of snapshot.underlyings) {
    const before = options.previous.underlyings.find((x) => x.symbol === u.symbol);
    if (before) log(`  ${u.symbol} ${before.price} -> ${u.price} (vol ${before.vol.toFixed(2)} -> ${u.vol.toFixed(2)})`);
  }
  const published = await options.oracle.publishRisk(await proveRiskTable(table, circuits.riskTable));
  log(`  riskRoot ${risk.riskRoot}  gas ${published.gasUsed.toLocaleString("en-US")} (epoch ${epoch - 1} closes for settlement)`);

  log("  the operator settles perps and futures to the new mark and re-salts every account");
  const ledger = options.ledger.map((e) => ({ name: e.name, account: settleToMark(e.account, options.previous, snapshot) }));
  const accounts = ledger.map((e) => e.account);
  const solvency = await proveSolvency(accounts, table, { circuit: circuits.solvency });
  const posted = await options.operator.postSolvencyEpoch(solvency.proof);
  const opened = posted.flatMap((r: TxResult) => r.events).find((e) => e.name === "EpochOpened");
  if (opened?.name !== "EpochOpened") throw new Error("the last solvency batch did not open the epoch");
  log(`  solvency proven and posted: stress total ${usd(solvency.proof.stressTotal)}, mark total ${usd(solvency.proof.markTotal)} (exact), pool assets ${usd(opened.args.poolBalance)} tUSD -> epoch ${opened.args.status}`);

  const tree = new MerkleTree(params.depth, accounts.map((a) => accountCommitment(a, params.positions)));
  const liquidations = await liquidateBreaches({ ...options, table, tree, ledger, epoch });
  if (liquidations.length === 0) throw new Error("the shock liquidated no account: the demo market no longer shows the waterfall");
  return { epoch, liquidations, postSolvencyGas: posted.map((r) => r.gasUsed), ledger, tree };
}

export interface LiquidateBreachesOptions {
  circuits: PoolCircuits;
  operator: RiskSharingPoolClient;
  epoch: number;
  table: RiskTable;
  /** The epoch's ledger, in leaf order of `tree` (the posted accounts tree). */
  ledger: { name: string; account: AccountOpening }[];
  tree: MerkleTree;
  log: (line: string) => void;
  usd: (x: bigint) => string;
}

export type Liquidation = ShockEpochResult["liquidations"][number];

/**
 * The operator's liquidation pass over an open epoch: every account the rule says is below its
 * requirement in some column (E_s < R) is liquidated with a Liquidation proof; the contract's
 * waterfall steps are logged as they happen.
 */
export async function liquidateBreaches(options: LiquidateBreachesOptions): Promise<Liquidation[]> {
  const { log, usd, circuits, epoch, table, tree } = options;
  const artifacts = loadCircuitArtifacts(circuits.liquidation).instance;
  const rows = commitRiskTable(table, artifacts.params.logInstruments).rows;
  log("  the operator scans its ledger with the liquidation rule (some scenario with E_s < R)");
  const liquidations: Liquidation[] = [];
  for (const [index, entry] of options.ledger.entries()) {
    const verdict = assessLiquidation(entry.account, rows, table.scenarios);
    if (!verdict.liquidatable) continue;
    log(`  ${entry.name}: below requirement by ${usd(-verdict.minHeadroom)} tUSD in ${verdict.worstLabel}; equity at mark ${usd(verdict.equities[0])}`);
    const started = Date.now();
    const proof = await proveLiquidation(
      { account: entry.account, accountPath: tree.path(index), accountsRoot: tree.root, riskTable: table, epoch }, circuits.liquidation,
    );
    const proveMs = Date.now() - started;
    const r = await options.operator.liquidate(proof);
    const s = proof.statement;
    log(`    liquidated with proof (${(proveMs / 1000).toFixed(1)} s, gas ${r.gasUsed.toLocaleString("en-US")}): tag ${s.tag.toString().slice(0, 12)}…, penalty ${usd(s.penalty)}, deficit ${usd(s.deficit)}`);
    for (const e of r.events) {
      if (e.name === "WaterfallStep") {
        log(`      ${STAGE_LABELS[e.args.stage].padEnd(32)} ${usd(e.args.amount).padStart(12)}  -> insurance fund ${usd(e.args.insuranceFundAfter)}, LP capital ${usd(e.args.lpCapitalAfter)}`);
      }
    }
    liquidations.push({ name: entry.name, tag: s.tag, penalty: s.penalty, deficit: s.deficit, gasUsed: r.gasUsed, proveMs });
  }
  if (liquidations.length === 0) log("  no account is below its requirement");
  return liquidations;
}
