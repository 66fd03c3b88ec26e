import { portfolioParams } from "../src/protocol/circuitCatalog.js";
import assert from "node:assert/strict";
import { Contract, type HDNodeWallet, type InterfaceAbi } from "ethers";
import { accountCommitment, newTraderAccount, type TraderAccount } from "../src/accounts/account.js";
import { MerkleTree } from "../src/crypto/merkleTree.js";
import { loadCircuitArtifacts, loadContractArtifact } from "../src/artifacts/manifest.js";
import { type Chain, devWallet, startAnvil } from "../src/chain/localChain.js";
import {
  deployPool, type PoolEvent, requestIdOf, type RiskSharingPoolClient, TEST_CIRCUITS,
} from "../src/chain/riskSharingPool.js";
import { replayWaterfall } from "../src/auditor/waterfall.js";
import { proveSolvency } from "../src/operator/proveSolvency.js";
import { liabilityTotals } from "../src/operator/solvencyTotals.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import { fillWithdrawals, sharesFor, sharesValue } from "../src/protocol/lpShares.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { computeRiskTable } from "../src/risk/riskEngine.js";
import { type MarginProof, proveMargin } from "../src/trader/proveMargin.js";
import { testSnapshot } from "./helpers/market.js";
import { deployTestVerifiers, refusedOn, type TestVerifiers } from "./helpers/poolFixtures.js";
import { tableProof } from "./helpers/riskTables.js";
import { cashEpoch, type EpochProofs, lpTestTable } from "./helpers/lpEpochs.js";
import { claimLpDeposit, requestLpDeposit } from "../src/demo/lpAct.js";
import { navPerShare } from "../src/protocol/poolEvents.js";

// docs/design.md §11 on anvil (issue 15 items 2-3, issue 16 item 1): LP shares priced at the
// proven NAV, requests executed at the next opening. Each epoch's proofs are made once and
// replayed on several pools; a ledger of one cash account (no positions) makes every total of
// the epoch exactly its collateral, so the tests choose markTotal and stressTotal.

const UNIT = 1_000_000n;
const E9 = 9;
const E10 = 10;

