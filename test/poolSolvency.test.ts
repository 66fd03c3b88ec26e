import assert from "node:assert/strict";
import { accountCommitment, type AccountOpening, newTraderAccount } from "../src/accounts/account.js";
import { MerkleTree } from "../src/crypto/merkleTree.js";
import type { SolvencyInstance } from "../src/protocol/circuitCatalog.js";
import { type CircuitArtifacts, loadCircuitArtifacts } from "../src/artifacts/manifest.js";
import { FIELD_MODULUS, toField } from "../src/crypto/field.js";
import { type BatchProof, proveSolvency, type SolvencyProof } from "../src/operator/proveSolvency.js";
import { planSolvencyBatches, totalsCommitment } from "../src/operator/solvencyBatches.js";
import { exactFigures, flooredEquities, InexactFigureError, liabilityTotals } from "../src/operator/solvencyTotals.js";
import { verifySolvency } from "../src/operator/verifySolvency.js";
import type { CircuitInput } from "../src/proof/groth16Prover.js";
import { releaseProverThreads, verifyGroth16 } from "../src/proof/groth16Prover.js";
import { scenarioEquities } from "../src/risk/equity.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { computeRiskTable, type RiskTable } from "../src/risk/riskEngine.js";
import { testSnapshot } from "./helpers/market.js";
import { computeWitness, constraintsHold, signalIndex, tamper, witnessRejected } from "./helpers/witness.js";

const CIRCUIT = "solvency_test";
const EPOCH = 9;

