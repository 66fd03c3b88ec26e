import assert from "node:assert/strict";
import { accountCommitment, accountKeyOf, newTraderAccount, nullifierOf, type TraderAccount } from "../src/accounts/account.js";
import { MerkleTree } from "../src/accounts/merkleTree.js";
import type { CircuitArtifacts } from "../src/artifacts/manifest.js";
import { loadCircuitArtifacts } from "../src/artifacts/manifest.js";
import type { MarginInstance } from "../src/protocol/circuitCatalog.js";
import { FIELD_MODULUS, toField } from "../src/crypto/field.js";
import { hashList } from "../src/crypto/poseidon.js";
import type { CircuitInput } from "../src/proof/groth16Prover.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import { marginReport } from "../src/risk/equity.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { computeRiskTable, type RiskTable } from "../src/risk/riskEngine.js";
import { buildMarginInput, type MarginRequest } from "../src/trader/marginInput.js";
import { MarginShortfallError, proveMargin } from "../src/trader/proveMargin.js";
import { verifyMargin } from "../src/trader/verifyMargin.js";
import { testSnapshot } from "./helpers/market.js";
import { computeWitness, constraintsHold, signalIndex, tamper, witnessRejected } from "./helpers/witness.js";

const CIRCUIT = "margin_test";
const EPOCH = 3;
const RECIPIENT = "0x00000000000000000000000000000000000000A1";

