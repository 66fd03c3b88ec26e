import assert from "node:assert/strict";
import { Contract, type HDNodeWallet, type InterfaceAbi } from "ethers";
import { accountCommitment, newTraderAccount, nullifierOf, type Position, type TraderAccount } from "../src/accounts/account.js";
import { loadCircuitArtifacts, loadContractArtifact } from "../src/artifacts/manifest.js";
import { type Chain, devWallet, startAnvil } from "../src/chain/localChain.js";
import { PathRequestsClient } from "../src/chain/pathRequests.js";
import {
  deployPool, type RiskSharingPoolClient, type TxResult, TEST_CIRCUITS,
} from "../src/chain/riskSharingPool.js";
import { MerkleTree } from "../src/crypto/merkleTree.js";
import { auditEpoch, formatAuditReport } from "../src/auditor/auditEpoch.js";
import { auditFrozen, type FrozenCheck } from "../src/auditor/frozenAudit.js";
import { assessLiquidation } from "../src/operator/liquidationRule.js";
import { type LiquidationProof, proveLiquidation } from "../src/operator/proveLiquidation.js";
import { proveSolvency, type SolvencyProof } from "../src/operator/proveSolvency.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import { portfolioParams } from "../src/protocol/circuitCatalog.js";
import type { ExitProof } from "../src/protocol/exit.js";
import type { SolidityProof } from "../src/protocol/solidityProof.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { computeRiskTable, type RiskRow, type RiskTable } from "../src/risk/riskEngine.js";
import { proveExit } from "../src/trader/proveExit.js";
import { type MarginProof, proveMargin } from "../src/trader/proveMargin.js";
import { testSnapshot } from "./helpers/market.js";
import { deployTestVerifiers, refusedOn, type TestVerifiers } from "./helpers/poolFixtures.js";
import { tableProof } from "./helpers/riskTables.js";

// docs/design.md §12 on anvil, with real proofs of the test circuits: a silent operator holds
// nobody's money. Anyone may freeze a pool whose operator stopped opening epochs (or left a path
// request unanswered); each trader then exits with a proof against the last opened epoch's roots
// and is paid exactly its mark claim less what its nullifier already took, under the epoch's
// haircut rule; uncredited deposits go back to their depositors; the LPs share only what is left
// above the traders' outstanding claims. Order and timing change nobody's amount.

const EPOCH = 11;
const UNIT = 1_000_000n;
const DELAY = 3_600; // maxEpochDelay of the test pools, seconds
const PATH_FEE = 1_000_000_000_000_000n; // 0.001 ether
const GARBAGE: SolidityProof = { a: [1n, 3n], b: [[5n, 7n], [11n, 13n]], c: [17n, 19n] };
const SHORT_CALLS_LONG_PERP: Position[] = [{ instrument: 1, quantity: -3n }, { instrument: 2, quantity: 1n }];

