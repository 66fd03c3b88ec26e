import { portfolioParams } from "../src/protocol/circuitCatalog.js";
import assert from "node:assert/strict";
import { Contract, type HDNodeWallet, type InterfaceAbi } from "ethers";
import { accountCommitment, newTraderAccount, nullifierOf, type Position, type TraderAccount } from "../src/accounts/account.js";
import { MerkleTree } from "../src/crypto/merkleTree.js";
import { loadCircuitArtifacts, loadContractArtifact } from "../src/artifacts/manifest.js";
import { type Chain, devWallet, startAnvil } from "../src/chain/localChain.js";
import {
  deployPool, type PoolEvent, requestIdOf, type RiskSharingPoolClient, type TxResult, TEST_CIRCUITS,
} from "../src/chain/riskSharingPool.js";
import { replayWaterfall } from "../src/auditor/waterfall.js";
import { sharesValue } from "../src/protocol/lpShares.js";
import { FIELD_MODULUS } from "../src/crypto/field.js";
import { assessLiquidation } from "../src/operator/liquidationRule.js";
import { type LiquidationProof, proveLiquidation } from "../src/operator/proveLiquidation.js";
import { proveSolvency, type SolvencyProof } from "../src/operator/proveSolvency.js";
import { liabilityTotals } from "../src/operator/solvencyTotals.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import type { SolidityProof } from "../src/protocol/solidityProof.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { computeRiskTable, type RiskRow, type RiskTable } from "../src/risk/riskEngine.js";
import { type MarginProof, proveMargin } from "../src/trader/proveMargin.js";
import { testSnapshot } from "./helpers/market.js";
import { deployTestVerifiers, refusedOn, type TestVerifiers } from "./helpers/poolFixtures.js";
import { tableProof } from "./helpers/riskTables.js";

// docs/design.md §9 on anvil: one epoch's proofs (a solvency proof with a tight mark bound, two
// settlements, two liquidations) replayed on three pools whose balances put the same epoch in
// each status — solvent, stressed (LP withdrawals frozen) and haircut — and the loss waterfall
// run by proven liquidations, step by step, in the order of §9.

const EPOCH = 9;
const UNIT = 1_000_000n;
const GARBAGE: SolidityProof = { a: [1n, 3n], b: [[5n, 7n], [11n, 13n]], c: [17n, 19n] };
// Test market rows: 0 ETH-PERP, 1 ETH-3000-C, 2 BTC-PERP, 3 BTC-55000-P.
const SHORT_CALLS_LONG_PERP: Position[] = [{ instrument: 1, quantity: -3n }, { instrument: 2, quantity: 1n }];
const SHORT_CALLS: Position[] = [{ instrument: 1, quantity: -3n }];

