import assert from "node:assert/strict";
import { accountCommitment, newTraderAccount } from "../src/accounts/account.js";
import { MerkleTree } from "../src/crypto/merkleTree.js";
import type { CircuitArtifacts } from "../src/artifacts/manifest.js";
import { loadCircuitArtifacts } from "../src/artifacts/manifest.js";
import { FIELD_MODULUS, toField } from "../src/crypto/field.js";
import { poseidon } from "../src/crypto/poseidon.js";
import { buildRiskTableInput } from "../src/oracle/riskTableInput.js";
import { proveRiskTable, verifyRiskTable } from "../src/oracle/riskTableProof.js";
import type { CircuitInput } from "../src/proof/groth16Prover.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import { MAX_VALUE, MIN_VALUE } from "../src/crypto/bounds.js";
import { commitRiskTable, paddedRows, rowLeaf } from "../src/risk/riskCommitment.js";
import { computeRiskTable, type RiskTable } from "../src/risk/riskEngine.js";
import { buildMarginInput } from "../src/trader/marginInput.js";
import { testSnapshot } from "./helpers/market.js";
import { rawRiskCommitment } from "./helpers/riskTables.js";
import { computeWitness, constraintsHold, tamper, witnessRejected } from "./helpers/witness.js";

const CIRCUIT = "risk_table_test";
const EPOCH = 4;