describe("The escape hatch on anvil (docs/design.md §12)", function () {
  let chain: Chain;
  let admin: HDNodeWallet, operator: HDNodeWallet, lp: HDNodeWallet, lp2: HDNodeWallet, traderA: HDNodeWallet, traderB: HDNodeWallet;
  let traderP: HDNodeWallet, depositor: HDNodeWallet, stranger: HDNodeWallet;
  let verifiers: TestVerifiers;

  let table: RiskTable;
  let rows: RiskRow[];
  let tree: MerkleTree;
  /** A, B healthy; P under its requirement with mark equity above it (the liquidation leaves it a claim). */
  let accounts: Record<"A" | "B" | "P", TraderAccount>;
  let claims: Record<"A" | "B" | "P", bigint>;
  let solvency: SolvencyProof;
  let markTotal: bigint;
  let settleA: MarginProof;
  let liquidateP: LiquidationProof;
  let exits: Record<"A" | "B" | "P", ExitProof>;
  let exitOtherEpoch: ExitProof;

  const markEquity = (a: TraderAccount): bigint => assessLiquidation(a, rows, table.scenarios).equities[0];

  before(async function () {
    const params = portfolioParams(loadCircuitArtifacts(TEST_CIRCUITS.solvency).instance);
    table = computeRiskTable(testSnapshot(EPOCH));
    rows = commitRiskTable(table, params.logInstruments).rows;
    const p0 = newTraderAccount(0n, SHORT_CALLS_LONG_PERP);
    const r = assessLiquidation(p0, rows, table.scenarios);
    // P: one unit short of its requirement in the worst column, so liquidated; its mark equity is above its add-on requirement.
    accounts = {
      A: newTraderAccount(20_000n * UNIT, [{ instrument: 0, quantity: 3n }, { instrument: 1, quantity: -2n }]),
      B: newTraderAccount(12_000n * UNIT, [{ instrument: 2, quantity: -1n }]),
      P: { ...p0, collateral: -1n - r.minHeadroom },
    };
    claims = { A: markEquity(accounts.A), B: markEquity(accounts.B), P: markEquity(accounts.P) };
    for (const [k, v] of Object.entries(claims)) assert.ok(v > 0n, `test setup: ${k} has a claim at mark`);
    const list = [accounts.A, accounts.B, accounts.P];
    solvency = (await proveSolvency(list, table, { circuit: TEST_CIRCUITS.solvency })).proof;
    markTotal = solvency.markTotal;
    assert.equal(markTotal, claims.A + claims.B + claims.P, "test setup: the mark total is the sum of the claims");

    chain = await startAnvil();
    [admin, operator, lp, lp2, traderA, traderB, traderP, depositor, stranger] = [0, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => devWallet(i, chain.provider));
    tree = new MerkleTree(params.depth, list.map((a) => accountCommitment(a, params.positions)));
    const request = (index: number) => ({ account: list[index], accountPath: tree.path(index), accountsRoot: tree.root, riskTable: table, epoch: EPOCH });
    settleA = await proveMargin({ ...request(0), recipient: traderA.address, amount: 1_000n * UNIT }, TEST_CIRCUITS.margin);
    liquidateP = await proveLiquidation(request(2), TEST_CIRCUITS.liquidation);
    assert.ok(liquidateP.statement.penalty > 0n && liquidateP.statement.penalty < claims.P, "test setup: P's liquidation leaves it a claim");
    exits = {
      A: await proveExit({ ...request(0), recipient: traderA.address }, TEST_CIRCUITS.exit),
      B: await proveExit({ ...request(1), recipient: traderB.address }, TEST_CIRCUITS.exit),
      P: await proveExit({ ...request(2), recipient: traderP.address }, TEST_CIRCUITS.exit),
    };
    for (const k of ["A", "B", "P"] as const) assert.equal(exits[k].statement.amount, claims[k], `the exit proof of ${k} states its mark claim`);
    exitOtherEpoch = await proveExit({ ...request(1), riskTable: computeRiskTable(testSnapshot(EPOCH + 1)), epoch: EPOCH + 1, recipient: traderB.address }, TEST_CIRCUITS.exit);

    verifiers = await deployTestVerifiers(admin);
  });

  after(async () => {
    await chain?.stop();
    await releaseProverThreads();
  });

  // ------------------------------------------------------------------ helpers

  interface Opened {
    pool: RiskSharingPoolClient;
    token: Contract;
    paths: PathRequestsClient;
  }

  async function mintTo(token: Contract, pool: RiskSharingPoolClient, who: HDNodeWallet, amount: bigint): Promise<void> {
    await (await token.getFunction("mint").send(who.address, amount)).wait();
    await pool.connect(who).approveToken(amount);
  }

  /** A fresh pool with `lpCapital` of genesis LP capital and `deposit` of trader collateral before the risk, opened at EPOCH. */
  async function openPool(lpCapital: bigint, options: { open?: boolean } = {}): Promise<Opened> {
    const d = await deployPool({ signer: admin, ...verifiers, oracle: admin.address, operator: operator.address, circuits: TEST_CIRCUITS, maxEpochDelay: DELAY, pathFee: PATH_FEE });
    const pool = d.pool;
    const token = new Contract(d.token, loadContractArtifact("TestToken").abi as InterfaceAbi, admin);
    await mintTo(token, pool, lp, lpCapital);
    await pool.connect(lp).depositLiquidity(lpCapital);
    const paths = new PathRequestsClient(await pool.pathRequestsAddress(), admin);
    if (options.open === false) return { pool, token, paths };
    await pool.publishRisk(await tableProof(table));
    await pool.connect(operator).postSolvencyEpoch(solvency);
    return { pool, token, paths };
  }

  async function mineAt(timestamp: bigint): Promise<void> {
    await chain.provider.send("evm_mine", [Number(timestamp)]);
  }

  /**
   * Mines `send`'s transaction (sent with a fixed gas limit, so nothing estimates it first) in a
   * block of exactly this timestamp; "reverted" when the pool refused it there. (Calls that are
   * estimated first run at the node's clock, which a slow machine moves on by whole seconds.)
   */
  async function minedAt(timestamp: bigint, send: (overrides: { gasLimit: bigint }) => Promise<{ wait(): Promise<unknown> }>): Promise<"mined" | "reverted"> {
    await chain.provider.send("evm_setNextBlockTimestamp", [Number(timestamp)]);
    const tx = await send({ gasLimit: 1_000_000n });
    try {
      await tx.wait();
      return "mined";
    } catch {
      return "reverted";
    }
  }

  /** Moves the chain to `freezeAllowedAt` (or `offset` seconds from it) and mines a block there. */
  async function waitForFreeze(pool: RiskSharingPoolClient, offset = 0n): Promise<void> {
    await mineAt((await pool.hatchState()).freezeAllowedAt + offset);
  }

  const refused = refusedOn(() => chain.provider);

  const exited = (r: TxResult): { amount: bigint; taken: bigint; paid: bigint } => {
    const e = r.events.find((x) => x.name === "Exited");
    assert.ok(e?.name === "Exited", "an Exited event");
    return { amount: e.args.amount, taken: e.args.taken, paid: e.args.paid };
  };

  /** The standard history: A settles 1,000, P is liquidated, the operator goes silent, someone freezes. */
  async function frozenAfterActivity(lpCapital: bigint): Promise<Opened> {
    const o = await openPool(lpCapital);
    await o.pool.settle(settleA);
    await o.pool.connect(operator).liquidate(liquidateP);
    await waitForFreeze(o.pool);
    await o.pool.connect(stranger).freeze();
    return o;
  }

  // ------------------------------------------------------------------ freezing

  it("freeze: refused one second early with state unchanged, accepted at maxEpochDelay after the last opening, once", async () => {
    const { pool } = await openPool(100_000n * UNIT);
    const h = await pool.hatchState();
    assert.equal(h.maxEpochDelay, BigInt(DELAY));
    assert.equal(h.freezeAllowedAt, h.lastOpenedAt + BigInt(DELAY));
    await refused(pool, () => pool.connect(stranger).freeze(), "FreezeTooEarly", { allowedAt: h.freezeAllowedAt });
    const freezeAt = (t: bigint) => minedAt(t, (o) => pool.contract.connect(stranger).getFunction("freeze").send(o) as Promise<{ wait(): Promise<unknown> }>);
    assert.equal(await freezeAt(h.freezeAllowedAt - 1n), "reverted", "one second early");
    assert.equal((await pool.hatchState()).frozen, false);
    assert.equal(await freezeAt(h.freezeAllowedAt), "mined", "exactly maxEpochDelay after the opening");
    const f = (await pool.events()).find((e) => e.name === "Frozen");
    assert.ok(f?.name === "Frozen");
    assert.deepEqual([f.args.epoch, f.args.accountsRoot, f.args.markTotal, f.args.pot, f.args.uncredited], [EPOCH, tree.root, markTotal, 100_000n * UNIT, 0n]);
    const s = await pool.state();
    assert.equal(s.hatch.frozen, true);
    assert.equal(s.hatch.outstandingClaims, markTotal);
    assert.equal(s.hatch.lpSurplus, 100_000n * UNIT - markTotal);
    await refused(pool, () => pool.connect(stranger).freeze(), "PoolFrozen");
  });

  it("every operator, oracle and money-in call is refused while frozen, state unchanged; epochInfo shows the frozen root as not settleable", async () => {
    const { pool, token, paths } = await frozenAfterActivity(100_000n * UNIT);
    const settleB = await proveMargin({ account: accounts.B, accountPath: tree.path(1), accountsRoot: tree.root, riskTable: table, epoch: EPOCH, recipient: traderB.address, amount: 1n }, TEST_CIRCUITS.margin);
    await refused(pool, () => pool.settle(settleB), "PoolFrozen");
    await refused(pool, () => pool.connect(operator).liquidate(liquidateP), "PoolFrozen");
    await refused(pool, () => pool.connect(operator).postSolvency(solvency.batches[0]), "PoolFrozen");
    const next = await tableProof(computeRiskTable(testSnapshot(EPOCH + 1)));
    await refused(pool, () => pool.publishRisk(next), "PoolFrozen");
    await mintTo(token, pool, depositor, 10n * UNIT);
    await refused(pool, () => pool.connect(depositor).depositCollateral(UNIT), "PoolFrozen");
    await refused(pool, () => pool.connect(depositor).fundInsurance(UNIT), "PoolFrozen");
    await refused(pool, () => pool.connect(depositor).requestDeposit(UNIT), "PoolFrozen");
    await refused(pool, () => pool.connect(lp).requestWithdraw(UNIT), "PoolFrozen");
    await refused(pool, () => pool.connect(lp).depositLiquidity(UNIT), "GenesisOver");
    await refused(pool, () => paths.request(0), "PoolFrozen");
    const info = await pool.epochInfo(EPOCH);
    assert.deepEqual([info.openAccountsRoot, info.settleable], [tree.root, false]);
  });

  it("a path request answered in time keeps the pool live; a wrong answer, a stranger's answer or an early freeze on the request are refused, state unchanged", async () => {
    const { pool, paths } = await openPool(100_000n * UNIT);
    const asB = paths.contract.connect(traderB);
    const bPaths = new PathRequestsClient(paths.address, traderB);
    await assert.rejects(asB.getFunction("request").send(1, { value: PATH_FEE - 1n }), /WrongFee|execution reverted/);
    const { requestId } = await bPaths.request(1);
    const info = await bPaths.requestInfo(requestId);
    assert.ok(info && !info.answered && info.leafIndex === 1);
    await refused(pool, () => pool.connect(stranger).freezeOnRequest(requestId), "FreezeTooEarly", { allowedAt: info.deadline });
    const path = tree.path(1);
    const leaf = accountCommitment(accounts.B, portfolioParams(loadCircuitArtifacts(TEST_CIRCUITS.solvency).instance).positions);
    const asOperator = new PathRequestsClient(paths.address, operator);
    await refused(pool, () => new PathRequestsClient(paths.address, stranger).answer(requestId, leaf, path), "NotOperator", { caller: stranger.address });
    await refused(pool, () => asOperator.answer(requestId, leaf + 1n, path), "PathMismatch");
    await refused(pool, () => asOperator.answer(requestId, leaf, { index: 1, siblings: path.siblings.slice(1) }), "PathLength");
    const before = await chain.provider.getBalance(operator.address);
    const r = await asOperator.answer(requestId, leaf, path);
    const answered = r.events.find((e) => e.name === "PathAnswered");
    assert.ok(answered);
    assert.deepEqual((answered.args.siblings as bigint[]).map(BigInt), path.siblings);
    const history = await bPaths.history();
    assert.deepEqual(history[0].answer?.path, path, "the trader rebuilds its path from the answer's event");
    const receipt = await chain.provider.getTransactionReceipt(r.hash);
    assert.ok(receipt);
    assert.equal(await chain.provider.getBalance(operator.address), before + PATH_FEE - receipt.gasUsed * receipt.gasPrice, "the fee paid the operator");
    await refused(pool, () => asOperator.answer(requestId, leaf, path), "RequestAnswered", { requestId });
    await mineAt(info.deadline + 10n);
    await refused(pool, () => pool.connect(stranger).freezeOnRequest(requestId), "RequestAnswered", { requestId });
    assert.equal((await pool.hatchState()).frozen, false);
  });

  it("a path request left unanswered past its deadline lets anyone freeze; its fee then goes back to the requester, once", async () => {
    const { pool, paths } = await openPool(100_000n * UNIT);
    const bPaths = new PathRequestsClient(paths.address, traderB);
    const { requestId } = await bPaths.request(1);
    const info = await bPaths.requestInfo(requestId);
    assert.ok(info);
    await refused(pool, () => paths.refundFee(requestId), "NotFrozen");
    await refused(pool, () => pool.connect(stranger).freezeOnRequest(requestId), "FreezeTooEarly", { allowedAt: info.deadline });
    const freezeAt = (t: bigint) => minedAt(t, (o) => pool.contract.connect(stranger).getFunction("freezeOnRequest").send(requestId, o) as Promise<{ wait(): Promise<unknown> }>);
    assert.equal(await freezeAt(info.deadline - 1n), "reverted", "one second before the request's deadline");
    assert.equal((await pool.hatchState()).frozen, false);
    assert.equal(await freezeAt(info.deadline), "mined", "at the deadline");
    const f = (await pool.events()).find((e) => e.name === "Frozen");
    assert.ok(f?.name === "Frozen" && f.args.requestId === requestId);
    const before = await chain.provider.getBalance(traderB.address);
    await paths.refundFee(requestId);
    assert.equal(await chain.provider.getBalance(traderB.address), before + PATH_FEE);
    await refused(pool, () => paths.refundFee(requestId), "UnknownRequest", { requestId });
  });

  // ------------------------------------------------------------------ exits

  it("exits pay each trader its mark claim less what its nullifier took: the rest after a settlement, what the waterfall left a liquidated account; twice is refused", async () => {
    const { pool } = await frozenAfterActivity(100_000n * UNIT);
    const ra = await pool.exit(exits.A);
    const a = exited(ra);
    assert.deepEqual(a, { amount: claims.A, taken: 1_000n * UNIT, paid: claims.A - 1_000n * UNIT }, "A: the rest after its settlement");
    const p = exited(await pool.exit(exits.P));
    assert.deepEqual(p, { amount: claims.P, taken: liquidateP.statement.penalty, paid: claims.P - liquidateP.statement.penalty }, "P: what the waterfall left it");
    const before = await pool.tokenBalanceOf(traderB.address);
    const rb = await pool.exit(exits.B);
    assert.deepEqual(exited(rb), { amount: claims.B, taken: 0n, paid: claims.B }, "B: its whole claim");
    assert.equal(await pool.tokenBalanceOf(traderB.address), before + claims.B);
    // Gas from the receipts: A already held tokens (its settlement), B did not (the token's own
    // zero-to-non-zero balance write adds ~17k, as for settle).
    console.log(`      gas (receipts): exit to a holder ${ra.gasUsed}, to a fresh recipient ${rb.gasUsed}`);
    assert.ok(ra.gasUsed <= 300_000n, `exit to a holder used ${ra.gasUsed} gas (target 300,000)`);
    await refused(pool, () => pool.exit(exits.B), "AlreadyExited", { nullifier: exits.B.statement.nullifier });
    assert.deepEqual(await pool.nullifierRecord(exits.B.statement.nullifier), { used: true, epoch: EPOCH, taken: 0n, exited: true, noted: false });
  });

  it("forged, altered or other-epoch exit proofs are refused, state unchanged; exits wait for a freeze", async () => {
    const { pool } = await openPool(100_000n * UNIT);
    await refused(pool, () => pool.exit(exits.B), "NotFrozenEpoch", { epoch: BigInt(EPOCH) });
    await waitForFreeze(pool);
    await pool.freeze();
    await refused(pool, () => pool.exit({ statement: exits.B.statement, solidity: GARBAGE }), "InvalidProof");
    await refused(pool, () => pool.exit({ ...exits.B, statement: { ...exits.B.statement, amount: exits.B.statement.amount + 1n } }), "InvalidProof");
    await refused(pool, () => pool.exit({ ...exits.B, statement: { ...exits.B.statement, recipient: stranger.address } }), "InvalidProof");
    await refused(pool, () => pool.exit({ ...exits.A, statement: { ...exits.A.statement, nullifier: exits.B.statement.nullifier } }), "InvalidProof");
    await refused(pool, () => pool.exit(exitOtherEpoch), "NotFrozenEpoch", { epoch: BigInt(EPOCH + 1) });
    await refused(pool, () => pool.exit({ ...exitOtherEpoch, statement: { ...exitOtherEpoch.statement, epoch: EPOCH } }), "InvalidProof");
  });

  it("the order of exits changes nobody's amount (two pools, same history, opposite orders)", async () => {
    const paidIn = async (order: ("A" | "B" | "P")[]): Promise<Record<string, bigint>> => {
      const { pool } = await frozenAfterActivity(100_000n * UNIT);
      const out: Record<string, bigint> = {};
      for (const k of order) out[k] = exited(await pool.exit(exits[k])).paid;
      return out;
    };
    assert.deepEqual(await paidIn(["A", "B", "P"]), await paidIn(["P", "B", "A"]));
  });

  it("in a haircut epoch every exit is paid the epoch's ratio, as its settlements were; together they never exceed the pot", async () => {
    const lpCapital = (markTotal * 3n) / 4n;
    const o = await openPool(lpCapital);
    const standing = await o.pool.epochStanding(EPOCH);
    assert.equal(standing.status, "haircut");
    const settled = (await o.pool.settle(settleA)).events.find((e) => e.name === "Settled");
    assert.ok(settled?.name === "Settled");
    await waitForFreeze(o.pool);
    await o.pool.freeze();
    const ratio = (x: bigint): bigint => (x * standing.haircutNum) / standing.haircutDen;
    assert.equal(settled.args.paid, ratio(1_000n * UNIT));
    let total = settled.args.paid;
    for (const k of ["A", "B", "P"] as const) {
      const e = exited(await o.pool.exit(exits[k]));
      assert.equal(e.paid, ratio(claims[k] - e.taken), `${k}: the epoch's ratio of its claim left`);
      total += e.paid;
    }
    assert.ok(total <= lpCapital, "the traders together got at most the pool");
    assert.ok(await o.pool.poolBalance() <= 3n, "what is left is rounding dust");
  });

  // ------------------------------------------------------------------ deposits and LPs

  it("a deposit no accepted root credits is refunded once, to its depositor; a credited one is refused, state unchanged", async () => {
    const o = await openPool(100_000n * UNIT, { open: false });
    await mintTo(o.token, o.pool, depositor, 3_000n * UNIT);
    const credited = (await o.pool.connect(depositor).depositCollateral(1_000n * UNIT)).events.find((e) => e.name === "CollateralDeposited");
    await o.pool.publishRisk(await tableProof(table));
    const uncredited = (await o.pool.connect(depositor).depositCollateral(2_000n * UNIT)).events.find((e) => e.name === "CollateralDeposited");
    await o.pool.connect(operator).postSolvencyEpoch(solvency);
    assert.ok(credited?.name === "CollateralDeposited" && uncredited?.name === "CollateralDeposited");
    assert.deepEqual([credited.args.creditEpoch, uncredited.args.creditEpoch], [0, EPOCH + 1]);
    await refused(o.pool, () => o.pool.refundDeposit(uncredited.args.depositId), "NotFrozen");
    await waitForFreeze(o.pool);
    const f = (await o.pool.freeze()).events.find((e) => e.name === "Frozen");
    assert.ok(f?.name === "Frozen" && f.args.uncredited === 2_000n * UNIT && f.args.pot === 101_000n * UNIT, "the pot holds the credited deposit, not the other");
    await refused(o.pool, () => o.pool.refundDeposit(credited.args.depositId), "DepositCredited", { depositId: credited.args.depositId });
    const before = await o.pool.tokenBalanceOf(depositor.address);
    await o.pool.connect(stranger).refundDeposit(uncredited.args.depositId);
    assert.equal(await o.pool.tokenBalanceOf(depositor.address), before + 2_000n * UNIT);
    assert.equal((await o.pool.hatchState()).refundsOwed, 0n);
    await refused(o.pool, () => o.pool.refundDeposit(uncredited.args.depositId), "UnknownDeposit", { depositId: uncredited.args.depositId });
  });

  it("a pool frozen before any opening refunds every deposit and gives the LPs the rest", async () => {
    const o = await openPool(50_000n * UNIT, { open: false });
    await mintTo(o.token, o.pool, depositor, 700n * UNIT);
    const d = (await o.pool.connect(depositor).depositCollateral(700n * UNIT)).events.find((e) => e.name === "CollateralDeposited");
    assert.ok(d?.name === "CollateralDeposited");
    await waitForFreeze(o.pool);
    await o.pool.freeze();
    await o.pool.refundDeposit(d.args.depositId);
    assert.equal(await o.pool.lpExitPreview(lp.address), 50_000n * UNIT);
    await o.pool.connect(lp).lpExit();
    assert.equal(await o.pool.poolBalance(), 0n);
  });

  it("LPs never take a trader's outstanding claim, even one exited a year later; noting settlements releases exactly what they paid", async () => {
    const lpCapital = 100_000n * UNIT;
    const { pool, token } = await frozenAfterActivity(lpCapital);
    const paidToA = 1_000n * UNIT;
    const pot = lpCapital - paidToA;
    // The surplus is shared by the LPs and the insurance fund (P's penalty), pro rata to the LPs' NAV at the opening and the fund.
    const st = await pool.state();
    assert.equal(st.insuranceFund, liquidateP.statement.penalty);
    const lpPart = (all: bigint): bigint => (all * st.navAtOpening) / (st.navAtOpening + st.insuranceFund);
    let h = await pool.hatchState();
    assert.deepEqual([h.frozenPot, h.outstandingClaims, h.lpSurplus, h.fundSurplus], [pot, markTotal, lpPart(pot - markTotal), pot - markTotal - lpPart(pot - markTotal)],
      "before noting: every claim held back in full");
    // A second LP would share; here one LP holds every share.
    assert.equal(await pool.lpExitPreview(lp.address), lpPart(pot - markTotal));
    const first = await pool.connect(lp).lpExit();
    assert.ok(first.events.some((e) => e.name === "LpExited"));
    await refused(pool, () => pool.connect(lp).lpExit(), "NothingToClaim", { provider: lp.address });
    await refused(pool, () => pool.connect(lp2).lpExit(), "NothingToClaim", { provider: lp2.address });
    // Noting A's settlement and P's liquidation: their taken parts leave the claims, the LPs get them.
    await pool.noteSettled(settleA.statement.nullifier);
    await pool.noteSettled(liquidateP.statement.tag);
    await refused(pool, () => pool.noteSettled(settleA.statement.nullifier), "AlreadyNoted", { nullifier: settleA.statement.nullifier });
    await refused(pool, () => pool.noteSettled(exits.B.statement.nullifier), "NotSpentInFrozenEpoch", { nullifier: exits.B.statement.nullifier });
    h = await pool.hatchState();
    assert.equal(h.outstandingClaims, markTotal - paidToA - liquidateP.statement.penalty);
    const second = await pool.connect(lp).lpExit();
    const lpPaid = second.events.find((e) => e.name === "LpExited");
    const all = pot - (markTotal - paidToA - liquidateP.statement.penalty);
    assert.ok(lpPaid?.name === "LpExited" && lpPaid.args.paid === lpPart(all) - lpPart(pot - markTotal));
    // The fund's part goes to the admin (the protocol treasury), once what it is due.
    const adminBefore = await pool.tokenBalanceOf(admin.address);
    await pool.connect(stranger).fundExit();
    assert.equal(await pool.tokenBalanceOf(admin.address), adminBefore + all - lpPart(all));
    await refused(pool, () => pool.fundExit(), "NothingToClaim", { provider: admin.address });
    // A year later, every trader's claim is still whole.
    await mineAt(BigInt((await chain.provider.getBlock("latest"))?.timestamp ?? 0) + 365n * 24n * 3600n);
    const paidOut = [] as bigint[];
    for (const k of ["A", "B", "P"] as const) paidOut.push(exited(await pool.exit(exits[k])).paid);
    assert.deepEqual(paidOut, [claims.A - paidToA, claims.B, claims.P - liquidateP.statement.penalty]);
    assert.equal(await pool.poolBalance(), 0n, "every token paid out: traders their claims, the LP and the fund exactly the rest");
    void token;

    // The auditor, from public data: the freeze, every exit re-verified from calldata and recomputed, the LPs' take bounded.
    const report = await auditEpoch({ pool, provider: chain.provider, epoch: EPOCH, circuits: TEST_CIRCUITS, riskTable: table });
    assert.ok(report.ok, formatAuditReport(report));
    assert.ok(report.frozen);
    assert.deepEqual([report.frozen.exits, report.frozen.exitsPaid, report.frozen.lpPaid, report.frozen.outstanding],
      [3, paidOut.reduce((a, b) => a + b, 0n), lpPart(all), markTotal - paidToA - liquidateP.statement.penalty]);
    assert.equal(report.checks.filter((c) => c.proof === "exit").length, 3, "each exit proof re-verified");
    assert.match(formatAuditReport(report), /FROZEN after this epoch: 3 exit\(s\)/);

    // The same events with one exit paying 1 more, or the LPs taking 1 more: the audit says so.
    const events = await pool.events();
    const tampered = async (edit: (e: (typeof events)[number]) => (typeof events)[number]): Promise<FrozenCheck[]> => {
      const failed: FrozenCheck[] = [];
      await auditFrozen({
        events: events.map(edit), epoch: EPOCH, accountsRoot: tree.root, riskRoot: report.riskRootOnChain ?? 0n, markTotal,
        reverify: async () => undefined, check: (c) => { if (!c.ok) failed.push(c); },
      });
      return failed;
    };
    assert.deepEqual(await tampered((e) => e), []);
    const overpaid = await tampered((e) => (e.name === "Exited" && e.args.nullifier === exits.B.statement.nullifier ? { ...e, args: { ...e.args, paid: e.args.paid + 1n } } : e));
    assert.match(overpaid.map((c) => c.detail).join(), /paid \d+, the exit rule gives \d+/);
    const greedy = await tampered((e) => (e.name === "LpExited" ? { ...e, args: { ...e.args, paid: e.args.paid + 1n } } : e));
    assert.match(greedy.map((c) => c.detail).join(), /the LPs took 2 above the surplus/);
  });

  it("a deposit executed at the last opening buys no part of the insurance fund at the freeze: the fund's part goes to the admin", async () => {
    const o = await openPool(100_000n * UNIT, { open: false });
    const fund = 9_000n * UNIT;
    await mintTo(o.token, o.pool, stranger, fund);
    await o.pool.connect(stranger).fundInsurance(fund);
    await mintTo(o.token, o.pool, lp2, 100_000n * UNIT);
    const late = (await o.pool.connect(lp2).requestDeposit(100_000n * UNIT)).events.find((e) => e.name === "LpRequested");
    assert.ok(late?.name === "LpRequested");
    await o.pool.publishRisk(await tableProof(table));
    await o.pool.connect(operator).postSolvencyEpoch(solvency);
    await o.pool.claim(late.args.requestId);
    await waitForFreeze(o.pool);
    await o.pool.freeze();
    const h = await o.pool.hatchState();
    const [early, lateDue] = [await o.pool.lpExitPreview(lp.address), await o.pool.lpExitPreview(lp2.address)];
    // Without the fund's own part, each LP would take half of the fund: lp2 would gain 4,500 at lp's expense.
    assert.ok(lateDue <= 100_000n * UNIT, `the late LP takes at most what it paid in (${lateDue})`);
    assert.ok(early + lateDue <= h.lpSurplus && h.lpSurplus - early - lateDue <= 2n);
    assert.ok(h.fundSurplus >= fund - 2n && h.fundSurplus <= fund, `the fund's part is the fund (${h.fundSurplus})`);
  });

  it("LP escrow still comes back in a frozen pool: a pending deposit request is cancelled, a pending withdrawal's shares return and exit pro rata", async () => {
    const o = await openPool(100_000n * UNIT);
    await mintTo(o.token, o.pool, lp2, 5_000n * UNIT);
    const dep = (await o.pool.connect(lp2).requestDeposit(5_000n * UNIT)).events.find((e) => e.name === "LpRequested");
    const wd = (await o.pool.connect(lp).requestWithdraw(40_000n * UNIT)).events.find((e) => e.name === "LpRequested");
    assert.ok(dep?.name === "LpRequested" && wd?.name === "LpRequested");
    await waitForFreeze(o.pool);
    await o.pool.freeze();
    const h = await o.pool.hatchState();
    assert.equal(h.frozenPot, 100_000n * UNIT, "escrowed deposits are not in the pot");
    await o.pool.connect(lp2).cancelRequest(dep.args.requestId);
    assert.equal(await o.pool.tokenBalanceOf(lp2.address), 5_000n * UNIT);
    await o.pool.connect(lp).cancelRequest(wd.args.requestId);
    assert.equal(await o.pool.sharesOf(lp.address), 100_000n * UNIT);
    assert.equal(await o.pool.lpExitPreview(lp.address), 100_000n * UNIT - markTotal);
    void nullifierOf;
  });
});