describe("LP shares at the proven NAV (docs/design.md §11)", function () {
  let chain: Chain;
  let admin: HDNodeWallet, operator: HDNodeWallet, lp1: HDNodeWallet, lp2: HDNodeWallet, lp3: HDNodeWallet, trader: HDNodeWallet, stranger: HDNodeWallet;
  let verifiers: TestVerifiers;
  /** Epoch 9: traders hold 1,000 (markTotal = stressTotal = 1,000); epoch 10: traders won 600 (1,600). */
  let e9: EpochProofs, e10: EpochProofs;
  /** Epoch 10 with two accounts of 5,000 each (a haircut in a pool of 2,000), and their margin proofs. */
  let e10haircut: EpochProofs;
  /** Epoch 11 owing the same two accounts of 5,000 (nobody settled in epoch 10). */
  let e11haircut: EpochProofs;
  let settleA: MarginProof, settleB: MarginProof;
  /** Epoch 9 in two batches, stressed in its pool (stress > assets >= mark); epoch 10 solvent with 100 above the lock. */
  let e9stressed: EpochProofs, e10tight: EpochProofs;
  let settleCash: MarginProof;
  let stressedGenesis: [bigint, bigint];

  async function epoch(e: number, accounts: TraderAccount[]): Promise<EpochProofs & { tree: MerkleTree }> {
    const params = portfolioParams(loadCircuitArtifacts(TEST_CIRCUITS.solvency).instance);
    const t = lpTestTable(e);
    const solvency = (await proveSolvency(accounts, t, { circuit: TEST_CIRCUITS.solvency })).proof;
    return { table: await tableProof(t), solvency, tree: new MerkleTree(params.depth, accounts.map((a) => accountCommitment(a, params.positions))) };
  }

  before(async function () {
    const params = portfolioParams(loadCircuitArtifacts(TEST_CIRCUITS.solvency).instance);
    const table9 = computeRiskTable(testSnapshot(E9));
    const rows = commitRiskTable(table9, params.logInstruments).rows;
    e9 = await cashEpoch(E9, 1_000n * UNIT);
    e10 = await cashEpoch(E10, 1_600n * UNIT);
    assert.deepEqual([e9.solvency.markTotal, e9.solvency.stressTotal, e10.solvency.markTotal], [1_000n * UNIT, 1_000n * UNIT, 1_600n * UNIT]);

    chain = await startAnvil();
    [admin, operator, lp1, lp2, lp3, trader, stranger] = [0, 2, 3, 4, 8, 5, 7].map((i) => devWallet(i, chain.provider));

    const [a, b] = [newTraderAccount(5_000n * UNIT), newTraderAccount(5_000n * UNIT)];
    const h = await epoch(E10, [a, b]);
    e10haircut = h;
    e11haircut = await epoch(11, [a, b]);
    const at = (tree: MerkleTree, list: TraderAccount[], i: number, e: number, amount: bigint, recipient: string, t = table9) => proveMargin({
      account: list[i], accountPath: tree.path(i), accountsRoot: tree.root, riskTable: { ...t, epoch: e }, epoch: e, recipient, amount,
    }, TEST_CIRCUITS.margin);
    settleA = await at(h.tree, [a, b], 0, E10, 1_000n * UNIT, trader.address);
    settleB = await at(h.tree, [a, b], 1, E10, 1_000n * UNIT + 1n, stranger.address);

    // Four cash accounts and one with short calls (its stress total above its mark): two batches.
    const shortCalls = newTraderAccount(20_000n * UNIT, [{ instrument: 1, quantity: -3n }]);
    const cash = [1_000n, 2_000n, 3_000n, 4_000n].map((c) => newTraderAccount(c * UNIT));
    const list = [...cash, shortCalls];
    const s = await epoch(E9, list);
    e9stressed = s;
    assert.equal(s.solvency.batches.length, 2);
    const [mark, stress] = [s.solvency.markTotal, s.solvency.stressTotal];
    assert.ok(stress > mark, "test setup: the short calls' stress total exceeds their mark");
    const assets = mark + (stress - mark) / 2n; // stressed: mark <= assets < stress
    stressedGenesis = [assets / 2n, assets - assets / 2n];
    assert.ok(assets - stressedGenesis[0] < mark, "test setup: without lp1's capital the epoch would be a haircut");
    settleCash = await at(s.tree, list, 0, E9, 1_000n * UNIT, trader.address);
    // Epoch 10: the short calls alone plus cash, stress total 100 below the pool's assets then.
    const pos = liabilityTotals([shortCalls], rows, params.scenarios);
    const posStress = pos.reduce((m, t) => (t > m ? t : m), 0n);
    const assetsAt10 = assets - 1_000n * UNIT; // less the settlement of epoch 9
    e10tight = await epoch(E10, [shortCalls, newTraderAccount(assetsAt10 - 100n * UNIT - posStress)]);
    assert.equal(e10tight.solvency.stressTotal, assetsAt10 - 100n * UNIT);

    verifiers = await deployTestVerifiers(admin);
  });

  after(async () => {
    await chain?.stop();
    await releaseProverThreads();
  });

  // ------------------------------------------------------------------ helpers

  interface Pool {
    pool: RiskSharingPoolClient;
    token: Contract;
    give(who: HDNodeWallet, amount: bigint): Promise<void>;
  }

  /** A fresh pool with genesis LP capital, and `traders` of trader collateral deposited. */
  async function newPool(genesis: [HDNodeWallet, bigint][], traders = 0n): Promise<Pool> {
    const { pool, token: address } = await deployPool({ signer: admin, ...verifiers, oracle: admin.address, operator: operator.address, circuits: TEST_CIRCUITS });
    const token = new Contract(address, loadContractArtifact("TestToken").abi as InterfaceAbi, admin);
    const give = async (who: HDNodeWallet, amount: bigint): Promise<void> => {
      await (await token.getFunction("mint").send(who.address, amount)).wait();
      await pool.connect(who).approveToken(amount);
    };
    for (const [who, amount] of genesis) {
      await give(who, amount);
      await pool.connect(who).depositLiquidity(amount);
    }
    if (traders > 0n) {
      await give(trader, traders);
      await pool.connect(trader).depositCollateral(traders);
    }
    return { pool, token, give };
  }

  /** Publishes the epoch and posts its solvency proof; `between` runs after the first batch. Returns the opening's events. */
  async function open(pool: RiskSharingPoolClient, e: EpochProofs, between?: () => Promise<void>): Promise<PoolEvent[]> {
    await pool.publishRisk(e.table);
    const [first, ...rest] = e.solvency.batches;
    let last = await pool.connect(operator).postSolvency(first);
    await between?.();
    for (const b of rest) last = await pool.connect(operator).postSolvency(b);
    return last.events.filter((x) => x.name !== "SolvencyBatchAccepted");
  }

  const event = <N extends PoolEvent["name"]>(events: PoolEvent[], name: N): Extract<PoolEvent, { name: N }> => {
    const e = events.find((x) => x.name === name);
    assert.ok(e, `no ${name} event`);
    return e as Extract<PoolEvent, { name: N }>;
  };

  /** What `who`'s shares are worth at the pool's NAV per share now. */
  const worth = async (pool: RiskSharingPoolClient, who: string): Promise<bigint> => pool.previewWithdraw(await pool.sharesOf(who));

  const refused = refusedOn(() => chain.provider);

  /** The auditor's replay of the pool's events agrees with every opening and the final book. */
  async function audited(pool: RiskSharingPoolClient): Promise<void> {
    const replay = replayWaterfall(await pool.events(), { insuranceFund: 0n, lpCapital: 0n });
    assert.deepEqual([replay.problems, [...replay.openings.values()].map((o) => o.mismatch).filter(Boolean)], [[], []]);
    const s = await pool.state();
    assert.deepEqual([replay.lpCapital, replay.totalShares, replay.insuranceFund], [s.navAtOpening, s.totalShares, s.insuranceFund]);
  }

  // ------------------------------------------------------------------ fairness

  it("two LPs, traders winning, one LP leaves: the LP who stays loses nothing by the other's exit (book value paid the leaver more)", async () => {
    const { pool } = await newPool([[lp1, 1_000n * UNIT], [lp2, 1_000n * UNIT]], 1_000n * UNIT);
    await open(pool, e9); // NAV 3,000 - 1,000 = 2,000 for 2,000 shares
    const leave = requestIdOf(await pool.connect(lp2).requestWithdraw(1_000n * UNIT));
    const opening = await open(pool, e10); // traders won 600: NAV 3,000 - 1,600 = 1,400
    const nav = 1_400n * UNIT;
    const supply = 2_000n * UNIT;
    assert.deepEqual(event(opening, "NavPerShare").args, { epoch: E10, nav, supply });
    const fill = fillWithdrawals(1_000n * UNIT, nav, supply, nav); // stress = mark: 1,400 above the lock
    assert.equal(fill.partial, false);

    // The book-value rule before NAV (withdrawLiquidity paid shares x (lpCapital + 1) / (totalShares + 1), lpCapital =
    // deposits - withdrawals - write-downs: 2,000, no liquidation wrote anything down) paid the leaver 1,000 and left
    // the stayer 1,400 - 1,000 = 400 for shares worth 700 before the exit.
    const bookPaid = (1_000n * UNIT * (2_000n * UNIT + 1n)) / (supply + 1n);
    const stayerBefore = sharesValue(1_000n * UNIT, nav, supply);
    assert.ok(bookPaid > fill.tokens + 299n * UNIT, `book value ${bookPaid} vs NAV ${fill.tokens}`);
    assert.ok(nav - bookPaid < stayerBefore - 299n * UNIT, "at book value the stayer lost 300");

    const before = await pool.tokenBalanceOf(lp2.address);
    await pool.claim(leave);
    const got = (await pool.tokenBalanceOf(lp2.address)) - before;
    assert.equal(got, fill.tokens);
    assert.ok(got <= 700n * UNIT && got >= 700n * UNIT - 1n, `the leaver's NAV share: ${got}`);
    const stayerAfter = await worth(pool, lp1.address);
    assert.ok(stayerAfter >= stayerBefore, `the stayer: ${stayerAfter} after the exit, ${stayerBefore} before`);
    assert.ok(stayerAfter <= stayerBefore + 2n, "rounding dust only");
    await audited(pool);
  });

  it("a deposit request made just before a market move gets the next epoch's NAV, not the stale one", async () => {
    const { pool, give } = await newPool([[lp1, 2_000n * UNIT]], 1_000n * UNIT);
    await open(pool, e9); // price 1: 2,000 NAV for 2,000 shares
    await give(lp3, 700n * UNIT);
    const deposit = requestIdOf(await pool.connect(lp3).requestDeposit(700n * UNIT));
    const oldValue = sharesValue(2_000n * UNIT, 1_400n * UNIT, 2_000n * UNIT);
    const opening = await open(pool, e10); // traders won 600: NAV 1,400 (the escrowed 700 are not assets)
    assert.equal(event(opening, "EpochOpened").args.poolBalance, 3_000n * UNIT);
    const minted = sharesFor(700n * UNIT, 1_400n * UNIT, 2_000n * UNIT);
    assert.deepEqual(event(opening, "LpDepositsExecuted").args, { epoch: E10, batch: 0, assets: 700n * UNIT, shares: minted });
    // At the stale price (1) the request would have bought 700 shares, worth 700 x 2,100 / 2,700 = 544: the move was not its to pay.
    const stale = sharesValue(700n * UNIT, 2_100n * UNIT, 2_700n * UNIT);
    assert.ok(stale < 545n * UNIT && minted > 999n * UNIT);
    await pool.claim(deposit);
    const value = await worth(pool, lp3.address);
    assert.ok(value <= 700n * UNIT && value >= 700n * UNIT - 2n, `the depositor's shares are worth ${value}`);
    const lp1After = await worth(pool, lp1.address);
    assert.ok(lp1After >= oldValue && lp1After <= oldValue + 2n, "the LP already in is not diluted");
    await audited(pool);
  });

  it("a donation goes to the LPs holding shares when it is priced, pro rata, not to a pending deposit; with no shares outstanding it joins the insurance fund", async () => {
    const { pool, token, give } = await newPool([[lp1, 1_000n * UNIT], [lp2, 1_000n * UNIT]], 1_000n * UNIT);
    await open(pool, e9);
    await give(lp3, 700n * UNIT);
    const deposit = requestIdOf(await pool.connect(lp3).requestDeposit(700n * UNIT));
    await (await token.getFunction("mint").send(stranger.address, 500n * UNIT)).wait();
    await (await (token.connect(stranger) as Contract).getFunction("transfer").send(pool.address, 500n * UNIT)).wait();
    const opening = await open(pool, e10);
    const nav = 1_900n * UNIT; // 3,000 + 500 donated - 1,600
    assert.deepEqual(event(opening, "NavPerShare").args, { epoch: E10, nav, supply: 2_000n * UNIT });
    await pool.claim(deposit);
    const value = await worth(pool, lp3.address);
    assert.ok(value <= 700n * UNIT && value >= 700n * UNIT - 2n, `the depositor got its tokens' worth, no part of the donation: ${value}`);
    for (const lp of [lp1, lp2]) {
      const v = await worth(pool, lp.address);
      assert.ok(v >= 950n * UNIT - 2n && v <= 950n * UNIT + 2n, `each LP in holds 700 + half the donation: ${v}`);
    }

    // No shares outstanding: a donation (or NAV left by LPs all gone) is nobody's; it joins the insurance fund, and the first
    // depositor gets exactly its tokens' worth.
    const fresh = await newPool([], 1_000n * UNIT);
    await fresh.give(lp3, 1_000n * UNIT);
    await (await fresh.token.getFunction("mint").send(fresh.pool.address, 500n * UNIT)).wait();
    const first = requestIdOf(await fresh.pool.connect(lp3).requestDeposit(1_000n * UNIT));
    const o = await open(fresh.pool, e9);
    assert.deepEqual(o.map((x) => x.name), ["EpochOpened", "InsuranceFunded", "NavPerShare", "LpDepositsExecuted"]);
    assert.deepEqual(event(o, "InsuranceFunded").args, { from: fresh.pool.address, amount: 500n * UNIT, insuranceFundAfter: 500n * UNIT });
    await fresh.pool.claim(first);
    assert.equal(await fresh.pool.sharesOf(lp3.address), 1_000n * UNIT);
    assert.equal(await worth(fresh.pool, lp3.address), 1_000n * UNIT);
    assert.equal((await fresh.pool.state()).insuranceFund, 500n * UNIT);
    await audited(pool);
    await audited(fresh.pool);
  });

  it("a haircut pays every settlement of the epoch the same ratio; escrowed deposits do not pay it, deposits and withdrawals wait, the wiped-out shares are void", async () => {
    const { pool, give } = await newPool([[lp1, 1_000n * UNIT]], 1_000n * UNIT);
    await open(pool, e9); // NAV 1,000
    const leave = requestIdOf(await pool.connect(lp1).requestWithdraw(1_000n * UNIT));
    await give(lp2, 500n * UNIT);
    const deposit = requestIdOf(await pool.connect(lp2).requestDeposit(500n * UNIT));
    const opening = await open(pool, e10haircut); // marks 10,000 against assets 2,000 (the 500 in escrow excluded)
    assert.deepEqual(opening.map((x) => x.name), [
      "EpochOpened", "LpWithdrawalsFrozen", "WaterfallStep", "WaterfallStep", "HaircutSet", "ShareEraStarted", "LpWithdrawalsExecuted", "NavPerShare",
    ]);
    assert.deepEqual(await pool.epochStanding(E10), { status: "haircut", haircutNum: 2_000n * UNIT, haircutDen: 10_000n * UNIT });
    assert.deepEqual(event(opening, "LpWithdrawalsExecuted").args, { epoch: E10, batch: 0, shares: 1_000n * UNIT, burned: 0n, tokens: 0n });
    // The ratio is fixed at the opening: the order of settlements and LP claims changes nobody's payment.
    const paid: bigint[] = [];
    for (const [proof, first] of [[settleB, true], [settleA, false]] as const) {
      if (!first) {
        await pool.claim(leave); // the void withdrawal: nothing paid, nothing returned
        await refused(pool, () => pool.claim(deposit), "RequestNotExecuted", { requestId: deposit }); // waits for an opening that is not a Haircut
      }
      const r = await pool.settle(proof);
      paid.push(event(r.events, "Settled").args.paid);
    }
    assert.deepEqual(paid, [((1_000n * UNIT + 1n) * 2_000n) / 10_000n, 200n * UNIT]);
    assert.equal(await pool.sharesOf(lp1.address), 0n);
    assert.equal((await pool.state()).pendingDeposits, 500n * UNIT, "the deposit is still in escrow");
    assert.ok((await pool.poolBalance()) >= 2_000n * UNIT - paid[0] - paid[1] + 500n * UNIT, "the escrowed deposit paid no settlement");
    await audited(pool);
  });

  it("a deposit request waits through Haircut openings: new capital never pays the shortfall of traders who settle later", async () => {
    const { pool, give } = await newPool([[lp1, 1_000n * UNIT]], 1_000n * UNIT);
    await open(pool, e9);
    await give(lp2, 500n * UNIT);
    const deposit = requestIdOf(await pool.connect(lp2).requestDeposit(500n * UNIT));
    const o10 = await open(pool, e10haircut); // assets 2,000 for marks of 10,000: a settlement of epoch 10 pays 0.2
    // Nobody settles in epoch 10, so epoch 11 owes the same 10,000 in full. Minted at epoch 10 (1:1 at NAV 0), the 500 would be
    // assets of epoch 11: 2,500, every settlement paying 0.25 instead of 0.2 - the traders who waited take lp2's 500, whose
    // shares the new wipe-out voids.
    const o11 = await open(pool, e11haircut);
    assert.deepEqual(await pool.epochStanding(11), { status: "haircut", haircutNum: 2_000n * UNIT, haircutDen: 10_000n * UNIT });
    assert.ok(![...o10, ...o11].some((e) => e.name === "LpDepositsExecuted"), "no deposit executes at a Haircut opening");
    const before = await pool.tokenBalanceOf(lp2.address);
    await pool.connect(lp2).cancelRequest(deposit);
    assert.equal((await pool.tokenBalanceOf(lp2.address)) - before, 500n * UNIT, "lp2 keeps its 500");
    await audited(pool);
  });

  it("a near wipe-out starts a new share era: every holding converts at NAV / supply (its value kept), and a new deposit is not diluted by the old share count", async () => {
    const { pool, give } = await newPool([[lp1, 1_000n * UNIT], [lp2, 1_000n * UNIT]], 1_000n * UNIT);
    await open(pool, e9); // NAV 2,000 for 2,000 shares
    await give(lp3, 700n * UNIT);
    const deposit = requestIdOf(await pool.connect(lp3).requestDeposit(700n * UNIT));
    const opening = await open(pool, await cashEpoch(E10, 3_000n * UNIT - 100n)); // traders took all but 100 base units
    const supply = 2_000n * UNIT;
    assert.ok(supply > 100n * (1n << 24n), "test setup: shares outstanding exceed NAV x 2^24");
    assert.deepEqual(event(opening, "ShareEraStarted").args, { era: 1, nav: 100n, supply });
    assert.deepEqual(event(opening, "NavPerShare").args, { epoch: E10, nav: 100n, supply: 100n });
    for (const lp of [lp1, lp2]) {
      assert.equal(await pool.sharesOf(lp.address), 50n, "1,000 of 2,000 shares -> 50 of 100");
      assert.equal(await worth(pool, lp.address), 50n, "half the NAV, as before the era");
    }
    await pool.claim(deposit);
    assert.equal(await pool.sharesOf(lp3.address), 700n * UNIT, "the new era prices at (100 + 1) / (100 + 1): 1:1");
    assert.equal(await worth(pool, lp3.address), 700n * UNIT);
    await audited(pool);
  });

  it("the demo's LP act: a deposit requested in epoch 9 executes at epoch 10's NAV per share and is claimed", async () => {
    const { pool, give } = await newPool([[lp1, 2_000n * UNIT]], 1_000n * UNIT);
    await open(pool, e9);
    await give(lp3, 700n * UNIT);
    const lines: string[] = [];
    const log = (l: string): void => { lines.push(l); };
    const usd = (x: bigint): string => x.toString();
    const act = await requestLpDeposit(pool.connect(lp3), E9, 700n * UNIT, log, usd);
    assert.equal((await claimLpDeposit(pool.connect(lp3), act, log, usd)).executedAt, undefined, "not before the next opening");
    await open(pool, e10);
    const done = await claimLpDeposit(pool.connect(lp3), act, log, usd);
    assert.deepEqual([done.executedAt, done.navPerShareThen, done.navPerShareAtExecution, done.shares],
      [E10, "1.000000", navPerShare(1_400n * UNIT, 2_000n * UNIT), sharesFor(700n * UNIT, 1_400n * UNIT, 2_000n * UNIT)]);
    assert.ok(done.worth !== undefined && done.worth <= 700n * UNIT && done.worth >= 700n * UNIT - 2n);
    assert.match(lines.join("\n"), /bought \d+ shares, worth \d+ tUSD; claimed/);
  });

  // ------------------------------------------------------------------ the lock and the front-run

  it("issue 16.1: an LP who reads batch 0 of a bad opening cannot act on it; a request after the opening waits while the epoch is Stressed and traders are paid in full", async () => {
    const { pool } = await newPool([[lp1, stressedGenesis[0]], [lp2, stressedGenesis[1]]]);
    const assets = stressedGenesis[0] + stressedGenesis[1];
    const opening = await open(pool, e9stressed, async () => {
      // Batch 0 is on-chain: its reader asks to leave with everything. Paid at book value now (the rule before requests),
      // the pool would keep assets - lp1's capital < markTotal: the epoch would open as a Haircut for the traders.
      // Between publishRisk and the opening no LP request is taken at all.
      assert.ok(assets - stressedGenesis[0] < e9stressed.solvency.markTotal);
      await refused(pool, () => pool.connect(lp1).requestWithdraw(stressedGenesis[0]), "LpBookSealed", { epoch: BigInt(E9) });
    });
    const leave = requestIdOf(await pool.connect(lp1).requestWithdraw(stressedGenesis[0]));
    const opened = event(opening, "EpochOpened");
    assert.deepEqual([opened.args.status, opened.args.poolBalance], ["stressed", assets]);
    assert.ok(!opening.some((e) => e.name === "LpWithdrawalsExecuted"), "the withdrawal waits");
    await refused(pool, () => pool.claim(leave), "RequestNotExecuted", { requestId: leave });
    const r = await pool.settle(settleCash);
    assert.equal(event(r.events, "Settled").args.paid, 1_000n * UNIT, "a trader is paid in full");

    // lp2 asks for half its shares too: the same batch. Epoch 10 opens solvent with only 100 above the lock: every
    // request of the batch gets the same fraction, and what is left of its shares comes back.
    const half = stressedGenesis[1] / 2n;
    const stay = requestIdOf(await pool.connect(lp2).requestWithdraw(half));
    const o = await open(pool, e10tight);
    const price = event(o, "NavPerShare").args;
    const w = event(o, "LpWithdrawalsExecuted").args;
    const fill = fillWithdrawals(stressedGenesis[0] + half, price.nav, price.supply, 100n * UNIT);
    assert.equal(fill.partial, true);
    assert.deepEqual(w, { epoch: E10, batch: 0, shares: stressedGenesis[0] + half, burned: fill.burned, tokens: fill.tokens });
    assert.ok(fill.tokens <= 100n * UNIT);
    const claims = [];
    for (const [id, who, r0] of [[stay, lp2, half], [leave, lp1, stressedGenesis[0]]] as const) { // order: the later request first
      const sharesBefore = await pool.sharesOf(who.address);
      const c = event((await pool.claim(id)).events, "LpClaimed").args;
      assert.equal((await pool.sharesOf(who.address)) - sharesBefore, c.shares);
      claims.push({ r: r0, tokens: c.tokens, returned: c.shares });
    }
    for (const c of claims) {
      // pro rata: tokens = r x T / W (rounded down), shares burned = r x burned / W (rounded up), the rest returned
      assert.equal(c.tokens, (c.r * fill.tokens) / w.shares);
      assert.equal(c.r - c.returned, (c.r * fill.burned + w.shares - 1n) / w.shares);
    }
    assert.ok((await pool.poolBalance()) >= (await pool.lockedBalance()), "never below the lock");
    await audited(pool);
  });
});
