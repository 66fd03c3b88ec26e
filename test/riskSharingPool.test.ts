import { portfolioParams } from "../src/protocol/circuitCatalog.js";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Contract, getCreateAddress, type HDNodeWallet, type InterfaceAbi } from "ethers";
import { accountCommitment, newTraderAccount, type TraderAccount } from "../src/accounts/account.js";
import { MerkleTree } from "../src/crypto/merkleTree.js";
import { loadCircuitArtifacts, loadContractArtifact } from "../src/artifacts/manifest.js";
import { PROJECT_ROOT } from "../src/artifacts/paths.js";
import { type Chain, devWallet, startAnvil } from "../src/chain/localChain.js";
import { deployPoseidon2 } from "../src/chain/poseidonContract.js";
import {
  deployArtifact, deployPool, type ErrorArg, PoolError, type PoolEvent, type RiskSharingPoolClient, TEST_CIRCUITS,
  requestIdOf, verifierArtifact,
} from "../src/chain/riskSharingPool.js";
import { fillWithdrawals, sharesFor } from "../src/protocol/lpShares.js";
import { FIELD_MODULUS } from "../src/crypto/field.js";
import { type BatchProof, proveSolvency, type SolvencyProof } from "../src/operator/proveSolvency.js";
import { liabilityTotals } from "../src/operator/solvencyTotals.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import type { SolidityProof } from "../src/protocol/solidityProof.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { computeRiskTable, type RiskTable } from "../src/risk/riskEngine.js";
import { type MarginProof, proveMargin } from "../src/trader/proveMargin.js";
import { buildMarginInput } from "../src/trader/marginInput.js";
import { verifyMargin } from "../src/trader/verifyMargin.js";
import { proveCircuit } from "../src/proof/groth16Prover.js";
import { poseidon } from "../src/crypto/poseidon.js";
import type { RiskTableProof } from "../src/oracle/riskTableProof.js";
import { testSnapshot } from "./helpers/market.js";
import { claiming, tableProof } from "./helpers/riskTables.js";

// RiskSharingPool (docs/design.md §5, §8.8) on anvil with the test circuits' verifiers. Proofs are made
// once in `before` and reused: they bind epoch, roots, recipient and amount, not the pool, so
// the same proofs serve the main pool and the faulty-token pool.

const EPOCH = 5;
const UNIT = 1_000_000n; // 6-decimal collateral token
const SETTLE_GAS_TARGET = 300_000n;
const POST_SOLVENCY_GAS_TARGET = 350_000n;
const PUBLISH_RISK_GAS_TARGET = 350_000n;

const GARBAGE: SolidityProof = { a: [1n, 3n], b: [[5n, 7n], [11n, 13n]], c: [17n, 19n] };