describe("RiskTable: one well-formedness proof per epoch (issue 17)", function () {
  let artifacts: CircuitArtifacts;
  let table: RiskTable;
  let logInstruments: number;

  before(() => {
    artifacts = loadCircuitArtifacts(CIRCUIT);
    if (artifacts.instance.kind !== "riskTable") throw new Error("expected a risk-table circuit");
    logInstruments = artifacts.instance.params.logInstruments;
    table = computeRiskTable(testSnapshot(EPOCH));
  });
  after(releaseProverThreads);

  function input(t: RiskTable = table): CircuitInput {
    if (artifacts.instance.kind !== "riskTable") throw new Error("expected a risk-table circuit");
    return buildRiskTableInput(t, artifacts.instance.params).input;
  }

  /** The circuit input of `table` with one row's value (or add-on, or flag) replaced, its riskRoot recomputed off-circuit. */
  function withRow(i: number, edit: { value?: [number, bigint]; addon?: bigint; linear?: bigint }): CircuitInput {
    const base = input();
    const values = (base.values as bigint[][]).map((r) => [...r]);
    const addon = [...(base.addon as bigint[])];
    const linear = [...(base.linear as bigint[])];
    if (edit.value) values[i][edit.value[0]] = toField(edit.value[1]);
    if (edit.addon !== undefined) addon[i] = toField(edit.addon);
    if (edit.linear !== undefined) linear[i] = edit.linear;
    return { ...base, values, addon, linear, riskRoot: rawRiskCommitment(values, addon, linear, logInstruments).riskRoot };
  }

  describe("honest tables", () => {
    it("proves the table; the proof's riskRoot is commitRiskTable's, and it verifies", async () => {
      const proof = await proveRiskTable(table, CIRCUIT);
      assert.equal(proof.statement.riskRoot, commitRiskTable(table, logInstruments).riskRoot);
      assert.deepEqual(proof.publicSignals, [String(EPOCH), proof.statement.riskRoot.toString()]);
      assert.equal(await verifyRiskTable(proof), true);
      // The same proof does not speak for another epoch or another root.
      assert.equal(await verifyRiskTable({ ...proof, statement: { ...proof.statement, epoch: EPOCH + 1 }, publicSignals: [String(EPOCH + 1), proof.publicSignals[1]] }), false);
      assert.equal(await verifyRiskTable({ ...proof, statement: { ...proof.statement, riskRoot: 1n }, publicSignals: [proof.publicSignals[0], "1"] }), false);
    });

    it("accepts values and add-ons at the edges of their ranges, an option with any mark", async () => {
      assert.equal(await witnessRejected(artifacts, withRow(1, { value: [0, MIN_VALUE] })), false);
      assert.equal(await witnessRejected(artifacts, withRow(1, { value: [5, MAX_VALUE] })), false);
      assert.equal(await witnessRejected(artifacts, withRow(0, { value: [16, MIN_VALUE] })), false);
      assert.equal(await witnessRejected(artifacts, withRow(3, { addon: MAX_VALUE })), false);
      assert.equal(await witnessRejected(artifacts, withRow(2, { addon: 0n })), false);
    });

    it("marks the perps of the snapshot linear, the options not; unlisted slots are zero rows", () => {
      const rows = paddedRows(table, logInstruments);
      assert.deepEqual(rows.map((r) => r.linear), [true, false, true, false]);
      assert.deepEqual(rows.filter((r) => r.linear).map((r) => r.values[0]), [0n, 0n]);
    });
  });

  describe("dishonest inputs are refused by the circuit", () => {
    it("a mixed root: the rows of one table with the digest of another", async () => {
      const other = computeRiskTable(testSnapshot(EPOCH, 3300, 62000));
      const a = commitRiskTable(table, logInstruments);
      const b = commitRiskTable(other, logInstruments);
      const mixed = poseidon([a.instrumentsRoot, b.tableDigest]);
      assert.notEqual(mixed, a.riskRoot);
      assert.equal(await witnessRejected(artifacts, { ...input(), riskRoot: mixed }), true);
      assert.equal(await witnessRejected(artifacts, { ...input(other), riskRoot: mixed }), true);
      // A margin proof opens rows only: the margin circuit accepts an account priced on the mixed
      // root's rows. Only the table proof (hence publishRisk) refuses the root (riskSharingPool.test.ts).
      const margin = loadCircuitArtifacts("margin_test");
      if (margin.instance.kind !== "margin") throw new Error("expected margin_test");
      const account = newTraderAccount(10n ** 12n, [{ instrument: 0, quantity: 1n }]);
      const tree = new MerkleTree(margin.instance.params.depth, [accountCommitment(account, margin.instance.params.positions)]);
      const m = buildMarginInput({ account, accountPath: tree.path(0), accountsRoot: tree.root, riskTable: table, epoch: EPOCH, recipient: "0x00000000000000000000000000000000000000A1", amount: 0n }, margin.instance.params).input;
      assert.equal(await witnessRejected(margin, { ...m, tableDigest: b.tableDigest, riskRoot: mixed }), false);
    });

    it("each value out of [-2^48, 2^48), in any column, including field-wrapping ones", async () => {
      for (const [row, column] of [[0, 3], [1, 0], [3, 16]] as const) {
        for (const v of [MAX_VALUE + 1n, MIN_VALUE - 1n, (FIELD_MODULUS - 1n) / 2n, 1n << 200n]) {
          assert.equal(await witnessRejected(artifacts, withRow(row, { value: [column, v] })), true, `row ${row} column ${column} value ${v}`);
        }
      }
    });

    it("each add-on out of [0, 2^48): 2^48, negative, field-wrapping", async () => {
      for (const a of [MAX_VALUE + 1n, -1n, -(1n << 47n), FIELD_MODULUS - 1n]) {
        assert.equal(await witnessRejected(artifacts, withRow(1, { addon: a })), true, `add-on ${a}`);
      }
    });

    it("a perp or future with a non-zero mark value; a kind flag other than 0 or 1", async () => {
      assert.equal(await witnessRejected(artifacts, withRow(0, { value: [0, 1n] })), true); // ETH-PERP, linear
      assert.equal(await witnessRejected(artifacts, withRow(2, { value: [0, -5_000_000n] })), true); // BTC-PERP
      // An option may carry its value at mark; declaring it linear then fails.
      assert.ok(table.rows[1].values[0] !== 0n);
      assert.equal(await witnessRejected(artifacts, withRow(1, { linear: 1n })), true);
      assert.equal(await witnessRejected(artifacts, withRow(1, { linear: 2n })), true);
      // Clearing a perp's flag is a different table (different riskRoot): it is the oracle's
      // published content, which auditors compare with the instrument list (README trust model).
      assert.equal(await witnessRejected(artifacts, withRow(0, { linear: 0n })), false);
      assert.throws(() => commitRiskTable({ ...table, rows: table.rows.map((r, i) => (i === 0 ? { ...r, values: [7n, ...r.values.slice(1)] } : r)) }, logInstruments),
        /ETH-PERP is a perp\/future with mark value 7/);
    });

    it("a wrong epoch signal for the table's proof does not verify (the epoch is a public input)", async () => {
      assert.equal(await witnessRejected(artifacts, { ...input(), epoch: 1n << 32n }), true);
      assert.equal(await witnessRejected(artifacts, { ...input(), epoch: FIELD_MODULUS - 1n }), true);
    });

    it("the TypeScript prover refuses a table the circuit cannot take, naming it", () => {
      if (artifacts.instance.kind !== "riskTable") throw new Error("expected a risk-table circuit");
      const params = artifacts.instance.params;
      assert.throws(() => buildRiskTableInput({ ...table, scenarios: 15 }, params), /16/);
      const big = { ...table, rows: [...table.rows, ...table.rows.map((r) => ({ ...r, id: `${r.id}-2` }))] };
      assert.throws(() => buildRiskTableInput(big, params), /at most 4/);
      const wide = { ...table, rows: table.rows.map((r, i) => (i === 1 ? { ...r, addon: MAX_VALUE + 1n } : r)) };
      assert.throws(() => buildRiskTableInput(wide, params), /add-on = .* is out of range/);
    });
  });

  describe("soundness: an honest witness with one computed signal edited fails the constraints", () => {
    const EDITS: (string | RegExp)[] = [
      "main.instrumentsRoot", "main.tableDigest", "main.leaves[2]", "main.linear[1]",
      /^main\.SignedInRange_\d+_\d+\[5\]\.nonNeg$/, // the sign of one value
      /^main\.SignedInRange_\d+_\d+\[40\]\.bits\[46\]$/, // a high bit of one value
      /^main\.InRange_\d+_\d+\[2\]\.bits\[46\]$/, // a high bit of one add-on
      /^main\.SubtreeRoot_\d+_\d+\.nodes\[5\]$/, // an inner node of the instruments tree
    ];
    let witness: bigint[];
    before(async () => {
      witness = await computeWitness(artifacts, input());
      assert.equal(await constraintsHold(artifacts, witness), true);
    });
    for (const name of EDITS) {
      it(`editing ${String(name)}`, async () => {
        assert.equal(await constraintsHold(artifacts, tamper(artifacts, witness, name)), false);
      });
    }
  });

  it("rowLeaf hashes the kind flag: a perp and an option with the same numbers are different leaves", () => {
    const row = table.rows[1];
    assert.notEqual(rowLeaf({ ...row, values: [0n, ...row.values.slice(1)], linear: true }), rowLeaf({ ...row, values: [0n, ...row.values.slice(1)], linear: false }));
  });
});