describe("Stress, liquidation and the loss waterfall on anvil (docs/design.md §9)", function () {
  let chain: Chain;
  let admin: HDNodeWallet, operator: HDNodeWallet, lp: HDNodeWallet, traderA: HDNodeWallet, traderB: HDNodeWallet, stranger: HDNodeWallet;
  let verifiers: TestVerifiers;

  let table: RiskTable;
  let rows: RiskRow[];
  /** A, B healthy; P under its requirement with equity left (penalty); D below zero at mark (deficit). */
  let accounts: Record<"A" | "B" | "P" | "D", TraderAccount>;
  let solvency: SolvencyProof;
  let stressBound: bigint, markTotal: bigint;
  let settleA: MarginProof, settleB: MarginProof;
  let liquidateP: LiquidationProof, liquidateD: LiquidationProof;

  /** An account with these positions whose least headroom min_s (E_s - R) is `headroom`. */
  function withHeadroom(headroom: bigint, positions: Position[]): TraderAccount {
    const t = newTraderAccount(0n, positions);
    return { ...t, collateral: headroom - assessLiquidation(t, rows, table.scenarios).minHeadroom };
  }

  /** An account with these positions whose mark equity E_0 is `markEquity`. */
  function withMarkEquity(markEquity: bigint, positions: Position[]): TraderAccount {
    const t = newTraderAccount(0n, positions);
    return { ...t, collateral: markEquity - assessLiquidation(t, rows, table.scenarios).equities[0] };
  }

  before(async function () {
    const params = portfolioParams(loadCircuitArtifacts(TEST_CIRCUITS.solvency).instance);
    table = computeRiskTable(testSnapshot(EPOCH));
    rows = commitRiskTable(table, params.logInstruments).rows;
    accounts = {
      A: newTraderAccount(20_000n * UNIT, [{ instrument: 0, quantity: 3n }, { instrument: 1, quantity: -2n }]),
      B: newTraderAccount(12_000n * UNIT, [{ instrument: 2, quantity: -1n }]),
      P: withHeadroom(-1n, SHORT_CALLS_LONG_PERP), // one base unit short of its requirement
      D: withMarkEquity(-150n * UNIT, SHORT_CALLS),
    };
    for (const [name, a] of Object.entries(accounts)) assert.ok(a.collateral >= 0n, `test setup: account ${name} collateral ${a.collateral}`);
    const list = [accounts.A, accounts.B, accounts.P, accounts.D];
    const totals = liabilityTotals(list, rows, params.scenarios);
    markTotal = totals[0];
    stressBound = totals.reduce((m, t) => (t > m ? t : m), 0n);
    assert.ok(markTotal < stressBound, "test setup: stress liabilities exceed mark liabilities");
    solvency = (await proveSolvency(list, table, { circuit: TEST_CIRCUITS.solvency })).proof;
    assert.deepEqual([solvency.stressTotal, solvency.markTotal], [stressBound, markTotal], "the proof publishes the exact figures");

    chain = await startAnvil();
    [admin, operator, lp, traderA, traderB, stranger] = [0, 2, 3, 5, 6, 7].map((i) => devWallet(i, chain.provider));
    const tree = new MerkleTree(params.depth, list.map((a) => accountCommitment(a, params.positions)));
    const request = (index: number) => ({ account: list[index], accountPath: tree.path(index), accountsRoot: tree.root, riskTable: table, epoch: EPOCH });
    settleA = await proveMargin({ ...request(0), recipient: traderA.address, amount: 1_000n * UNIT }, TEST_CIRCUITS.margin);
    settleB = await proveMargin({ ...request(1), recipient: traderB.address, amount: 333n * UNIT + 1n }, TEST_CIRCUITS.margin);
    liquidateP = await proveLiquidation(request(2), TEST_CIRCUITS.liquidation);
    liquidateD = await proveLiquidation(request(3), TEST_CIRCUITS.liquidation);
    assert.ok(liquidateP.statement.penalty > 0n && liquidateP.statement.deficit === 0n, "P pays a penalty");
    assert.ok(liquidateD.statement.penalty === 0n && liquidateD.statement.deficit === 150n * UNIT, "D leaves a deficit of 150");
    assert.equal(liquidateD.statement.tag, nullifierOf(accounts.D.accountKey, EPOCH), "the tag is D's settlement nullifier of the epoch");

    verifiers = await deployTestVerifiers(admin);
  });

  after(async () => {
    await chain?.stop();
    await releaseProverThreads();
  });

  // ------------------------------------------------------------------ helpers

  /**
   * A fresh pool holding `lpCapital` from the LP and `insurance` in its insurance fund, with the
   * epoch's risk root published and its solvency proof posted. Returns the opening's events.
   */
  async function openPool(
    lpCapital: bigint, insurance = 0n, beforeLastBatch?: (pool: RiskSharingPoolClient, token: Contract) => Promise<void>,
    beforePublish?: (pool: RiskSharingPoolClient) => Promise<void>,
  ): Promise<{ pool: RiskSharingPoolClient; opening: PoolEvent[] }> {
    const { pool, token } = await deployPool({ signer: admin, ...verifiers, oracle: admin.address, operator: operator.address, circuits: TEST_CIRCUITS });
    const t = new Contract(token, loadContractArtifact("TestToken").abi as InterfaceAbi, admin);
    for (const [who, amount] of [[lp, lpCapital], [stranger, insurance]] as const) {
      if (amount === 0n) continue;
      await (await t.getFunction("mint").send(who.address, amount)).wait();
      await pool.connect(who).approveToken(amount);
    }
    if (lpCapital > 0n) await pool.connect(lp).depositLiquidity(lpCapital);
    if (insurance > 0n) {
      const r = await pool.connect(stranger).fundInsurance(insurance);
      assert.deepEqual(r.events.map((e) => e.name === "InsuranceFunded" && e.args), [{ from: stranger.address, amount: insurance, insuranceFundAfter: insurance }]);
    }
    await beforePublish?.(pool); // LP requests: none are taken between publishRisk and the opening
    await pool.publishRisk(await tableProof(table));
    for (const b of solvency.batches.slice(0, -1)) await pool.connect(operator).postSolvency(b);
    await beforeLastBatch?.(pool, t);
    const posted = await pool.connect(operator).postSolvency(solvency.batches[solvency.batches.length - 1]);
    return { pool, opening: posted.events.filter((e) => e.name !== "SolvencyBatchAccepted") };
  }

  const refused = refusedOn(() => chain.provider);

  const steps = (r: TxResult): [string, bigint, bigint, bigint][] =>
    r.events.flatMap((e) => (e.name === "WaterfallStep" ? [[e.args.stage, e.args.amount, e.args.insuranceFundAfter, e.args.lpCapitalAfter]] : []));

  const paid = (r: TxResult): bigint => {
    const e = r.events.find((x) => x.name === "Settled");
    assert.ok(e?.name === "Settled");
    return e.args.paid;
  };

  // ------------------------------------------------------------------ the three statuses

  it("opens an epoch whose balance covers the stress bound as solvent: LP capital above the bound can leave, at the opening's NAV per share", async () => {
    let request = 0n;
    const { pool, opening } = await openPool(stressBound + 1_000n * UNIT, 0n, undefined, async (p) => {
      request = requestIdOf(await p.connect(lp).requestWithdraw(1_000n * UNIT));
    });
    assert.deepEqual(opening.map((e) => e.name), ["EpochOpened", "NavPerShare", "LpWithdrawalsExecuted"]);
    assert.ok(opening[0].name === "EpochOpened" && opening[0].args.status === "solvent");
    assert.deepEqual(await pool.epochStanding(EPOCH), { status: "solvent", haircutNum: 0n, haircutDen: 0n });
    const nav = stressBound + 1_000n * UNIT - markTotal;
    const value = sharesValue(1_000n * UNIT, nav, stressBound + 1_000n * UNIT);
    assert.ok(value <= 1_000n * UNIT, "1,000 above the lock: a full fill");
    const before = await pool.tokenBalanceOf(lp.address);
    const r = await pool.claim(request);
    assert.deepEqual(r.events.map((e) => e.name === "LpClaimed" && [e.args.shares, e.args.tokens]), [[0n, value]]);
    assert.equal(await pool.tokenBalanceOf(lp.address), before + value);
    assert.equal(paid(await pool.settle(settleA)), settleA.statement.amount);
  });

  it("opens an epoch whose balance covers only the mark bound as stressed: LP withdrawals wait, settlements pay in full", async () => {
    const between = markTotal + (stressBound - markTotal) / 2n;
    let request = 0n;
    const stressed = await openPool(between, 0n, undefined, async (p) => {
      request = requestIdOf(await p.connect(lp).requestWithdraw(1_000n * UNIT));
    });
    assert.deepEqual(stressed.opening.map((e) => e.name), ["EpochOpened", "LpWithdrawalsFrozen", "NavPerShare"]);
    await refused(stressed.pool, () => stressed.pool.claim(request), "RequestNotExecuted", { requestId: request });
    assert.deepEqual(await stressed.pool.lpRequest(request), { owner: lp.address, batch: 0, era: 0, withdrawal: true, amount: 1_000n * UNIT });
    assert.equal((await stressed.pool.state()).withdrawBatch, 0, "the batch waits for a solvent opening");

    // balance == markTotal: the boundary is still stressed, not haircut; the LPs' NAV is 0 (a wipe-out: a new share era).
    const { pool, opening } = await openPool(markTotal);
    assert.deepEqual(opening.map((e) => e.name), ["EpochOpened", "LpWithdrawalsFrozen", "ShareEraStarted", "NavPerShare"]);
    assert.equal(await pool.sharesOf(lp.address), 0n);
    const opened = opening[0];
    assert.ok(opened.name === "EpochOpened");
    assert.deepEqual(
      [opened.args.status, opened.args.stressTotal, opened.args.markTotal, opened.args.poolBalance],
      ["stressed", stressBound, markTotal, markTotal],
    );
    assert.equal((await pool.state()).latestStatus, "stressed");
    await refused(pool, () => pool.connect(lp).requestWithdraw(1n), "InsufficientShares", { shares: 0n, requested: 1n });
    const before = await pool.tokenBalanceOf(traderA.address);
    assert.equal(paid(await pool.settle(settleA)), 1_000n * UNIT);
    assert.equal(await pool.tokenBalanceOf(traderA.address), before + 1_000n * UNIT);
  });

  it("opens an epoch whose balance is below the mark bound with a haircut: fund and LP capital written off first, each settlement paid amount x balance / markTotal rounded down", async () => {
    const lpCapital = (markTotal * 2n) / 3n;
    const insurance = 77n * UNIT;
    const { pool, opening } = await openPool(lpCapital, insurance);
    const balance = lpCapital + insurance;
    assert.ok(balance < markTotal);
    assert.deepEqual(opening.map((e) => e.name), ["EpochOpened", "LpWithdrawalsFrozen", "WaterfallStep", "WaterfallStep", "WaterfallStep", "HaircutSet", "ShareEraStarted", "NavPerShare"]);
    assert.deepEqual(opening.flatMap((e) => (e.name === "WaterfallStep" ? [[e.args.tag, e.args.stage, e.args.amount]] : [])), [
      [0n, "insuranceFund", insurance], [0n, "lpCapital", lpCapital], [0n, "haircut", markTotal - balance],
    ]);
    assert.deepEqual(await pool.epochStanding(EPOCH), { status: "haircut", haircutNum: balance, haircutDen: markTotal });
    const s = await pool.state();
    assert.deepEqual([s.insuranceFund, s.navAtOpening, s.totalShares, s.shareEra, s.latestStatus], [0n, 0n, 0n, 1, "haircut"]);
    await refused(pool, () => pool.connect(lp).requestWithdraw(1n), "InsufficientShares", { shares: 0n, requested: 1n });
    // New trader collateral would be paid the same ratio as every claim of the pool (it would pay the old claimants'
    // shortfall): refused while the latest opening is a Haircut.
    await refused(pool, () => pool.connect(traderA).depositCollateral(1_000n * UNIT), "HaircutPool", { epoch: BigInt(EPOCH) });

    let total = 0n;
    for (const [proof, wallet] of [[settleA, traderA], [settleB, traderB]] as const) {
      const before = await pool.tokenBalanceOf(wallet.address);
      const got = paid(await pool.settle(proof));
      const amount = proof.statement.amount;
      assert.equal(got, (amount * balance) / markTotal, "exact haircut, rounded down");
      assert.ok(got * markTotal <= amount * balance && amount * balance < (got + 1n) * markTotal);
      assert.ok(got < amount);
      assert.equal(await pool.tokenBalanceOf(wallet.address), before + got);
      total += got;
    }
    assert.ok(amountsRoundDown(settleB.statement.amount, balance, markTotal), "test setup: B's payment is not exact, so rounding shows");
    assert.ok(total <= balance);
    assert.equal(await pool.poolBalance(), balance - total);

    // A deficit in a haircut epoch: nothing is left in the fund or the LP capital, so it all goes to the haircut line.
    const r = await pool.connect(operator).liquidate(liquidateD);
    assert.deepEqual(steps(r), [["haircut", 150n * UNIT, 0n, 0n]]);

    // The wiped-out LP shares are void (a new share era): they cannot dilute a later deposit.
    assert.equal(await pool.sharesOf(lp.address), 0n);
    assert.equal((await pool.state()).totalShares, 0n);
  });

  it("issue 15: the operator cannot choose a haircut or a freeze — inflated figures are refused, the status comes from the exact ones", async () => {
    const insurance = 5_000n * UNIT;
    const lpCapital = stressBound + 1_000n * UNIT;
    const { pool, opening } = await openPool(lpCapital, insurance, async (p) => {
      // The attack of issue 15: the last batch posted with figures far above the true totals
      // (it opened the epoch as Haircut and wrote the fund and the LP capital off) — and the
      // stress figure alone (it froze LP withdrawals at will). Both refused, nothing changed.
      const last = solvency.batches[solvency.batches.length - 1];
      const before = JSON.stringify(await p.state(), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
      for (const figures of [{ stressTotal: 10n ** 15n, markTotal: 10n ** 15n }, { stressTotal: 10n ** 15n }, { stressTotal: stressBound + 1n }, { markTotal: markTotal + 1n }]) {
        await refused(p, () => p.connect(operator).postSolvency({ ...last, statement: { ...last.statement, ...figures } }), "InvalidProof");
      }
      assert.equal(JSON.stringify(await p.state(), (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)), before);
      await assert.rejects(proveSolvency([accounts.A, accounts.B, accounts.P, accounts.D], table, { circuit: TEST_CIRCUITS.solvency, expect: { stressTotal: 10n ** 15n, markTotal: 10n ** 15n } }),
        /stressTotal 1000000000000000 is not exact/);
    });
    assert.deepEqual(opening.map((e) => e.name === "EpochOpened" && e.args.status), ["solvent", false]);
    const s = await pool.state();
    assert.deepEqual([s.insuranceFund, s.navAtOpening, s.latestStatus], [insurance, lpCapital - markTotal, "solvent"]);
    assert.equal(paid(await pool.settle(settleA)), settleA.statement.amount, "a valid settlement is paid in full");
  });

  it("issue 16.2: trader deposits made after the risk was published do not count toward the status (new money does not pay old accounts)", async () => {
    const lpCapital = markTotal - 1_000n * UNIT; // assets below the mark total: a haircut
    const late = 5_000n * UNIT;
    const { pool, opening } = await openPool(lpCapital, 0n, async (p, t) => {
      await (await t.getFunction("mint").send(traderB.address, late)).wait();
      await p.connect(traderB).approveToken(late);
      await p.connect(traderB).depositCollateral(late);
    });
    const opened = opening.find((e) => e.name === "EpochOpened");
    assert.ok(opened?.name === "EpochOpened");
    // Counting the late deposit, the balance (lpCapital + 5,000) would cover the mark total: "stressed".
    assert.deepEqual([opened.args.status, opened.args.poolBalance], ["haircut", lpCapital]);
    assert.deepEqual(await pool.epochStanding(EPOCH), { status: "haircut", haircutNum: lpCapital, haircutDen: markTotal });
    assert.equal((await pool.state()).lockedBalance, stressBound + late, "the late deposit stays locked");
  });

  function amountsRoundDown(amount: bigint, num: bigint, den: bigint): boolean {
    return (amount * num) % den !== 0n;
  }

  // ------------------------------------------------------------------ liquidation and the waterfall

  describe("liquidation", () => {
    let pool: RiskSharingPoolClient;
    const insurance = 40n * UNIT;

    before(async () => {
      ({ pool } = await openPool(stressBound + 500n * UNIT, insurance));
    });

    it("refuses a liquidation without a valid proof, with forged signals, from a non-operator, or non-canonical", async () => {
      const op = pool.connect(operator);
      const s = liquidateD.statement;
      await refused(pool, () => op.liquidate({ ...liquidateD, solidity: GARBAGE }), "InvalidProof");
      await refused(pool, () => op.liquidate({ ...liquidateD, solidity: liquidateP.solidity }), "InvalidProof");
      await refused(pool, () => op.liquidate({ ...liquidateD, statement: { ...s, deficit: s.deficit + 1n } }), "InvalidProof");
      await refused(pool, () => op.liquidate({ ...liquidateD, statement: { ...s, deficit: s.deficit - 1n } }), "InvalidProof");
      await refused(pool, () => op.liquidate({ ...liquidateP, statement: { ...liquidateP.statement, penalty: liquidateP.statement.penalty + 1n } }), "InvalidProof");
      await refused(pool, () => op.liquidate({ ...liquidateD, statement: { ...s, tag: liquidateP.statement.tag } }), "InvalidProof");
      await refused(pool, () => op.liquidate({ ...liquidateD, statement: { ...s, tag: s.tag + FIELD_MODULUS } }), "SignalNotInField", { index: 3n });
      await refused(pool, () => op.liquidate({ ...liquidateD, statement: { ...s, epoch: EPOCH + 1 } }), "EpochNotSettleable", { epoch: BigInt(EPOCH + 1) });
      await refused(pool, () => pool.connect(stranger).liquidate(liquidateD), "Unauthorized", { role: 2n, caller: stranger.address });
      // A margin proof has six public signals too, but it is not a liquidation proof.
      const m = settleA.statement;
      await refused(pool, () => op.liquidate({ statement: { epoch: EPOCH, tag: m.nullifier, penalty: BigInt(m.recipient), deficit: m.amount }, solidity: settleA.solidity }), "InvalidProof");
      assert.equal((await pool.state()).insuranceFund, insurance);
    });

    it("runs a deficit down the waterfall: insurance fund first, then the LPs (first loss, already in the opening's NAV), logged step by step", async () => {
      const lpBefore = (await pool.state()).navAtOpening;
      assert.equal(lpBefore, stressBound + 500n * UNIT - markTotal, "NAV = assets - fund - markTotal");
      const r = await pool.connect(operator).liquidate(liquidateD);
      assert.deepEqual(r.events.map((e) => e.name), ["Liquidated", "WaterfallStep", "WaterfallStep"]);
      assert.deepEqual(r.events[0].name === "Liquidated" && r.events[0].args, { epoch: EPOCH, tag: liquidateD.statement.tag, penalty: 0n, deficit: 150n * UNIT });
      const written = 150n * UNIT - insurance;
      assert.deepEqual(steps(r), [["insuranceFund", insurance, 0n, lpBefore], ["lpCapital", written, 0n, lpBefore]]);
      const s = await pool.state();
      // The LPs' part was priced at the opening (markTotal counts no negative equity); the fund's draw returns to them at the next opening.
      assert.deepEqual([s.insuranceFund, s.navAtOpening], [0n, lpBefore]);
      // The tag is the account's nullifier of the epoch: the liquidated account can no longer settle.
      assert.equal(await pool.nullifierUsed(liquidateD.statement.tag), true);
    });

    it("moves a penalty into the insurance fund, which LP withdrawals cannot take", async () => {
      const penalty = liquidateP.statement.penalty;
      const lpNow = (await pool.state()).navAtOpening;
      const r = await pool.connect(operator).liquidate(liquidateP);
      assert.deepEqual(steps(r), [["penalty", penalty, penalty, lpNow]]);
      const s = await pool.state();
      assert.equal(s.insuranceFund, penalty);
      assert.equal(s.lockedBalance, stressBound + penalty);
    });

    it("refuses a reused tag", async () => {
      for (const proof of [liquidateD, liquidateP]) {
        await refused(pool, () => pool.connect(operator).liquidate(proof), "NullifierAlreadyUsed", { nullifier: proof.statement.tag });
      }
    });

    it("logs a history from which an auditor recomputes the fund, the LPs' NAV and every waterfall step", async () => {
      let fund = 0n;
      for (const e of await pool.events()) {
        if (e.name === "InsuranceFunded") fund += e.args.amount;
        if (e.name === "WaterfallStep") {
          if (e.args.stage === "penalty") fund += e.args.amount;
          if (e.args.stage === "insuranceFund") fund -= e.args.amount;
          assert.equal(e.args.insuranceFundAfter, fund);
        }
      }
      const replay = replayWaterfall(await pool.events(), { insuranceFund: 0n, lpCapital: 0n });
      assert.deepEqual([replay.problems, [...replay.openings.values()].map((o) => o.mismatch), replay.liquidations.map((l) => l.mismatch)], [[], [undefined], [undefined, undefined]]);
      const s = await pool.state();
      assert.deepEqual([s.insuranceFund, s.navAtOpening, s.totalShares], [fund, replay.lpCapital, replay.totalShares]);
      assert.equal(replay.insuranceFund, fund);
    });

    it("closes liquidation with the epoch", async () => {
      await pool.publishRisk(await tableProof({ ...table, epoch: EPOCH + 1 }));
      await refused(pool, () => pool.connect(operator).liquidate(liquidateP), "EpochNotSettleable", { epoch: BigInt(EPOCH) });
    });
  });
});