describe("MarginCompliance (DESIGN §4.1)", function () {
  let artifacts: CircuitArtifacts;
  let params: MarginInstance["params"];
  let table: RiskTable;

  before(() => {
    artifacts = loadCircuitArtifacts(CIRCUIT);
    if (artifacts.instance.kind !== "margin") throw new Error("expected a margin circuit");
    params = artifacts.instance.params;
    table = computeRiskTable(testSnapshot(EPOCH));
  });
  after(releaseProverThreads);

  /** An account placed at `index` of a fresh tree, and the request to withdraw `amount`. */
  function request(account: TraderAccount, amount = 0n, index = 5): MarginRequest {
    const tree = new MerkleTree(params.depth);
    tree.set(index, accountCommitment(account, params.positions));
    tree.set(index + 1, 12345n); // another account beside it
    return { account, accountPath: tree.path(index), accountsRoot: tree.root, riskTable: table, epoch: EPOCH, recipient: RECIPIENT, amount };
  }

  /** A portfolio with options and perps whose worst-scenario slack is exactly `slack` after withdrawing `amount`. */
  function edgeAccount(slack: bigint, amount = 0n): TraderAccount {
    const account = newTraderAccount(0n, [{ instrument: 1, quantity: -3n }, { instrument: 2, quantity: 1n }]);
    const rows = commitRiskTable(table, params.logInstruments).rows;
    const r = marginReport(account, rows, params.scenarios, amount);
    const worst = r.slack[r.worstColumn];
    return { ...account, collateral: slack - worst };
  }

  function input(req: MarginRequest): CircuitInput {
    return buildMarginInput(req, params).input;
  }

  describe("honest proofs", () => {
    it("proves and verifies an account exactly at its margin edge in its worst scenario", async () => {
      const req = request(edgeAccount(0n, 1_000n), 1_000n);
      const proof = await proveMargin(req, CIRCUIT);
      assert.equal(await verifyMargin(proof), true);
      assert.equal(proof.statement.nullifier, nullifierOf(accountKeyOf(req.account.secret), EPOCH));
    });

    it("proves a plain compliance attestation (amount 0)", async () => {
      const proof = await proveMargin(request(edgeAccount(5n)), CIRCUIT);
      assert.equal(await verifyMargin(proof), true);
    });
  });

  describe("dishonest inputs are rejected", () => {
    it("an account short by one unit in one scenario fails before proving, naming the scenario and shortfall", async () => {
      const account = edgeAccount(-1n);
      const rows = commitRiskTable(table, params.logInstruments).rows;
      const r = marginReport(account, rows, params.scenarios);
      assert.equal(r.slack.filter((s) => s < 0n).length >= 1, true);
      await assert.rejects(proveMargin(request(account), CIRCUIT), (err: unknown) => {
        assert.ok(err instanceof MarginShortfallError);
        assert.equal(err.shortfall, 1n);
        assert.match(err.message, /short by 1 in (mark|scenario \d+)/);
        return true;
      });
      // And the circuit itself refuses it (the TypeScript check bypassed).
      assert.equal(await witnessRejected(artifacts, input(request(account))), true);
      assert.equal(await witnessRejected(artifacts, input(request(edgeAccount(0n)))), false);
    });

    it("an instrument value that is not the one committed in riskRoot", async () => {
      const i = input(request(edgeAccount(1_000_000n)));
      const values = (i.values as bigint[][]).map((r) => [...r]);
      values[0][4] = values[0][4] + 1n; // a better value for the trader in scenario 4
      assert.equal(await witnessRejected(artifacts, { ...i, values }), true);
      const addon = [...(i.addon as bigint[])];
      addon[0] = 0n;
      assert.equal(await witnessRejected(artifacts, { ...i, addon }), true);
    });

    it("a position pointing at another instrument than its risk row", async () => {
      const i = input(request(edgeAccount(1_000_000n)));
      const instrument = [...(i.instrument as bigint[])];
      instrument[0] = 3n;
      assert.equal(await witnessRejected(artifacts, { ...i, instrument }), true);
    });

    it("an account that is not in accountsRoot (altered collateral or wrong root)", async () => {
      const req = request(edgeAccount(1_000_000n));
      const i = input(req);
      assert.equal(await witnessRejected(artifacts, { ...i, collateral: (i.collateral as bigint) + 1_000n }), true);
      assert.equal(await witnessRejected(artifacts, { ...i, accountsRoot: (i.accountsRoot as bigint) + 1n }), true);
      assert.throws(() => buildMarginInput({ ...req, accountsRoot: req.accountsRoot + 1n }, params), /not in accountsRoot/);
    });

    it("a wrong nullifier, or the nullifier of another epoch", async () => {
      const req = request(edgeAccount(1_000_000n));
      const i = input(req);
      assert.equal(await witnessRejected(artifacts, { ...i, nullifier: (i.nullifier as bigint) + 1n }), true);
      assert.equal(await witnessRejected(artifacts, { ...i, nullifier: nullifierOf(req.account.accountKey, EPOCH + 1) }), true);
      assert.equal(await witnessRejected(artifacts, { ...i, epoch: BigInt(EPOCH + 1) }), true);
      assert.throws(() => buildMarginInput({ ...req, epoch: EPOCH + 1 }, params), /risk table is for epoch 3/);
    });

    it("a proof whose recipient or amount is changed afterwards", async () => {
      const proof = await proveMargin(request(edgeAccount(2_000n, 500n), 500n), CIRCUIT);
      const other = { ...proof.statement, recipient: "0x00000000000000000000000000000000000000B2" };
      const forged = [...proof.publicSignals];
      forged[4] = BigInt(other.recipient).toString();
      assert.equal(await verifyMargin({ ...proof, statement: other, publicSignals: forged }), false);
      const bigger = [...proof.publicSignals];
      bigger[5] = "2500";
      assert.equal(await verifyMargin({ ...proof, statement: { ...proof.statement, amount: 2500n }, publicSignals: bigger }), false);
      // The statement must match the signals too.
      assert.equal(await verifyMargin({ ...proof, statement: other }), false);
    });

    it("an amount above collateral", async () => {
      const account = { ...newTraderAccount(1_000n), positions: [] };
      assert.throws(() => buildMarginInput(request(account, 1_001n), params), /amount 1001 is above the account's collateral 1000/);
      const i = input(request(account, 1_000n));
      assert.equal(await witnessRejected(artifacts, i), false);
      assert.equal(await witnessRejected(artifacts, { ...i, amount: 1_001n }), true);
    });

    it("out-of-range and field-wrapping collateral, amount and quantities", async () => {
      // A negative collateral (p - 5) or one of 2^64 cannot be opened, even in a matching tree.
      for (const collateral of [FIELD_MODULUS - 5n, 1n << 64n]) {
        const account = { ...newTraderAccount(0n), collateral };
        assert.throws(() => buildMarginInput(request(account), params), /collateral = .* is out of range/);
        const honest = input(request({ ...account, collateral: 0n }));
        const tree = new MerkleTree(params.depth);
        tree.set(5, accountCommitment(account, params.positions));
        assert.equal(await witnessRejected(artifacts, { ...honest, collateral, accountSiblings: tree.path(5).siblings, accountsRoot: tree.root }), true);
      }
      // A quantity of 2^32 (or one that wraps the field) is refused by the range check.
      for (const quantity of [1n << 32n, FIELD_MODULUS - (1n << 40n), (FIELD_MODULUS + 1n) / 2n]) {
        const account = { ...newTraderAccount(10n ** 15n), positions: [{ instrument: 0, quantity }] };
        const tree = new MerkleTree(params.depth);
        tree.set(5, accountCommitment(account, params.positions));
        const good = input(request({ ...account, positions: [{ instrument: 0, quantity: 1n }] }));
        const q = [...(good.quantity as bigint[])];
        q[0] = toField(quantity);
        assert.equal(await witnessRejected(artifacts, { ...good, quantity: q, accountSiblings: tree.path(5).siblings, accountsRoot: tree.root }), true);
      }
      // An amount of p - 1 ("-1") is refused.
      const i = input(request(edgeAccount(100n)));
      assert.equal(await witnessRejected(artifacts, { ...i, amount: FIELD_MODULUS - 1n }), true);
    });
  });

  describe("soundness: an honest witness with one computed signal edited fails the constraints", () => {
    // Named signals, and signals inside anonymous components found by pattern.
    const EDITS: (string | RegExp)[] = [
      "main.accountKey", "main.leaf", "main.rowRoot[0]", "main.absQuantity[0]", "main.requirementTerm[1]",
      "main.exposure[4][1]", "main.recipientSquare",
      /^main\.AccountCommitment_\d+_\d+\.positionsHash$/,
      /^main\.BinaryMerkleRoot_\d+_\d+\.nodes\[3\]$/, // accounts path, middle node
      /^main\.BinaryMerkleRoot_\d+_\d+\[1\]\.nodes\[1\]$/, // instrument path of slot 1
      /^main\.SignedInRange_\d+_\d+\[0\]\.nonNeg$/, // sign of a risk value
      /^main\.InRange_\d+_\d+\[3\]\.bits\[84\]$/, // a high bit of a scenario slack
    ];
    let witness: bigint[];
    before(async () => {
      witness = await computeWitness(artifacts, input(request(edgeAccount(10n))));
      assert.equal(await constraintsHold(artifacts, witness), true);
    });
    for (const name of EDITS) {
      it(`editing ${String(name)}`, async () => {
        assert.equal(await constraintsHold(artifacts, tamper(artifacts, witness, name)), false);
      });
    }
  });

  describe("property: circuit and TypeScript model agree on random portfolios", () => {
    it("accepts exactly the compliant ones; hashes match off-circuit", async () => {
      let seed = 12345;
      const rand = (n: number): number => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
      const rows = commitRiskTable(table, params.logInstruments).rows;
      let compliantSeen = 0;
      let refusedSeen = 0;
      for (let trial = 0; trial < 12; trial++) {
        const positions = Array.from({ length: params.positions }, () => ({ instrument: rand(4), quantity: BigInt(rand(21) - 10) }));
        const account = newTraderAccount(BigInt(rand(8_000)) * 1_000_000n, positions);
        const amount = BigInt(rand(1000)) * 1_000n;
        const req = request(account, amount > account.collateral ? 0n : amount, rand(60));
        const report = marginReport(account, rows, params.scenarios, req.amount);
        const i = input(req);
        const rejected = await witnessRejected(artifacts, i);
        assert.equal(rejected, !report.compliant, `trial ${trial}: model says compliant=${report.compliant}`);
        if (report.compliant) {
          compliantSeen++;
          const w = await computeWitness(artifacts, i);
          assert.equal(w[signalIndex(artifacts, "main.leaf")], accountCommitment(account, params.positions));
          assert.equal(w[signalIndex(artifacts, "main.accountKey")], account.accountKey);
          const k = 0;
          const row = rows[account.positions[k].instrument];
          assert.equal(w[signalIndex(artifacts, "main.rowRoot[0]")], commitRiskTable(table, params.logInstruments).instrumentsRoot);
          assert.equal(hashList([...row.values, row.addon]) !== 0n, true);
        } else refusedSeen++;
      }
      assert.ok(compliantSeen > 0 && refusedSeen > 0, `random cases should cover both outcomes (${compliantSeen}/${refusedSeen})`);
    });
  });
});