describe("RiskSharingPool on anvil (test circuits)", function () {
  let chain: Chain;
  let admin: HDNodeWallet, oracle: HDNodeWallet, operator: HDNodeWallet, lp1: HDNodeWallet, lp2: HDNodeWallet;
  let traderA: HDNodeWallet, traderB: HDNodeWallet, stranger: HDNodeWallet;
  let marginVerifier: string, solvencyVerifier: string, liquidationVerifier: string, riskTableVerifier: string, exitVerifier: string, poseidon2: string;
  /** The epoch's table proof; the next epoch's (another table); a root mixing two tables' halves. */
  let published: RiskTableProof, nextPublished: RiskTableProof;
  let mixedRoot: bigint;
  /** A valid margin proof of account A priced on the mixed root's rows (the margin circuit only opens rows). */
  let proofMixedRoot: MarginProof;

  let table: RiskTable;
  let riskRoot: bigint;
  let accounts: TraderAccount[];
  /** The exact figures of the epoch: the stress total (largest column) and the mark total. */
  let bound: bigint;
  let markTotal: bigint;
  let solvency: SolvencyProof;
  let batch0: BatchProof, batch1: BatchProof;
  /** Trader A withdraws 1,000 to A's wallet; trader B 250 to B's wallet; C is in another tree; D priced on another table. */
  let proofA: MarginProof, proofB: MarginProof, proofOtherTree: MarginProof, proofOtherRisk: MarginProof;

  // The main pool (TestToken) and the faulty-token pool.
  let pool: RiskSharingPoolClient;
  let token: Contract;
  let faultyPool: RiskSharingPoolClient;
  let faulty: Contract;

  const gas: Record<string, bigint> = {};
  /** lp2's deposit request and lp1's withdrawal request made while epoch 5 was being proven. */
  let depositId: bigint, withdrawId: bigint;

  before(async function () {
    const params = portfolioParams(loadCircuitArtifacts(TEST_CIRCUITS.solvency).instance);
    table = computeRiskTable(testSnapshot(EPOCH));
    riskRoot = commitRiskTable(table, params.logInstruments).riskRoot;
    // Six accounts: two batches of four slots. Collateral in token units.
    accounts = [
      newTraderAccount(20_000n * UNIT, [{ instrument: 0, quantity: 3n }, { instrument: 1, quantity: -2n }]),
      newTraderAccount(12_000n * UNIT, [{ instrument: 2, quantity: -1n }]),
      newTraderAccount(900n * UNIT, [{ instrument: 0, quantity: -5n }]),
      newTraderAccount(7_000n * UNIT, [{ instrument: 3, quantity: 4n }, { instrument: 1, quantity: 1n }]),
      newTraderAccount(1n * UNIT),
      newTraderAccount(3_000n * UNIT, [{ instrument: 2, quantity: 1n }, { instrument: 0, quantity: -1n }]),
    ];
    const totals = liabilityTotals(accounts, commitRiskTable(table, params.logInstruments).rows, params.scenarios);
    bound = totals.reduce((m, t) => (t > m ? t : m), 0n);
    markTotal = totals[0];
    solvency = (await proveSolvency(accounts, table, { circuit: TEST_CIRCUITS.solvency })).proof;
    assert.equal(solvency.stressTotal, bound);
    assert.equal(solvency.markTotal, markTotal);
    assert.equal(solvency.batches.length, 2);
    [batch0, batch1] = solvency.batches;
    assert.equal(solvency.riskRoot, riskRoot);

    chain = await startAnvil();
    [admin, oracle, operator, lp1, lp2, traderA, traderB, stranger] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => devWallet(i, chain.provider));

    const tree = new MerkleTree(params.depth, accounts.map((a) => accountCommitment(a, params.positions)));
    const request = (index: number, recipient: string, amount: bigint) => ({
      account: accounts[index], accountPath: tree.path(index), accountsRoot: tree.root, riskTable: table, epoch: EPOCH, recipient, amount,
    });
    proofA = await proveMargin(request(0, traderA.address, 1_000n * UNIT), TEST_CIRCUITS.margin);
    proofB = await proveMargin(request(1, traderB.address, 250n * UNIT), TEST_CIRCUITS.margin);
    assert.equal(proofA.statement.accountsRoot, solvency.accountsRoot);
    // A compliant account whose proof is against another accounts tree than the one the pool accepted.
    const outsider = newTraderAccount(9_000n * UNIT);
    const otherTree = new MerkleTree(params.depth, [accountCommitment(outsider, params.positions)]);
    proofOtherTree = await proveMargin({ ...request(0, traderA.address, 10n * UNIT), account: outsider, accountPath: otherTree.path(0), accountsRoot: otherTree.root }, TEST_CIRCUITS.margin);
    // Account A, same tree, but priced on another risk table of the same epoch.
    proofOtherRisk = await proveMargin({ ...request(0, traderA.address, 10n * UNIT), riskTable: computeRiskTable(testSnapshot(EPOCH, 3100)) }, TEST_CIRCUITS.margin);
    published = await tableProof(table);
    const nextTable = computeRiskTable(testSnapshot(EPOCH + 1, 3100));
    nextPublished = await tableProof(nextTable);
    // Rows of this epoch's table, digest of another: a root no single table has.
    const otherDigest = commitRiskTable({ ...nextTable, epoch: EPOCH }, params.logInstruments).tableDigest;
    mixedRoot = poseidon([commitRiskTable(table, params.logInstruments).instrumentsRoot, otherDigest]);
    const m = buildMarginInput(request(0, traderA.address, 10n * UNIT), portfolioParams(loadCircuitArtifacts(TEST_CIRCUITS.margin).instance));
    const mixed = await proveCircuit(TEST_CIRCUITS.margin, { ...m.input, riskRoot: mixedRoot, tableDigest: otherDigest });
    proofMixedRoot = { ...mixed, statement: { ...m.statement, riskRoot: mixedRoot } };

    marginVerifier = (await deployArtifact(verifierArtifact(TEST_CIRCUITS.margin), admin)).address;
    solvencyVerifier = (await deployArtifact(verifierArtifact(TEST_CIRCUITS.solvency), admin)).address;
    liquidationVerifier = (await deployArtifact(verifierArtifact(TEST_CIRCUITS.liquidation), admin)).address;
    riskTableVerifier = (await deployArtifact(verifierArtifact(TEST_CIRCUITS.riskTable), admin)).address;
    exitVerifier = (await deployArtifact(verifierArtifact(TEST_CIRCUITS.exit), admin)).address;
    poseidon2 = (await deployPoseidon2(admin)).address;
  });

  after(async () => {
    await chain?.stop();
    await releaseProverThreads();
  });

  // ------------------------------------------------------------------ helpers

  const erc20 = (address: string, runner: HDNodeWallet): Contract =>
    new Contract(address, loadContractArtifact("FaultyToken").abi as InterfaceAbi, runner);

  async function fund(t: Contract, p: RiskSharingPoolClient, who: HDNodeWallet, amount: bigint): Promise<void> {
    await (await (t.connect(who) as Contract).getFunction("mint").send(who.address, amount)).wait();
    await p.connect(who).approveToken(amount);
  }

  const withField = (p: MarginProof, field: "recipient" | "amount" | "nullifier" | "epoch", value: string | bigint | number): MarginProof =>
    ({ ...p, statement: { ...p.statement, [field]: value } });

  /** Everything a refused call must leave untouched, as a comparable string. */
  async function snapshot(p: RiskSharingPoolClient): Promise<string> {
    const people = [admin, oracle, operator, lp1, lp2, traderA, traderB, stranger].map((w) => w.address);
    const balances = await Promise.all([p.address, ...people].map((a) => p.tokenBalanceOf(a)));
    const shares = await Promise.all(people.map((a) => p.sharesOf(a)));
    const nullifiers = await Promise.all([proofA, proofB, proofOtherTree, proofOtherRisk].map((x) => p.nullifierUsed(x.statement.nullifier)));
    const epochs = await Promise.all([EPOCH, EPOCH + 1].map((e) => p.epochInfo(e)));
    const cursors = await Promise.all([EPOCH, EPOCH + 1].map((e) => p.solvencyCursor(e)));
    const block = await chain.provider.getBlockNumber();
    return JSON.stringify({ state: await p.state(), balances, shares, nullifiers, epochs, cursors, block }, (_k, v: unknown) =>
      typeof v === "bigint" ? v.toString() : v);
  }

  /** The call is refused with exactly `errorName` (and these args), and nothing changed on chain. */
  async function refused(p: RiskSharingPoolClient, call: () => Promise<unknown>, errorName: string, args: Record<string, ErrorArg> = {}): Promise<void> {
    const before = await snapshot(p);
    await assert.rejects(call(), (err: unknown) => {
      assert.ok(err instanceof PoolError, `expected a PoolError, got ${String(err)}`);
      assert.equal(err.errorName, errorName, err.message);
      for (const [k, v] of Object.entries(args)) assert.equal(err.args[k], v, `${errorName}.${k}`);
      return true;
    });
    assert.equal(await snapshot(p), before, "a refused call changed state");
  }

  const names = (events: PoolEvent[]): string[] => events.map((e) => e.name);

  // ------------------------------------------------------------------ the main pool

  describe("a full epoch", () => {
    it("deploys with the roles set and logged", async () => {
      const d = await deployPool({ signer: admin, marginVerifier, solvencyVerifier, liquidationVerifier, riskTableVerifier, oracle: oracle.address, operator: operator.address, circuits: TEST_CIRCUITS });
      pool = d.pool;
      assert.deepEqual(d.deployed.map((c) => c.name), ["TestToken", "ExitTestVerifier", "Poseidon2", "RiskSharingPool"]);
      token = erc20(d.token, admin);
      const s = await pool.state();
      assert.equal(s.admin, admin.address);
      assert.equal(s.riskOracle, oracle.address);
      assert.equal(s.operator, operator.address);
      assert.equal(s.currentEpoch, undefined);
      const ev = await pool.events();
      assert.deepEqual(ev.map((e) => e.name === "RoleTransferred" && [e.args.role, e.args.newAccount]), [
        ["admin", admin.address], ["riskOracle", oracle.address], ["operator", operator.address],
      ]);
    });

    it("refuses calls from the wrong role", async () => {
      await refused(pool, () => pool.connect(stranger).publishRisk(published), "Unauthorized", { role: 1n, caller: stranger.address });
      await refused(pool, () => pool.connect(operator).publishRisk(published), "Unauthorized", { role: 1n, caller: operator.address });
      await refused(pool, () => pool.connect(oracle).postSolvency(batch0), "Unauthorized", { role: 2n, caller: oracle.address });
      await refused(pool, () => pool.connect(operator).setOperator(stranger.address), "Unauthorized", { role: 0n, caller: operator.address });
      await refused(pool, () => pool.connect(oracle).setRiskOracle(stranger.address), "Unauthorized", { role: 0n });
      await refused(pool, () => pool.connect(stranger).transferAdmin(stranger.address), "Unauthorized", { role: 0n });
      await refused(pool, () => pool.connect(admin).setOperator("0x0000000000000000000000000000000000000000"), "ZeroAddress");
    });

    it("takes trader collateral and genesis LP capital (1:1, before the first risk publication), logging depositor and amount", async () => {
      await fund(token, pool, traderA, 20_001n * UNIT); // keeps 1 after depositing: settle pays a holder
      await fund(token, pool, traderB, 12_000n * UNIT);
      await fund(token, pool, lp1, 10_000n * UNIT);
      const dA = await pool.connect(traderA).depositCollateral(20_000n * UNIT);
      assert.deepEqual(dA.events.map((e) => e.name === "CollateralDeposited" && e.args), [{ depositor: traderA.address, amount: 20_000n * UNIT, depositId: 0n, creditEpoch: 0 }]);
      await pool.connect(traderB).depositCollateral(12_000n * UNIT);
      const l1 = await pool.connect(lp1).depositLiquidity(10_000n * UNIT);
      assert.deepEqual(l1.events.map((e) => e.name === "LiquidityDeposited" && e.args), [{ provider: lp1.address, amount: 10_000n * UNIT, shares: 10_000n * UNIT }]);
      // The second LP brings the pool to the stress bound plus 2,000.
      const genesis2 = bound + 2_000n * UNIT - 42_000n * UNIT;
      await fund(token, pool, lp2, genesis2);
      await pool.connect(lp2).depositLiquidity(genesis2);
      const s = await pool.state();
      assert.equal(s.poolBalance, bound + 2_000n * UNIT);
      assert.deepEqual([s.navAtOpening, s.totalShares], [10_000n * UNIT + genesis2, 10_000n * UNIT + genesis2]);
      assert.equal(await pool.sharesOf(lp2.address), genesis2);
      // No bound yet: every trader deposit is locked against LP withdrawals.
      assert.equal(s.lockedBalance, 32_000n * UNIT);
      assert.ok(genesis2 > 0n, "test setup: the stress bound exceeds the trader deposits and lp1's 10,000");
      await refused(pool, () => pool.connect(lp1).depositLiquidity(0n), "ZeroAmount");
      await refused(pool, () => pool.connect(stranger).depositCollateral(1n), "TokenTransferFailed"); // no allowance
    });

    it("refuses settlement before the epoch's solvency is accepted", async () => {
      await refused(pool, () => pool.settle(proofA), "EpochNotSettleable", { epoch: BigInt(EPOCH) });
    });

    it("publishes the epoch's risk root (oracle) only with its RiskTable proof, canonical, epochs advancing by exactly one", async () => {
      const oracleCall = pool.connect(oracle);
      await refused(pool, () => oracleCall.publishRisk(claiming(published, { epoch: EPOCH, riskRoot: riskRoot + FIELD_MODULUS })), "SignalNotInField", { index: 1n, value: riskRoot + FIELD_MODULUS });
      await refused(pool, () => oracleCall.publishRisk(claiming(published, { epoch: EPOCH, riskRoot: 0n })), "ZeroRoot");
      // Without a valid table proof: garbage points, another table's proof, this table's proof for another epoch.
      await refused(pool, () => oracleCall.publishRisk({ ...published, solidity: GARBAGE }), "InvalidProof");
      await refused(pool, () => oracleCall.publishRisk(claiming(nextPublished, published.statement)), "InvalidProof");
      await refused(pool, () => oracleCall.publishRisk(claiming(published, { epoch: EPOCH + 1, riskRoot })), "InvalidProof");
      // A mixed root (rows of this table, digest of another): no table proof exists for it (risk_table_test refuses
      // its witness: riskTable.test.ts), so no proof the oracle holds publishes it.
      for (const p of [published, nextPublished]) {
        await refused(pool, () => oracleCall.publishRisk(claiming(p, { epoch: EPOCH, riskRoot: mixedRoot })), "InvalidProof");
      }
      await refused(pool, () => pool.connect(operator).postSolvency(batch0), "NotCurrentEpoch", { epoch: BigInt(EPOCH) });
      // LP requests made before the table is published: they execute at the opening's NAV per share.
      const extra = 3_000n * UNIT;
      await fund(token, pool, lp2, extra);
      const dep = await pool.connect(lp2).requestDeposit(extra);
      gas.lpRequestDeposit = dep.gasUsed;
      depositId = requestIdOf(dep);
      const wd = await pool.connect(lp1).requestWithdraw(1_000n * UNIT);
      gas.lpRequestWithdraw = wd.gasUsed;
      withdrawId = requestIdOf(wd);
      assert.deepEqual(wd.events.map((e) => e.name === "LpRequested" && e.args), [{ requestId: withdrawId, owner: lp1.address, batch: 0, withdrawal: true, amount: 1_000n * UNIT }]);
      const r = await oracleCall.publishRisk(published);
      gas.publishRisk = r.gasUsed;
      assert.deepEqual(r.events.map((e) => e.name === "RiskPublished" && e.args), [{ epoch: EPOCH, riskRoot }]);
      await refused(pool, () => oracleCall.publishRisk(published), "EpochNotNext", { epoch: BigInt(EPOCH), expected: BigInt(EPOCH + 1) });
      await refused(pool, () => oracleCall.publishRisk(claiming(published, { epoch: EPOCH - 1, riskRoot })), "EpochNotNext");
      // Issue 16.3: skipping ahead (up to 2^32 - 1, which bricked the pool: no later epoch fits) is refused
      // before the table proof is looked at.
      await refused(pool, () => oracleCall.publishRisk(claiming(published, { epoch: EPOCH + 2, riskRoot })), "EpochNotNext", { epoch: BigInt(EPOCH + 2), expected: BigInt(EPOCH + 1) });
      await refused(pool, () => oracleCall.publishRisk(claiming(published, { epoch: 2 ** 32 - 1, riskRoot })), "EpochNotNext", { epoch: 2n ** 32n - 1n, expected: BigInt(EPOCH + 1) });
      await refused(pool, () => pool.settle(proofA), "EpochNotSettleable", { epoch: BigInt(EPOCH) });
    });

    it("refuses solvency batches that are malformed, out of order or for another epoch", async () => {
      const op = pool.connect(operator);
      const s0 = batch0.statement;
      await refused(pool, () => op.postSolvency(batch1), "BatchOutOfOrder", { epoch: BigInt(EPOCH), expectedBatch: 0n, batchIndex: 1n });
      await refused(pool, () => op.postSolvency({ ...batch0, statement: { ...s0, accountsRoot: s0.accountsRoot + FIELD_MODULUS } }), "SignalNotInField", { index: 2n, value: s0.accountsRoot + FIELD_MODULUS });
      await refused(pool, () => op.postSolvency({ ...batch0, statement: { ...s0, totalsCommitment: s0.totalsCommitment + FIELD_MODULUS } }), "SignalNotInField", { index: 8n });
      await refused(pool, () => op.postSolvency({ ...batch0, statement: { ...s0, prevTotalsCommitment: s0.prevTotalsCommitment + FIELD_MODULUS } }), "SignalNotInField", { index: 7n });
      await refused(pool, () => op.postSolvency({ ...batch0, statement: { ...s0, stressTotal: s0.stressTotal + FIELD_MODULUS } }), "SignalNotInField", { index: 3n });
      await refused(pool, () => op.postSolvency({ ...batch0, statement: { ...s0, markTotal: s0.markTotal + FIELD_MODULUS } }), "SignalNotInField", { index: 4n });
      // An inner batch carries no figure: batch 0 with the epoch's figures does not verify.
      await refused(pool, () => op.postSolvency({ ...batch0, statement: { ...s0, stressTotal: bound, markTotal } }), "InvalidProof");
      await refused(pool, () => op.postSolvency({ ...batch0, solidity: GARBAGE }), "InvalidProof");
      await refused(pool, () => op.postSolvency({ ...batch0, solidity: batch1.solidity }), "InvalidProof");
      await refused(pool, () => op.postSolvency({ ...batch0, statement: { ...s0, stressTotal: s0.stressTotal + 1n } }), "InvalidProof");
      await refused(pool, () => op.postSolvency({ ...batch0, statement: { ...s0, epoch: EPOCH + 1 } }), "NotCurrentEpoch", { epoch: BigInt(EPOCH + 1) });
    });

    it("accepts batch 0, then refuses replays, unchained or mismatched batches", async () => {
      const op = pool.connect(operator);
      const r = await op.postSolvency(batch0);
      gas.postSolvencyBatch0 = r.gasUsed;
      assert.deepEqual(names(r.events), ["SolvencyBatchAccepted"]);
      const cursor = await pool.solvencyCursor(EPOCH);
      assert.deepEqual(cursor, { nextBatch: 1, accountsRoot: solvency.accountsRoot, totalsCommitment: batch0.statement.totalsCommitment });
      const s1 = batch1.statement;
      await refused(pool, () => op.postSolvency(batch0), "BatchOutOfOrder", { expectedBatch: 1n, batchIndex: 0n });
      await refused(pool, () => op.postSolvency({ ...batch1, statement: { ...s1, prevTotalsCommitment: s1.prevTotalsCommitment + 1n } }), "BatchNotChained", { epoch: BigInt(EPOCH), batchIndex: 1n });
      await refused(pool, () => op.postSolvency({ ...batch1, statement: { ...s1, accountsRoot: s1.accountsRoot + 1n } }), "BatchStatementMismatch", { batchIndex: 1n });
      // The last batch's figures are exact: one unit off either way, or the issue-15 attack, does not verify.
      for (const change of [{ stressTotal: bound + 1n }, { stressTotal: bound - 1n }, { markTotal: markTotal + 1n }, { markTotal: markTotal - 1n }, { stressTotal: 10n ** 15n, markTotal: 10n ** 15n }]) {
        await refused(pool, () => op.postSolvency({ ...batch1, statement: { ...s1, ...change } }), "InvalidProof");
      }
      await refused(pool, () => op.postSolvency({ ...batch1, statement: { ...s1, isLast: false } }), "InvalidProof");
    });

    it("accepts the last batch, opening the epoch as solvent; LP requests made before the table are escrowed, not assets, and execute at the opening's NAV per share", async () => {
      const extra = 3_000n * UNIT;
      // Between publishRisk and the opening the pricing table is public and batch 0 is on-chain (issue 16.1): no LP
      // request or cancel is taken then, so none can trade at a NAV already known.
      await fund(token, pool, lp1, 1n);
      await refused(pool, () => pool.connect(lp1).requestDeposit(1n), "LpBookSealed", { epoch: BigInt(EPOCH) });
      await refused(pool, () => pool.connect(lp1).requestWithdraw(1n), "LpBookSealed", { epoch: BigInt(EPOCH) });
      await refused(pool, () => pool.connect(lp2).cancelRequest(depositId), "LpBookSealed", { epoch: BigInt(EPOCH) });
      await refused(pool, () => pool.claim(withdrawId), "RequestNotExecuted", { requestId: withdrawId });
      const before = await pool.state();
      assert.equal(before.pendingDeposits, extra);
      const r = await pool.connect(operator).postSolvency(batch1);
      gas.postSolvencyBatch1 = r.gasUsed;
      assert.deepEqual(names(r.events), ["SolvencyBatchAccepted", "EpochOpened", "NavPerShare", "LpWithdrawalsExecuted", "LpDepositsExecuted"]);
      const [, opened, price, withdrawn, deposited] = r.events;
      assert.ok(opened.name === "EpochOpened");
      assert.deepEqual(opened.args, { // the 3,000 in escrow are not the pool's assets
        epoch: EPOCH, riskRoot, accountsRoot: solvency.accountsRoot, stressTotal: bound, markTotal, poolBalance: bound + 2_000n * UNIT, status: "solvent",
      });
      const nav = bound + 2_000n * UNIT - markTotal;
      const supply = before.totalShares;
      assert.deepEqual(price.name === "NavPerShare" && price.args, { epoch: EPOCH, nav, supply });
      const f = fillWithdrawals(1_000n * UNIT, nav, supply, 2_000n * UNIT); // 2,000 above the lock
      assert.deepEqual(withdrawn.name === "LpWithdrawalsExecuted" && withdrawn.args, { epoch: EPOCH, batch: 0, shares: 1_000n * UNIT, burned: f.burned, tokens: f.tokens });
      const minted = sharesFor(extra, nav, supply);
      assert.deepEqual(deposited.name === "LpDepositsExecuted" && deposited.args, { epoch: EPOCH, batch: 0, assets: extra, shares: minted });
      assert.deepEqual(await pool.epochStanding(EPOCH), { status: "solvent", haircutNum: 0n, haircutDen: 0n });
      assert.deepEqual(await pool.epochInfo(EPOCH), { riskRoot, openAccountsRoot: solvency.accountsRoot, settleable: true });
      const s = await pool.state();
      assert.equal(s.latestAcceptedEpoch, EPOCH);
      assert.equal(s.latestBound, bound);
      assert.equal(s.lockedBalance, bound); // trader deposits came before the epoch: the bound covers them
      assert.deepEqual([s.navAtOpening, s.totalShares, s.pendingDeposits, s.withdrawalsOwed, s.depositBatch, s.withdrawBatch],
        [nav - f.tokens + extra, supply - f.burned + minted, 0n, f.tokens, 1, 1]);
      assert.deepEqual(await pool.solvencyCursor(EPOCH), { nextBatch: 2, accountsRoot: solvency.accountsRoot, totalsCommitment: batch0.statement.totalsCommitment });
      await refused(pool, () => pool.connect(operator).postSolvency(batch1), "SolvencyAlreadyAccepted", { epoch: BigInt(EPOCH) });
      await refused(pool, () => pool.connect(operator).postSolvency(batch0), "SolvencyAlreadyAccepted", { epoch: BigInt(EPOCH) });
    });

    it("refuses margin proofs for other roots, recipients, amounts, malformed or non-canonical", async () => {
      await refused(pool, () => pool.settle(proofOtherTree), "InvalidProof");
      await refused(pool, () => pool.settle(proofOtherRisk), "InvalidProof");
      // A margin proof that verifies against its own (mixed) root pays nothing: the epoch's root is the proven one.
      assert.equal(await verifyMargin(proofMixedRoot), true);
      await refused(pool, () => pool.settle(proofMixedRoot), "InvalidProof");
      await refused(pool, () => pool.connect(stranger).settle(withField(proofA, "recipient", stranger.address)), "InvalidProof");
      await refused(pool, () => pool.settle(withField(proofA, "amount", proofA.statement.amount + 1n)), "InvalidProof");
      await refused(pool, () => pool.settle(withField(proofA, "amount", proofA.statement.amount - 1n)), "InvalidProof");
      await refused(pool, () => pool.settle(withField(proofA, "nullifier", proofB.statement.nullifier)), "InvalidProof");
      await refused(pool, () => pool.settle({ ...proofA, solidity: GARBAGE }), "InvalidProof");
      await refused(pool, () => pool.settle({ ...proofA, solidity: proofB.solidity }), "InvalidProof");
      await refused(pool, () => pool.settle(withField(proofA, "epoch", EPOCH + 1)), "EpochNotSettleable", { epoch: BigInt(EPOCH + 1) });
      const n = proofA.statement.nullifier + FIELD_MODULUS; // the same field element: would dodge the nullifier set
      await refused(pool, () => pool.settle(withField(proofA, "nullifier", n)), "SignalNotInField", { index: 3n, value: n });
      const a = proofA.statement.amount + FIELD_MODULUS;
      await refused(pool, () => pool.settle(withField(proofA, "amount", a)), "SignalNotInField", { index: 5n, value: a });
    });

    it("settles a valid margin proof: the recipient receives the amount, the nullifier is spent", async () => {
      const before = await pool.tokenBalanceOf(traderA.address);
      const poolBefore = await pool.poolBalance();
      const r = await pool.connect(stranger).settle(proofA); // anyone may relay it
      gas.settle = r.gasUsed;
      assert.deepEqual(r.events.map((e) => e.name === "Settled" && e.args), [
        { epoch: EPOCH, nullifier: proofA.statement.nullifier, recipient: traderA.address, amount: 1_000n * UNIT, paid: 1_000n * UNIT },
      ]);
      assert.equal(await pool.tokenBalanceOf(traderA.address), before + 1_000n * UNIT);
      assert.equal(await pool.poolBalance(), poolBefore - 1_000n * UNIT);
      assert.equal(await pool.nullifierUsed(proofA.statement.nullifier), true);
    });

    it("refuses a reused nullifier", async () => {
      await refused(pool, () => pool.settle(proofA), "NullifierAlreadyUsed", { nullifier: proofA.statement.nullifier });
    });

    it("pays an executed withdrawal by claim (anyone may send it) and credits a deposit's shares; the balance stays above the lock", async () => {
      await refused(pool, () => pool.connect(lp1).cancelRequest(withdrawId), "RequestAlreadyExecuted", { requestId: withdrawId });
      const before = await pool.tokenBalanceOf(lp1.address);
      const c = await pool.connect(stranger).claim(withdrawId);
      gas.lpClaimWithdrawal = c.gasUsed;
      const w = await pool.withdrawBatchInfo(0);
      const returned = w.fill === "partial" ? 1_000n * UNIT - w.burned : 0n; // the batch's only request
      assert.deepEqual(c.events.map((e) => e.name === "LpClaimed" && e.args), [{ requestId: withdrawId, owner: lp1.address, shares: returned, tokens: w.tokens }]);
      assert.equal(await pool.tokenBalanceOf(lp1.address), before + w.tokens);
      const d = await pool.connect(stranger).claim(depositId);
      gas.lpClaimDeposit = d.gasUsed;
      const db = await pool.depositBatchInfo(0);
      assert.deepEqual(d.events.map((e) => e.name === "LpClaimed" && e.args), [{ requestId: depositId, owner: lp2.address, shares: db.shares, tokens: 0n }]);
      assert.ok((await pool.poolBalance()) >= (await pool.lockedBalance()));
      assert.equal((await pool.state()).withdrawalsOwed, 0n);
      await refused(pool, () => pool.claim(withdrawId), "UnknownRequest", { requestId: withdrawId });
      await refused(pool, () => pool.connect(lp2).cancelRequest(depositId), "UnknownRequest", { requestId: depositId });
    });

    it("keeps requests made after the opening for the next one; only the owner cancels, and only before execution", async () => {
      const shares = await pool.sharesOf(lp2.address);
      await refused(pool, () => pool.connect(lp2).requestWithdraw(shares + 1n), "InsufficientShares", { shares, requested: shares + 1n });
      await refused(pool, () => pool.connect(stranger).requestWithdraw(1n), "InsufficientShares", { shares: 0n, requested: 1n });
      const w = requestIdOf(await pool.connect(lp2).requestWithdraw(shares));
      assert.equal(await pool.sharesOf(lp2.address), 0n);
      assert.deepEqual(await pool.lpRequest(w), { owner: lp2.address, batch: 1, era: 0, withdrawal: true, amount: shares });
      await refused(pool, () => pool.claim(w), "RequestNotExecuted", { requestId: w });
      await refused(pool, () => pool.connect(stranger).cancelRequest(w), "NotRequestOwner", { requestId: w, caller: stranger.address });
      const c = await pool.connect(lp2).cancelRequest(w);
      assert.deepEqual(c.events.map((e) => e.name === "LpRequestCancelled" && e.args), [{ requestId: w, owner: lp2.address, withdrawal: true, amount: shares }]);
      assert.equal(await pool.sharesOf(lp2.address), shares);
      assert.equal(await pool.lpRequest(w), undefined);
      // A deposit request's tokens come back on cancel.
      await fund(token, pool, lp1, 500n * UNIT);
      const held = await pool.tokenBalanceOf(lp1.address);
      const d = requestIdOf(await pool.connect(lp1).requestDeposit(500n * UNIT));
      assert.equal((await pool.state()).pendingDeposits, 500n * UNIT);
      await pool.connect(lp1).cancelRequest(d);
      assert.equal(await pool.tokenBalanceOf(lp1.address), held);
      assert.equal((await pool.state()).pendingDeposits, 0n);
      // A trader deposit after the epoch is not in the bound: it is locked too.
      await fund(token, pool, traderB, 300n * UNIT);
      await pool.connect(traderB).depositCollateral(300n * UNIT);
      assert.equal(await pool.lockedBalance(), bound + 300n * UNIT);
    });

    it("closes the epoch when the next one is published: old proofs and batches are refused", async () => {
      const r = await pool.connect(oracle).publishRisk(nextPublished);
      assert.deepEqual(names(r.events), ["EpochClosed", "RiskPublished"]);
      assert.deepEqual(await pool.epochInfo(EPOCH), { riskRoot, openAccountsRoot: 0n, settleable: false });
      await refused(pool, () => pool.settle(proofB), "EpochNotSettleable", { epoch: BigInt(EPOCH) });
      await refused(pool, () => pool.settle(withField(proofB, "epoch", EPOCH + 1)), "EpochNotSettleable", { epoch: BigInt(EPOCH + 1) });
      // Replaying epoch 5's batches: as epoch 5 (no longer current), or relabelled as epoch 6.
      await refused(pool, () => pool.connect(operator).postSolvency(batch0), "NotCurrentEpoch", { epoch: BigInt(EPOCH) });
      for (const b of [batch0, batch1]) {
        await refused(pool, () => pool.connect(operator).postSolvency({ ...b, statement: { ...b.statement, epoch: EPOCH + 1, batchIndex: 0 } }), "InvalidProof");
      }
      // The bound of epoch 5 stays the latest accepted one until epoch 6 is proven.
      assert.equal((await pool.state()).latestBound, bound);
    });

    it("lets the admin hand over roles, logged; the old holders lose them", async () => {
      const newOperator = stranger;
      const r = await pool.connect(admin).setOperator(newOperator.address);
      assert.deepEqual(r.events.map((e) => e.name === "RoleTransferred" && e.args), [{ role: "operator", previousAccount: operator.address, newAccount: newOperator.address }]);
      await refused(pool, () => pool.connect(operator).postSolvency(batch0), "Unauthorized", { role: 2n, caller: operator.address });
      await pool.connect(admin).setRiskOracle(traderB.address);
      await refused(pool, () => pool.connect(oracle).publishRisk(claiming(published, { epoch: EPOCH + 2, riskRoot })), "Unauthorized", { role: 1n });
      await pool.connect(admin).transferAdmin(lp1.address);
      await refused(pool, () => pool.connect(admin).setOperator(admin.address), "Unauthorized", { role: 0n, caller: admin.address });
      await pool.connect(lp1).setOperator(operator.address);
      assert.equal((await pool.state()).operator, operator.address);
    });

    it("logs a history an auditor can replay to the pool's balance", async () => {
      const events = await pool.events();
      let balance = 0n;
      for (const e of events) {
        if (e.name === "CollateralDeposited" || e.name === "LiquidityDeposited") balance += e.args.amount;
        if (e.name === "LpRequested" && !e.args.withdrawal) balance += e.args.amount;
        if (e.name === "LpRequestCancelled" && !e.args.withdrawal) balance -= e.args.amount;
        if (e.name === "LpClaimed") balance -= e.args.tokens;
        if (e.name === "Settled") balance -= e.args.paid;
      }
      assert.equal(balance, await pool.poolBalance());
      const flow = names(events).filter((n) => !["RoleTransferred", "CollateralDeposited", "LiquidityDeposited", "LpRequested", "LpRequestCancelled", "LpClaimed"].includes(n));
      assert.deepEqual(flow, ["RiskPublished", "SolvencyBatchAccepted", "SolvencyBatchAccepted", "EpochOpened", "NavPerShare", "LpWithdrawalsExecuted", "LpDepositsExecuted", "Settled", "EpochClosed", "RiskPublished"]);
      for (let i = 1; i < events.length; i++) {
        assert.ok(events[i - 1].blockNumber < events[i].blockNumber || (events[i - 1].blockNumber === events[i].blockNumber && events[i - 1].logIndex < events[i].logIndex));
      }
    });

    it(`stays within the gas targets (settle <= ${SETTLE_GAS_TARGET}, postSolvency <= ${POST_SOLVENCY_GAS_TARGET} per batch)`, () => {
      // settle paid a recipient that already held tokens; to a fresh address the token's own
      // zero-to-non-zero balance write adds ~17k (see scripts/gas-report.ts).
      console.log(`      gas (receipts): ${Object.entries(gas).map(([k, v]) => `${k} ${v}`).join(", ")}`);
      assert.ok(gas.settle <= SETTLE_GAS_TARGET, `settle used ${gas.settle}`);
      assert.ok(gas.publishRisk <= PUBLISH_RISK_GAS_TARGET, `publishRisk used ${gas.publishRisk}`);
      assert.ok(gas.postSolvencyBatch0 <= POST_SOLVENCY_GAS_TARGET, `batch 0 used ${gas.postSolvencyBatch0}`);
      assert.ok(gas.postSolvencyBatch1 <= POST_SOLVENCY_GAS_TARGET, `batch 1 (a deposit and a withdrawal batch to execute) used ${gas.postSolvencyBatch1}`);
    });
  });

  // ------------------------------------------------------------------ every custom error

  describe("a refusal for every custom error (issue 16 item 5)", () => {
    it("fundInsurance refuses a zero amount and a transfer without allowance; state unchanged", async () => {
      await refused(pool, () => pool.connect(stranger).fundInsurance(0n), "ZeroAmount");
      await refused(pool, () => pool.connect(stranger).fundInsurance(1n), "TokenTransferFailed"); // no allowance
    });

    it("depositCollateral refuses an amount that would overflow the 128-bit deposit counters; state unchanged", async () => {
      const huge = 1n << 128n;
      await fund(token, pool, stranger, huge);
      await refused(pool, () => pool.connect(stranger).depositCollateral(huge), "AmountTooLarge", { amount: huge });
    });

    it("LP requests refuse zero amounts, genesis deposits after the first publication, escrow above 2^96 - 1; state unchanged", async () => {
      await fund(token, pool, lp1, 1n);
      await refused(pool, () => pool.connect(lp1).depositLiquidity(1n), "GenesisOver");
      // The main pool's next epoch is published and not open (its LP book is sealed): a fresh pool takes requests.
      const fresh = await deployPool({ signer: admin, marginVerifier, solvencyVerifier, liquidationVerifier, riskTableVerifier, oracle: oracle.address, operator: operator.address, circuits: TEST_CIRCUITS });
      const freshToken = erc20(fresh.token, admin);
      await fund(freshToken, fresh.pool, lp1, 10n);
      await fresh.pool.connect(lp1).depositLiquidity(10n);
      await refused(fresh.pool, () => fresh.pool.connect(lp1).requestWithdraw(0n), "ZeroAmount");
      await refused(fresh.pool, () => fresh.pool.connect(lp1).requestDeposit(0n), "ZeroAmount");
      const huge = 1n << 96n;
      await fund(freshToken, fresh.pool, stranger, huge);
      await refused(fresh.pool, () => fresh.pool.connect(stranger).requestDeposit(huge), "AmountTooLarge", { amount: huge });
    });

    it("the constructor refuses a token or verifier that is not a contract, or a zero maxEpochDelay: nothing is deployed", async () => {
      const nonce = await chain.provider.getTransactionCount(admin.address);
      const predicted = getCreateAddress({ from: admin.address, nonce });
      await assert.rejects(
        deployPool({ signer: admin, token: stranger.address, marginVerifier, solvencyVerifier, liquidationVerifier, riskTableVerifier, exitVerifier, poseidon2, oracle: oracle.address, operator: operator.address, circuits: TEST_CIRCUITS }),
        (err: unknown) => {
          assert.match(String(err instanceof Error ? err.message : err), /NotAContract/);
          return true;
        },
      );
      assert.equal(await chain.provider.getCode(predicted), "0x");
      const okToken = (await deployArtifact("TestToken", admin, "T", "T", 6)).address;
      const predicted2 = getCreateAddress({ from: admin.address, nonce: await chain.provider.getTransactionCount(admin.address) });
      await assert.rejects(
        deployPool({ signer: admin, token: okToken, marginVerifier, solvencyVerifier, liquidationVerifier, riskTableVerifier, exitVerifier, poseidon2, oracle: oracle.address, operator: operator.address, circuits: TEST_CIRCUITS, maxEpochDelay: 0 }),
        (err: unknown) => {
          assert.match(String(err instanceof Error ? err.message : err), /BadConfig\(what=maxEpochDelay\)/);
          return true;
        },
      );
      assert.equal(await chain.provider.getCode(predicted2), "0x", "the refused pool was not deployed");
      await assert.rejects(
        deployPool({ signer: admin, marginVerifier: stranger.address, solvencyVerifier, liquidationVerifier, riskTableVerifier, oracle: oracle.address, operator: operator.address, circuits: TEST_CIRCUITS }),
        /NotAContract/,
      );
      await assert.rejects(
        deployPool({ signer: admin, marginVerifier, solvencyVerifier, liquidationVerifier, riskTableVerifier: stranger.address, oracle: oracle.address, operator: operator.address, circuits: TEST_CIRCUITS }),
        /NotAContract/,
      );
    });

    it("publishRisk refuses a first epoch above 2^31, so the epoch counter can never be pushed to its end (issue 16.3); state unchanged", async () => {
      const fresh = (await deployPool({ signer: admin, marginVerifier, solvencyVerifier, liquidationVerifier, riskTableVerifier, oracle: oracle.address, operator: operator.address, circuits: TEST_CIRCUITS })).pool;
      await refused(fresh, () => fresh.connect(oracle).publishRisk(claiming(published, { epoch: 2 ** 32 - 1, riskRoot })), "FirstEpochTooLarge", { epoch: 2n ** 32n - 1n, max: 2n ** 31n });
      await refused(fresh, () => fresh.connect(oracle).publishRisk(claiming(published, { epoch: 2 ** 31 + 1, riskRoot })), "FirstEpochTooLarge", { epoch: 2n ** 31n + 1n, max: 2n ** 31n });
    });

    it("every custom error of RiskSharingPool has a refusal test asserting state unchanged (this file or test/waterfall.test.ts)", () => {
      const abi = loadContractArtifact("RiskSharingPool").abi as { type: string; name?: string }[];
      const errors = abi.filter((e) => e.type === "error").map((e) => e.name as string).sort();
      const tested = new Set<string>();
      for (const file of ["riskSharingPool.test.ts", "waterfall.test.ts", "escapeHatch.test.ts"]) {
        const text = readFileSync(join(PROJECT_ROOT, "test", file), "utf8");
        for (const m of text.matchAll(/await refused\([^;]*?, "([A-Za-z]+)"/gs)) tested.add(m[1]);
      }
      tested.add("Reentrancy"); // "blocks re-entry": the token's re-entering call returns exactly this error
      // Constructor refusals: "the constructor refuses ..." above (nothing deployed).
      tested.add("NotAContract");
      tested.add("BadConfig");
      const missing = errors.filter((e) => !tested.has(e));
      assert.deepEqual(missing, [], `custom errors without a refusal test: ${missing.join(", ")}`);
    });
  });

  // ------------------------------------------------------------------ a token that fails

  describe("a collateral token whose transfers fail", () => {
    const Mode = { Normal: 0, ReturnFalse: 1, Revert: 2, NoReturn: 3, Reenter: 4 } as const;
    const setMode = async (m: number): Promise<void> => { await (await faulty.getFunction("setMode").send(m)).wait(); };
    let faultyClaims: bigint[] = [];

    before(async () => {
      const t = await deployArtifact("FaultyToken", admin);
      faulty = erc20(t.address, admin);
      faultyPool = (await deployPool({ signer: admin, token: t.address, marginVerifier, solvencyVerifier, liquidationVerifier, riskTableVerifier, oracle: oracle.address, operator: operator.address, circuits: TEST_CIRCUITS })).pool;
      await fund(faulty, faultyPool, lp1, bound + 5_000n * UNIT);
      await fund(faulty, faultyPool, traderA, 100n * UNIT);
    });

    it("refuses deposits when transferFrom returns false or reverts; accepts a token returning nothing", async () => {
      await setMode(Mode.ReturnFalse);
      await refused(faultyPool, () => faultyPool.connect(lp1).depositLiquidity(1_000n * UNIT), "TokenTransferFailed");
      await refused(faultyPool, () => faultyPool.connect(traderA).depositCollateral(100n * UNIT), "TokenTransferFailed");
      await setMode(Mode.Revert);
      await refused(faultyPool, () => faultyPool.connect(lp1).depositLiquidity(1_000n * UNIT), "TokenTransferFailed");
      await setMode(Mode.NoReturn);
      await faultyPool.connect(lp1).depositLiquidity(bound + 5_000n * UNIT);
      assert.equal(await faultyPool.poolBalance(), bound + 5_000n * UNIT);
    });

    it("refuses a settlement whose payout fails, leaving the nullifier unspent; the same proof pays later", async () => {
      await setMode(Mode.Normal);
      // Two withdrawal requests (made before the table is published), executed at the opening (5,000 above the lock), claimed below.
      faultyClaims = [];
      for (let k = 0; k < 2; k++) faultyClaims.push(requestIdOf(await faultyPool.connect(lp1).requestWithdraw(1_000n * UNIT)));
      await faultyPool.connect(oracle).publishRisk(published);
      await faultyPool.connect(operator).postSolvencyEpoch(solvency);
      assert.equal((await faultyPool.epochInfo(EPOCH)).settleable, true);
      await setMode(Mode.ReturnFalse);
      await refused(faultyPool, () => faultyPool.settle(proofA), "TokenTransferFailed");
      await setMode(Mode.Revert);
      await refused(faultyPool, () => faultyPool.settle(proofA), "TokenTransferFailed");
      assert.equal(await faultyPool.nullifierUsed(proofA.statement.nullifier), false);
      await setMode(Mode.NoReturn);
      const before = await faultyPool.tokenBalanceOf(traderA.address);
      await faultyPool.settle(proofA);
      assert.equal(await faultyPool.tokenBalanceOf(traderA.address), before + proofA.statement.amount);
    });

    it("refuses an LP claim whose payout fails", async () => {
      await setMode(Mode.ReturnFalse);
      await refused(faultyPool, () => faultyPool.claim(faultyClaims[0]), "TokenTransferFailed");
      await setMode(Mode.Revert);
      await refused(faultyPool, () => faultyPool.claim(faultyClaims[0]), "TokenTransferFailed");
    });

    it("blocks re-entry from the token during a payout", async () => {
      const iface = faultyPool.interface;
      await (await faulty.getFunction("setReentry").send(faultyPool.address, iface.encodeFunctionData("claim", [faultyClaims[1]]))).wait();
      await setMode(Mode.Reenter);
      const r = await faultyPool.claim(faultyClaims[0]);
      assert.deepEqual(names(r.events), ["LpClaimed"]);
      assert.ok(await faultyPool.lpRequest(faultyClaims[1]), "the re-entered claim did not happen");
      assert.equal(await faulty.getFunction("lastReentrySucceeded").staticCall(), false);
      assert.equal(await faulty.getFunction("lastReentryReturn").staticCall(), iface.getError("Reentrancy")?.selector);
      await setMode(Mode.Normal);
    });
  });
});