describe("PoolSolvency (docs/design.md §4.2)", function () {
  let artifacts: CircuitArtifacts;
  let params: SolvencyInstance["params"];
  let table: RiskTable;
  let accounts: AccountOpening[];
  let totals: bigint[];
  let maxTotal: bigint;
  let proof: SolvencyProof;

  /** Six accounts (two batches of four slots): options and perps, one of them deeply underwater in some scenarios. */
  function pool(): AccountOpening[] {
    return [
      newTraderAccount(20_000_000_000n, [{ instrument: 0, quantity: 3n }, { instrument: 1, quantity: -2n }]),
      newTraderAccount(5_000_000_000n, [{ instrument: 2, quantity: -1n }]),
      newTraderAccount(900_000_000n, [{ instrument: 0, quantity: -5n }]), // negative equity when ETH rises
      newTraderAccount(7_000_000_000n, [{ instrument: 3, quantity: 4n }, { instrument: 1, quantity: 1n }]),
      newTraderAccount(1_000_000n),
      newTraderAccount(3_000_000_000n, [{ instrument: 2, quantity: 1n }, { instrument: 0, quantity: -1n }]),
    ];
  }

  const plan = (accs: readonly AccountOpening[], epoch = EPOCH) =>
    planSolvencyBatches(accs, epoch === EPOCH ? table : { ...table, epoch }, epoch, params);

  before(async () => {
    artifacts = loadCircuitArtifacts(CIRCUIT);
    if (artifacts.instance.kind !== "solvency") throw new Error("expected a solvency circuit");
    params = artifacts.instance.params;
    table = computeRiskTable(testSnapshot(EPOCH));
    accounts = pool();
    const rows = commitRiskTable(table, params.logInstruments).rows;
    totals = liabilityTotals(accounts, rows, params.scenarios);
    maxTotal = totals.reduce((m, t) => (t > m ? t : m), 0n);
    proof = (await proveSolvency(accounts, table, { circuit: CIRCUIT })).proof;
  });
  after(releaseProverThreads);

  it("proves an epoch in chained batches; the last batch publishes the exact mark and stress totals, the others none", async () => {
    assert.equal(proof.batches.length, 2);
    assert.deepEqual(await verifySolvency(proof), { valid: true });
    assert.ok(totals[0] < maxTotal, "test setup: the worst column is a stress scenario, not the mark");
    assert.equal(proof.markTotal, totals[0]);
    assert.equal(proof.stressTotal, maxTotal);
    const names = artifacts.instance.publicSignals;
    const figures = (k: number) => [names.indexOf("stressTotal"), names.indexOf("markTotal")].map((i) => proof.batches[k].publicSignals[i]);
    assert.deepEqual(figures(0), ["0", "0"]);
    assert.deepEqual(figures(1), [maxTotal.toString(), totals[0].toString()]);
  });

  it("pins the test instance's constraint count (the reference count is in the README and bench)", () => {
    assert.equal(artifacts.circuit.constraints, 17_968);
  });

  it("the operator cannot choose a figure: an inexact one is refused by the prover, the circuit and the verifier (issue 15)", async () => {
    const worst = totals.indexOf(maxTotal);
    // The attack of issue 15: figures far above the true totals would force a haircut.
    const attack = 10n ** 15n;
    for (const expect of [{ stressTotal: attack }, { markTotal: attack }, { stressTotal: maxTotal + 1n }, { stressTotal: maxTotal - 1n }, { markTotal: totals[0] - 1n }]) {
      await assert.rejects(proveSolvency(accounts, table, { circuit: CIRCUIT, expect }), (err: unknown) => {
        assert.ok(err instanceof InexactFigureError);
        assert.match(err.message, /is not exact: the .* (is|are) \d+; a solvency statement publishes the exact figure/);
        return true;
      });
    }
    await assert.rejects(proveSolvency(accounts, table, { circuit: CIRCUIT, expect: { stressTotal: attack } }), new RegExp(`largest liability total \\(.*\\) is ${maxTotal}`));
    const exact = plan(accounts).batches;
    const last = exact[1].input;
    assert.equal(await witnessRejected(artifacts, last), false);
    // An edited last-batch input: each figure above or below its exact value is refused.
    for (const stressTotal of [attack, maxTotal + 1n, maxTotal - 1n]) assert.equal(await witnessRejected(artifacts, { ...last, stressTotal }), true, `stressTotal ${stressTotal}`);
    for (const markTotal of [attack, totals[0] + 1n, totals[0] - 1n]) assert.equal(await witnessRejected(artifacts, { ...last, markTotal }), true, `markTotal ${markTotal}`);
    // The selector must be one-hot and pick a column whose total is the figure.
    const selector = (cols: number[]) => totals.map((_, s) => (cols.includes(s) ? 1n : 0n));
    assert.deepEqual(last.stressSelector, selector([worst]));
    assert.equal(await witnessRejected(artifacts, { ...last, stressSelector: selector([]) }), true, "no column picked");
    assert.equal(await witnessRejected(artifacts, { ...last, stressSelector: selector([0]) }), true, "the mark column is not the maximum");
    assert.equal(await witnessRejected(artifacts, { ...last, stressSelector: selector([0, worst]) }), true, "two columns");
    assert.equal(await witnessRejected(artifacts, { ...last, stressTotal: totals[0], stressSelector: selector([0]) }), true, "a smaller column's total with its own selector");
    const doubled = totals.map((_, s) => (s === worst ? 2n : 0n));
    assert.equal(await witnessRejected(artifacts, { ...last, stressSelector: doubled }), true, "a selector entry of 2");
    // Inner batches carry no figure: a non-zero one (or a selector) is refused.
    const inner = exact[0].input;
    assert.equal(await witnessRejected(artifacts, inner), false);
    assert.equal(await witnessRejected(artifacts, { ...inner, stressTotal: maxTotal }), true);
    assert.equal(await witnessRejected(artifacts, { ...inner, markTotal: totals[0] }), true);
    assert.equal(await witnessRejected(artifacts, { ...inner, stressSelector: selector([worst]) }), true);
    // A forged figure in the public signals does not verify, and verifySolvency names the mismatch.
    const names = artifacts.instance.publicSignals;
    for (const name of ["stressTotal", "markTotal"]) {
      const forged = [...proof.batches[1].publicSignals];
      forged[names.indexOf(name)] = attack.toString();
      assert.equal(await verifyGroth16(CIRCUIT, forged, proof.batches[1].proof), false, name);
    }
    assert.deepEqual(await verifySolvency({ ...proof, markTotal: attack }), { valid: false, reason: "batch 1 carries another markTotal than the header's" });
    const innerWithFigures = withStatement(proof.batches[0], { stressTotal: maxTotal });
    assert.deepEqual(await verifySolvency({ ...proof, batches: [innerWithFigures, proof.batches[1]] }),
      { valid: false, reason: "batch 0 is not the last but carries figures (stressTotal, markTotal must be 0)" });
  });

  it("a negative-equity account adds 0, never shrinking liabilities (fake-negative-account attack)", async () => {
    const rows = commitRiskTable(table, params.logInstruments).rows;
    const negative = accounts[2];
    const equities = scenarioEquities(negative, rows, params.scenarios);
    assert.ok(equities.some((e) => e < 0n), "fixture: account 2 is underwater in some scenario");
    assert.deepEqual(flooredEquities(negative, rows, params.scenarios), equities.map((e) => (e > 0n ? e : 0n)));
    // Adding a fake account that is deeply negative in every scenario leaves the totals unchanged...
    const fake = newTraderAccount(0n, [{ instrument: 1, quantity: -40n }]);
    assert.ok(scenarioEquities(fake, rows, params.scenarios).every((e) => e < 0n));
    const withFake = [...accounts.slice(0, 4), fake, ...accounts.slice(4)];
    assert.deepEqual(liabilityTotals(withFake, rows, params.scenarios), totals);
    // ...and the circuit agrees: claiming the fake account's (negative) equity instead of 0 is refused.
    const batch = plan(withFake).batches[1];
    const w = await computeWitness(artifacts, batch.input);
    assert.equal(await constraintsHold(artifacts, w), true);
    const idx = signalIndex(artifacts, "main.floored[0][1]");
    const forged = [...w];
    forged[idx] = toField(scenarioEquities(fake, rows, params.scenarios)[1]);
    assert.equal(await constraintsHold(artifacts, forged), false);
    // Its sign bit cannot be flipped either.
    assert.equal(await constraintsHold(artifacts, tamper(artifacts, w, "main.equityNonNeg[0][1]")), false);
  });

  it("an account omitted, altered or moved against the posted root is refused", async () => {
    const b0 = plan(accounts).batches[0];
    const active = [...(b0.input.active as bigint[])];
    active[1] = 0n; // omit account 1: the subtree no longer matches accountsRoot
    const zero = (xs: CircuitInput[string], j: number, v: bigint | bigint[]) => (xs as unknown[]).map((x, i) => (i === j ? v : x)) as bigint[];
    assert.equal(await witnessRejected(artifacts, {
      ...b0.input, active, collateral: zero(b0.input.collateral, 1, 0n), quantity: zero(b0.input.quantity, 1, [0n, 0n]),
    }), true);
    // altered collateral (lower, to shrink liabilities)
    assert.equal(await witnessRejected(artifacts, { ...b0.input, collateral: zero(b0.input.collateral, 0, 1n) }), true);
    // altered position
    const q = (b0.input.quantity as bigint[][]).map((r) => [...r]);
    q[0][1] = 0n;
    assert.equal(await witnessRejected(artifacts, { ...b0.input, quantity: q }), true);
    // the same subtree claimed at another batch index
    assert.equal(await witnessRejected(artifacts, { ...b0.input, batchIndex: 1n }), true);
  });

  it("an account hidden after the last batch is refused (right side must be empty)", async () => {
    // Accounts at leaves 0..5, zero-balance fillers, and one more account at leaf 40.
    const hidden = newTraderAccount(50_000_000_000n);
    const fillers = Array.from({ length: 34 }, () => newTraderAccount(0n));
    const full = planSolvencyBatches([...accounts, ...fillers, hidden], table, EPOCH, params);
    // Batch 1 is honest as an inner batch, but may not claim to be the last one: leaf 40 is not empty.
    const b1 = full.batches[1];
    assert.equal(await witnessRejected(artifacts, { ...b1.input, isLast: 0n }), false);
    const figures = exactFiguresOf(b1.totals);
    assert.equal(await witnessRejected(artifacts, { ...b1.input, isLast: 1n, ...figures }), true);
  });

  it("negative or field-wrapping collateral and quantities are refused", async () => {
    assert.throws(() => plan([{ ...accounts[0], collateral: -1n }]), /account 0: collateral = -1 is out of range/);
    assert.throws(() => plan([{ ...accounts[0], positions: [{ instrument: 0, quantity: 1n << 40n }] }]), /account 0: positions\[0\]\.quantity/);
    const b0 = plan(accounts).batches[0];
    for (const bad of [FIELD_MODULUS - 5n, 1n << 64n]) {
      const collateral = [...(b0.input.collateral as bigint[])];
      collateral[2] = bad;
      assert.equal(await witnessRejected(artifacts, { ...b0.input, collateral }), true);
    }
    const q = (b0.input.quantity as bigint[][]).map((r) => [...r]);
    q[2][0] = (FIELD_MODULUS + 1n) / 2n;
    assert.equal(await witnessRejected(artifacts, { ...b0.input, quantity: q }), true);
  });

  it("a slot pointing past the listed instruments is refused even with quantity 0 (same leaves as the margin circuit)", async () => {
    const account = newTraderAccount(1_000_000n, [{ instrument: 1, quantity: 0n }]);
    const b0 = plan([account]).batches[0];
    assert.equal(await witnessRejected(artifacts, b0.input), false);
    const instrument = (b0.input.instrument as bigint[][]).map((r) => [...r]);
    instrument[0][0] = 4n; // N = 4 in the test circuit
    // Rebuild the tree around the edited leaf, so only the instrument range check can refuse it.
    const edited = { ...account, positions: [{ instrument: 4, quantity: 0n }] };
    const tree = new MerkleTree(params.depth, [accountCommitment(edited, params.positions)]);
    assert.equal(await witnessRejected(artifacts, {
      ...b0.input, instrument, accountsRoot: tree.root, subtreeSiblings: tree.pathFrom(params.logBatch, 0).siblings,
    }), true);
    assert.throws(() => plan([edited]), /positions\[0\]\.instrument = 4 is not a listed instrument index/);
  });

  it("pads to a power-of-two batch count so the public learns the account count only within a factor of two", async () => {
    const nine = Array.from({ length: 9 }, (_, i) => newTraderAccount(BigInt(i + 1) * 1_000_000n));
    const p = plan(nine);
    assert.equal(p.batches.length, 4); // 3 needed
    assert.deepEqual(p.batches.map((b) => b.statement.isLast), [false, false, false, true]);
    assert.deepEqual(p.batches[3].input.active, [0n, 0n, 0n, 0n]);
    assert.equal(await witnessRejected(artifacts, p.batches[3].input), false);
    assert.throws(() => planSolvencyBatches(nine, table, EPOCH, params, { batchCount: 2 }), /batchCount must be an integer from 3/);
  });

  it("running totals that do not chain, or that start above zero, are refused", async () => {
    const p = plan(accounts);
    const [b0, b1] = p.batches;
    // batch 1 claiming smaller previous totals than batch 0 produced
    const prevTotals = (b1.input.prevTotals as bigint[]).map((t) => (t > 0n ? t - 1n : t));
    assert.equal(await witnessRejected(artifacts, { ...b1.input, prevTotals }), true);
    // ...even with a commitment recomputed for them: it no longer matches batch 0's output
    const recommitted = totalsCommitment(EPOCH, 0n, prevTotals, b1.input.prevBlinding as bigint);
    const verdict = await verifySolvency({ ...proof, batches: [proof.batches[0], withStatement(proof.batches[1], { prevTotalsCommitment: recommitted })] });
    assert.equal(verdict.valid, false);
    // batch 0 cannot start from negative totals
    const negativeStart = (b0.input.prevTotals as bigint[]).map(() => FIELD_MODULUS - 10n ** 12n);
    const c = totalsCommitment(EPOCH, -1n, negativeStart, b0.input.prevBlinding as bigint);
    assert.equal(await witnessRejected(artifacts, { ...b0.input, prevTotals: negativeStart, prevTotalsCommitment: c }), true);
    // totals committed below the computed sum (the sum-tree child-swap idea) are refused
    const lower = totalsCommitment(EPOCH, 0n, b0.totals.map((t) => t / 2n), b0.input.blinding as bigint);
    assert.equal(await witnessRejected(artifacts, { ...b0.input, totalsCommitment: lower }), true);
  });

  it("batches reordered, dropped, or replayed from another epoch are refused", async () => {
    const [b0, b1] = proof.batches;
    assert.match((await verifySolvency({ ...proof, batches: [b1, b0] })).reason ?? "", /reordered/);
    assert.match((await verifySolvency({ ...proof, batches: [b1] })).reason ?? "", /reordered|index/);
    assert.match((await verifySolvency({ ...proof, batches: [b0] })).reason ?? "", /marked last/);
    // A batch of epoch 10 with the same accounts cannot be passed off as epoch 9: its signals
    // carry epoch 10, and relabelling them breaks the Groth16 proof.
    const other = (await proveSolvency(accounts, { ...table, epoch: 10 }, { circuit: CIRCUIT, epoch: 10 })).proof;
    assert.equal((await verifySolvency({ ...proof, batches: [b0, other.batches[1]] })).valid, false);
    const relabelled = withStatement(other.batches[1], { epoch: EPOCH, prevTotalsCommitment: b0.statement.totalsCommitment });
    assert.equal((await verifySolvency({ ...proof, batches: [b0, relabelled] })).valid, false);
    const forged = [...other.batches[1].publicSignals];
    forged[0] = String(EPOCH);
    assert.equal(await verifyGroth16(CIRCUIT, forged, other.batches[1].proof), false);
  });

  describe("soundness: an honest witness with one computed signal edited fails the constraints", () => {
    const EDITS: (string | RegExp)[] = [
      "main.leaves[0]", "main.commitment[1]", "main.placed[0][0][0]", "main.valueTerm[0][3][1]", "main.equityNonNeg[2][5]",
      "main.floored[3][0]", "main.boundSlack[16]", "main.boundSlack[2]", "main.isFirst", "main.subtreeRoot",
      /^main\.SubtreeInclusion_\d+_\d+\.nodes\[2\]$/, /^main\.SubtreeInclusion_\d+_\d+\.mustBeEmpty\[1\]$/,
    ];
    let witness: bigint[];
    before(async () => {
      witness = await computeWitness(artifacts, plan(accounts).batches[1].input);
      assert.equal(await constraintsHold(artifacts, witness), true);
    });
    for (const name of EDITS) {
      it(`editing ${String(name)}`, async () => {
        assert.equal(await constraintsHold(artifacts, tamper(artifacts, witness, name)), false);
      });
    }
  });

  it("property: the circuit's batch totals equal the TypeScript model on random pools", async () => {
    let seed = 777;
    const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    const rows = commitRiskTable(table, params.logInstruments).rows;
    for (let trial = 0; trial < 6; trial++) {
      const accs = Array.from({ length: 1 + rand(4) }, () => newTraderAccount(BigInt(rand(5000)) * 1_000_000n,
        Array.from({ length: rand(params.positions + 1) }, () => ({ instrument: rand(4), quantity: BigInt(rand(41) - 20) }))));
      const model = liabilityTotals(accs, rows, params.scenarios);
      const planned = plan(accs);
      const b = planned.batches[0];
      const w = await computeWitness(artifacts, b.input);
      // (The totals themselves are folded away by --O2; the floored equities they sum are kept.)
      accs.forEach((a, j) => {
        const fromCircuit = model.map((_, s) => w[signalIndex(artifacts, `main.floored[${j}][${s}]`)]);
        assert.deepEqual(fromCircuit, flooredEquities(a, rows, params.scenarios));
      });
      const summed = model.map((_, s) => accs.reduce((t, _a, j) => t + w[signalIndex(artifacts, `main.floored[${j}][${s}]`)], 0n));
      assert.deepEqual(summed, model);
      assert.equal(w[signalIndex(artifacts, "main.leaves[0]")], planned.tree.leaf(0));
    }
  });
});

/** The last-batch figures for given running totals (as the planner derives them). */
function exactFiguresOf(totals: readonly bigint[]): { stressTotal: bigint; markTotal: bigint; stressSelector: bigint[] } {
  const f = exactFigures(totals);
  return { stressTotal: f.stressTotal, markTotal: f.markTotal, stressSelector: totals.map((_, s) => (s === f.stressColumn ? 1n : 0n)) };
}

function withStatement(b: BatchProof, change: Partial<BatchProof["statement"]>): BatchProof {
  return { ...b, statement: { ...b.statement, ...change } };
}
