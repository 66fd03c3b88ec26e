import type { ProgressBoard } from "../io/progress.js";
import { Contract, type JsonRpcProvider, type Signer } from "ethers";
import { accountCommitment, newTraderAccount, type Position, type TraderAccount } from "../accounts/account.js";
import { MerkleTree } from "../crypto/merkleTree.js";
import { auditEpoch, type AuditReport, formatAuditReport } from "../auditor/auditEpoch.js";
import { type Chain, devWallet } from "../chain/localChain.js";
import { deployPool, PoolError, type PoolCircuits, type RiskSharingPoolClient, type TxResult } from "../chain/riskSharingPool.js";
import { loadCircuitArtifacts } from "../artifacts/manifest.js";
import { proveSolvency } from "../operator/proveSolvency.js";
import { liabilityTotals } from "../operator/solvencyTotals.js";
import { proveRiskTable } from "../oracle/riskTableProof.js";
import { commitRiskTable } from "../risk/riskCommitment.js";
import { computeRiskTable, type RiskTable } from "../risk/riskEngine.js";
import { columnLabel } from "../risk/scenarios.js";
import { MarginShortfallError, proveMargin } from "../trader/proveMargin.js";
import { demoSnapshot, instrumentIndex } from "./demoMarket.js";
import { type EscapeActResult, runEscapeAct } from "./escapeAct.js";
import { claimLpDeposit, type LpActResult, requestLpDeposit } from "./lpAct.js";
import { type Liquidation, liquidateBreaches, runShockEpoch, type ShockEpochResult } from "./shockEpoch.js";

const USD = 1_000_000n; // the demo token has 6 decimals

export interface DemoOptions {
  /** Live progress of the long proofs (none: only their summary lines). */
  board?: ProgressBoard;
  chain: Chain;
  circuits: PoolCircuits;
  epoch?: number;
  /** Extra background traders (ledger accounts funded by one depositor), to show chained batches. */
  backgroundTraders?: number;
  log?: (line: string) => void;
}

export interface DemoResult {
  pool: string;
  gas: Record<string, bigint>;
  postSolvencyGas: bigint[];
  timings: Record<string, number>;
  /** Per scenario: pool balance minus the operator's private liability total. */
  headroom: { column: string; liabilities: bigint; headroom: bigint }[];
  audit: AuditReport;
  /** Epoch 1's liquidation pass (accounts already below their requirement). */
  liquidations: Liquidation[];
  /** The market-shock epoch: liquidations run down the waterfall. */
  shock: ShockEpochResult;
  shockAudit: AuditReport;
  firstSettlementMs: number;
  /** The LP act: a deposit requested in epoch 1, executed at epoch 2's NAV per share. */
  lp: LpActResult;
  /** The last act: the operator goes silent, the pool is frozen, everyone exits (undefined on a chain without evm_increaseTime). */
  escape?: EscapeActResult;
}

interface Trader {
  name: string;
  wallet: Signer & { address: string };
  account: TraderAccount;
}

function usd(x: bigint): string {
  const sign = x < 0n ? "-" : "";
  const a = x < 0n ? -x : x;
  return `${sign}${(a / USD).toLocaleString("en-US")}.${(a % USD).toString().padStart(6, "0").slice(0, 2)}`;
}

/**
 * Two epochs of the pool, end to end (docs/design.md §7, §9). Epoch 1: LPs and traders deposit, the
 * protocol seeds the insurance fund, the oracle publishes the risk table, the operator proves
 * solvency and posts every batch, a compliant trader withdraws with a margin proof, an
 * under-margined trader is refused (no proof can be made, and forged or replayed proofs are
 * refused on-chain) and then liquidated with a proof (his penalty feeds the insurance fund), and
 * the epoch is audited from public data. Epoch 2: a market shock; perps settle to the new mark,
 * an account goes under water and is liquidated with a proof, the insurance fund absorbs its
 * deficit, and the audit shows the waterfall step by step.
 */
export async function runDemoEpoch(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const { chain, circuits } = options;
  const epoch = options.epoch ?? 1;
  const started = Date.now();
  const provider = chain.provider as JsonRpcProvider;
  const wallet = (i: number) => devWallet(i, provider);
  const [admin, oracle, operator, lp1, lp2] = [0, 1, 2, 3, 4].map(wallet);
  const gas: Record<string, bigint> = {};
  const timings: Record<string, number> = {};

  log(`\n— deploy (admin ${admin.address})`);
  const deployment = await deployPool({ signer: admin, oracle: oracle.address, operator: operator.address, circuits });
  for (const d of deployment.deployed) {
    gas[`deploy ${d.name}`] = d.gasUsed;
    log(`  ${d.name.padEnd(20)} ${d.address}  gas ${d.gasUsed.toLocaleString("en-US")}`);
  }
  const poolAs = (s: Signer): RiskSharingPoolClient => deployment.pool.connect(s);
  const token = new Contract(deployment.token, ["function mint(address,uint256)"], admin);
  const fund = async (who: Signer & { address: string }, amount: bigint): Promise<void> => {
    await (await (token.mint(who.address, amount) as Promise<{ wait(): Promise<unknown> }>)).wait();
    await poolAs(who).approveToken(amount);
  };

  log("\n— liquidity providers deposit");
  for (const [lp, amount] of [[lp1, 400_000n * USD], [lp2, 250_000n * USD]] as const) {
    await fund(lp, amount);
    const r = await poolAs(lp).depositLiquidity(amount);
    gas.depositLiquidity = r.gasUsed;
    log(`  LP ${lp.address} deposits ${usd(amount)} tUSD`);
  }

  const insurance = 5_000n * USD;
  await fund(admin, insurance);
  const seeded = await poolAs(admin).fundInsurance(insurance);
  gas.fundInsurance = seeded.gasUsed;
  log(`  the protocol treasury seeds the insurance fund with ${usd(insurance)} tUSD`);

  const snapshot = demoSnapshot(epoch);
  const ix = (id: string): number => instrumentIndex(snapshot, id);
  const p = (id: string, quantity: bigint): Position => ({ instrument: ix(id), quantity });
  const traders: Trader[] = [
    { name: "alice", wallet: wallet(5), account: newTraderAccount(24_000n * USD, [p("ETH-PERP", 4n), p("ETH-3250-C", -2n), p("BTC-55000-P", 1n)]) },
    { name: "bob", wallet: wallet(6), account: newTraderAccount(60_000n * USD, [p("BTC-FUT-Q", -1n), p("BTC-60000-C", 2n), p("ETH-2750-P", -5n)]) },
    { name: "carol", wallet: wallet(7), account: newTraderAccount(18_000n * USD, [p("ETH-PERP", -3n), p("BTC-PERP", 1n), p("ETH-3000-C", 3n)]) },
    { name: "dave", wallet: wallet(8), account: newTraderAccount(2_500n * USD, [p("ETH-3000-C", -10n), p("ETH-PERP", 2n)]) },
    { name: "erin", wallet: wallet(9), account: newTraderAccount(3_035n * USD, [p("ETH-3000-C", -5n)]) },
  ];
  log("\n— traders deposit collateral (the operator credits each account in its private ledger)");
  for (const t of traders) {
    await fund(t.wallet, t.account.collateral);
    const r = await poolAs(t.wallet).depositCollateral(t.account.collateral);
    gas.depositCollateral = r.gasUsed;
    log(`  ${t.name.padEnd(6)} deposits ${usd(t.account.collateral).padStart(10)} tUSD, ${t.account.positions.length} positions (private)`);
  }
  const background = Array.from({ length: options.backgroundTraders ?? 14 }, (_, i) =>
    newTraderAccount(BigInt(5_000 + 1_000 * i) * USD, [p("ETH-PERP", BigInt((i % 5) - 2)), p(`ETH-${2250 + 250 * (i % 7)}-P`, 1n)]));
  if (background.length > 0) {
    const desk = wallet(9);
    const total = background.reduce((s, a) => s + a.collateral, 0n);
    await fund(desk, total);
    await poolAs(desk).depositCollateral(total);
    log(`  ${background.length} more traders deposit ${usd(total)} tUSD through one desk`);
  }

  log(`\n— epoch ${epoch}: the risk oracle publishes the risk table (${snapshot.instruments.length} instruments x 16 SPAN scenarios + mark)`);
  const table: RiskTable = computeRiskTable(snapshot);
  const tableProof = await proveRiskTable(table, circuits.riskTable);
  timings.riskTableProveMs = tableProof.timings.witnessMs + tableProof.timings.proveMs;
  const riskRoot = tableProof.statement.riskRoot;
  const published = await poolAs(oracle).publishRisk(tableProof);
  gas.publishRisk = published.gasUsed;
  log(`  riskRoot ${riskRoot}, with its risk-table proof (both halves one table, every value in range, perps at mark 0)`);
  log(`  proof in ${(timings.riskTableProveMs / 1000).toFixed(1)} s; publishRisk gas ${published.gasUsed.toLocaleString("en-US")}`);

  log("\n— the operator proves pool solvency (accounts, their number and the totals stay private)");
  const ledger = [...traders.map((t) => t.account), ...background];
  const poolBalance = await deployment.pool.poolBalance();
  const solvencyInstance = loadCircuitArtifacts(circuits.solvency).instance;
  if (solvencyInstance.kind !== "solvency") throw new Error(`${circuits.solvency} is not a solvency circuit`);
  const plan = solvencyInstance.params;
  const t0 = Date.now();
  const batchProgress = options.board?.start("  solvency batch proofs");
  const solvency = await proveSolvency(ledger, table, {
    circuit: circuits.solvency,
    onProgress: (done, total) => batchProgress?.update(done, total),
  }).finally(() => batchProgress?.end());
  timings.solvencyProveMs = Date.now() - t0;
  log(`  ${ledger.length} accounts in ${solvency.proof.batches.length} batches of ${2 ** plan.logBatch}, proven in ${(timings.solvencyProveMs / 1000).toFixed(1)} s; exact stress total ${usd(solvency.proof.stressTotal)} tUSD, mark total ${usd(solvency.proof.markTotal)} tUSD, pool balance ${usd(poolBalance)} tUSD`);
  const posted = await poolAs(operator).postSolvencyEpoch(solvency.proof);
  posted.forEach((r: TxResult, k: number) => log(`  postSolvency batch ${k}: gas ${r.gasUsed.toLocaleString("en-US")}`));

  log("\n— alice withdraws 3,000 tUSD with a margin proof made on her machine");
  const tree = new MerkleTree(plan.depth, ledger.map((a) => accountCommitment(a, plan.positions)));
  const alice = traders[0];
  const t1 = Date.now();
  const aliceProof = await proveMargin({
    account: alice.account, accountPath: tree.path(0), accountsRoot: tree.root, riskTable: table, epoch,
    recipient: alice.wallet.address, amount: 3_000n * USD,
  }, circuits.margin);
  timings.marginProveMs = Date.now() - t1;
  timings.marginWitnessMs = aliceProof.timings.witnessMs;
  const dave = traders[3];
  const refused = async (what: string, attempt: Parameters<RiskSharingPoolClient["settle"]>[0]): Promise<void> => {
    try {
      await poolAs(dave.wallet).settle(attempt);
    } catch (err) {
      if (!(err instanceof PoolError)) throw err;
      log(`  ${what}: refused with ${err.errorName}`);
      return;
    }
    throw new Error(`${what} should have been refused`);
  };
  // A front-runner copying alice's proof from the mempool cannot redirect the payment.
  await refused("dave front-runs alice's proof with himself as recipient", { ...aliceProof, statement: { ...aliceProof.statement, recipient: dave.wallet.address } });
  const before = await deployment.pool.tokenBalanceOf(alice.wallet.address);
  const settled = await poolAs(alice.wallet).settle(aliceProof);
  const firstSettlementMs = Date.now() - started;
  gas.settle = settled.gasUsed;
  const after = await deployment.pool.tokenBalanceOf(alice.wallet.address);
  log(`  proof in ${(timings.marginProveMs / 1000).toFixed(2)} s (witness ${aliceProof.timings.witnessMs} ms); settle gas ${settled.gasUsed.toLocaleString("en-US")}; alice received ${usd(after - before)} tUSD`);
  await refused("alice's proof replayed", aliceProof);

  log("\n— dave is under-margined: his own prover refuses to make a proof");
  try {
    await proveMargin({ account: dave.account, accountPath: tree.path(3), accountsRoot: tree.root, riskTable: table, epoch, recipient: dave.wallet.address, amount: 500n * USD }, circuits.margin);
    throw new Error("dave's margin proof should have been refused");
  } catch (err) {
    if (!(err instanceof MarginShortfallError)) throw err;
    log(`  prover refused: short by ${usd(err.shortfall)} tUSD in ${err.label}`);
  }

  log("\n— the operator liquidates accounts below their requirement, each with a proof (docs/design.md §9)");
  const named = [...traders.map((t) => ({ name: t.name, account: t.account })), ...background.map((a, i) => ({ name: `trader ${i + 1}`, account: a }))];
  const liquidations = await liquidateBreaches({ circuits, operator: poolAs(operator), epoch, table, ledger: named, tree, log, usd });
  for (const l of liquidations) gas.liquidate = l.gasUsed;

  log("\n— audit from public data (events, calldata, the published table) and alice's own account file");
  const audit = await auditEpoch({
    pool: deployment.pool, provider, epoch, circuits, riskTable: table, account: { opening: alice.account, path: tree.path(0) },
  });
  log(formatAuditReport(audit));

  log(`\n— LP capital at its proven value (docs/design.md §11)`);
  await fund(lp2, 100_000n * USD);
  const lpRequest = await requestLpDeposit(poolAs(lp2), epoch, 100_000n * USD, log, usd);

  // Epoch 2: ETH rallies 25% and its volatility jumps; liquidated accounts left the ledger.
  const base = demoSnapshot(epoch + 1, 3750, 57_000);
  const shocked = { ...base, underlyings: base.underlyings.map((u) => ({ ...u, vol: u.vol + (u.symbol === "ETH" ? 0.2 : 0.05) })) };
  const gone = new Set(liquidations.map((l) => l.name));
  const shock = await runShockEpoch({
    circuits, oracle: poolAs(oracle), operator: poolAs(operator), previous: snapshot, snapshot: shocked, log, usd,
    ledger: named.filter((e) => !gone.has(e.name)),
  });
  log(`\n— the LP's deposit request, at epoch ${shock.epoch}'s opening`);
  const lpAct = await claimLpDeposit(poolAs(lp2), lpRequest, log, usd);
  Object.assign(gas, lpAct.gas);
  log(`\n— audit of epoch ${shock.epoch} from public data: status, liquidations and the waterfall`);
  const shockTable = computeRiskTable(shocked);
  const shockAudit = await auditEpoch({ pool: deployment.pool, provider, epoch: shock.epoch, circuits, riskTable: shockTable });
  log(formatAuditReport(shockAudit));
  const balance = await deployment.pool.poolBalance();

  log(`\n— the operator goes silent: the escape hatch (docs/design.md §12)`);
  const byName = new Map(traders.map((t) => [t.name, t.wallet]));
  const secrets = new Map(named.map((e) => [e.name, e.account.secret]));
  const secretOf = (name: string): bigint => {
    const secret = secrets.get(name);
    if (secret === undefined) throw new Error(`no account file for ${name}`);
    return secret;
  };
  const escape = await runEscapeAct({
    circuits, provider, stranger: poolAs(traders[2].wallet), freezer: traders[2].name, epoch: shock.epoch, table: shockTable, tree: shock.tree,
    // Each owner's account file of the epoch: the operator's opening and the owner's own secret.
    ledger: shock.ledger.map((e) => ({ name: e.name, account: { ...e.account, secret: secretOf(e.name) } })),
    lps: [{ name: "LP 1", pool: poolAs(lp1), address: lp1.address }, { name: "LP 2", pool: poolAs(lp2), address: lp2.address }],
    recipientOf: (name) => byName.get(name) ?? wallet(9), log, usd,
  });
  if (escape) {
    Object.assign(gas, escape.gas);
    timings.exitProveMs = escape.exitProveMs;
  }

  const totals = solvency.totals;
  const headroom = totals.map((t, s) => ({ column: columnLabel(s), liabilities: t, headroom: balance - t }));
  return {
    pool: deployment.pool.address, gas, postSolvencyGas: posted.map((r) => r.gasUsed), timings, headroom, audit, liquidations, shock, shockAudit, firstSettlementMs,
    lp: lpAct, escape,
  };
}

/** The final report table of the demo. */
export function formatDemoReport(r: DemoResult): string {
  const g = (x: bigint): string => x.toLocaleString("en-US").padStart(10);
  const lines = [
    "\n=== report ===",
    "proof times",
    `  margin proof (witness + Groth16)      ${((r.timings.marginProveMs ?? 0) / 1000).toFixed(2)} s`,
    `  solvency proof (all batches)          ${((r.timings.solvencyProveMs ?? 0) / 1000).toFixed(2)} s`,
    `  risk-table proof (once per epoch)     ${((r.timings.riskTableProveMs ?? 0) / 1000).toFixed(2)} s`,
    "gas (from transaction receipts)",
    ...Object.entries(r.gas).map(([k, v]) => `  ${k.padEnd(36)} ${g(v)}`),
    ...r.postSolvencyGas.map((v, k) => `  ${`postSolvency batch ${k}`.padEnd(36)} ${g(v)}`),
    "solvency per scenario (operator's view; the public sees only the bound)",
    ...r.headroom.map((h) => `  ${h.column.padEnd(44)} liabilities ${usd(h.liabilities).padStart(12)}  headroom ${usd(h.headroom).padStart(12)}`),
    `liquidations (tag, penalty to the insurance fund, deficit down the waterfall)`,
    ...[...r.liquidations.map((l) => ({ ...l, epoch: r.shock.epoch - 1 })), ...r.shock.liquidations.map((l) => ({ ...l, epoch: r.shock.epoch }))].map((l) =>
      `  epoch ${l.epoch} ${l.name.padEnd(10)} penalty ${usd(l.penalty).padStart(10)}  deficit ${usd(l.deficit).padStart(10)}  proof ${(l.proveMs / 1000).toFixed(1)} s  gas ${l.gasUsed.toLocaleString("en-US")}`),
    `LP request: ${usd(r.lp.amount)} tUSD requested in epoch ${r.lp.requestedIn} (NAV per share ${r.lp.navPerShareThen}), ` +
      (r.lp.executedAt === undefined ? "not executed yet" : `executed at epoch ${r.lp.executedAt}'s ${r.lp.navPerShareAtExecution}: ${r.lp.shares} shares worth ${usd(r.lp.worth ?? 0n)} tUSD`),
    `audit verdict epoch ${r.shock.epoch - 1}: ${r.audit.ok ? "SOLVENT, every proof re-verified" : `PROBLEMS: ${r.audit.problems.join("; ")}`}`,
    `audit verdict epoch ${r.shock.epoch}: ${r.shockAudit.ok ? "every proof re-verified, waterfall recomputed" : `PROBLEMS: ${r.shockAudit.problems.join("; ")}`}`,
    r.escape
      ? `escape hatch: frozen after epoch ${r.escape.epoch}; ${r.escape.exits.length} exits paid ${usd(r.escape.exits.reduce((s, x) => s + x.paid, 0n))} tUSD, ` +
        `LPs took ${usd(r.escape.lps.reduce((s, l) => s + l.paid, 0n))} of a ${usd(r.escape.lpSurplus)} tUSD surplus, ${r.escape.left} base units left: ` +
        (r.escape.exact ? "every party got exactly its claim" : "MISMATCH: a party did not get its claim")
      : "escape hatch: not run (the chain cannot let time pass)",
  ];
  return lines.join("\n");
}
