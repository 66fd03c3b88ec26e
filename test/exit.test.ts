import assert from "node:assert/strict";
import { accountCommitment, accountKeyOf, newTraderAccount, nullifierOf, type Position, randomFieldElement, type TraderAccount } from "../src/accounts/account.js";
import { type CircuitArtifacts, loadCircuitArtifacts } from "../src/artifacts/manifest.js";
import { MAX_COLLATERAL, MAX_QUANTITY, MAX_VALUE, MIN_QUANTITY, MIN_VALUE } from "../src/crypto/bounds.js";
import { FIELD_MODULUS, toField } from "../src/crypto/field.js";
import { MerkleTree } from "../src/crypto/merkleTree.js";
import { poseidon } from "../src/crypto/poseidon.js";
import type { CircuitInput } from "../src/proof/groth16Prover.js";
import { releaseProverThreads, verifyGroth16 } from "../src/proof/groth16Prover.js";
import type { ExitInstance } from "../src/protocol/circuitCatalog.js";
import { exitClaim, exitStatement } from "../src/protocol/exit.js";
import { scenarioEquities } from "../src/risk/equity.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { computeRiskTable, type RiskRow, type RiskTable } from "../src/risk/riskEngine.js";
import { buildExitInput, type ExitRequest } from "../src/trader/exitInput.js";
import { proveExit, verifyExit } from "../src/trader/proveExit.js";
import { proveMargin } from "../src/trader/proveMargin.js";
import { testSnapshot } from "./helpers/market.js";
import { seededRandom } from "./helpers/seededRandom.js";
import { computeWitness, constraintsHold, signalIndex, tamper, witnessRejected } from "./helpers/witness.js";

const CIRCUIT = "exit_test";
const EPOCH = 3;
const RECIPIENT = "0x00000000000000000000000000000000000000A1";

// Test market rows: 0 ETH-PERP, 1 ETH-3000-C, 2 BTC-PERP, 3 BTC-55000-P.
const SHORT_CALLS_LONG_PERP: Position[] = [{ instrument: 1, quantity: -3n }, { instrument: 2, quantity: 1n }];
const LONG_PUTS: Position[] = [{ instrument: 3, quantity: 2n }];

describe("Exit (docs/design.md §12)", function () {
  let artifacts: CircuitArtifacts;
  let params: ExitInstance["params"];
  let table: RiskTable;
  let rows: RiskRow[];

  before(() => {
    artifacts = loadCircuitArtifacts(CIRCUIT);
    if (artifacts.instance.kind !== "exit") throw new Error("expected an exit circuit");
    params = artifacts.instance.params;
    table = computeRiskTable(testSnapshot(EPOCH));
    rows = commitRiskTable(table, params.logInstruments).rows;
  });
  after(releaseProverThreads);

  /** An account placed at `index` of a fresh tree beside another leaf, and its exit request. */
  function request(account: TraderAccount, index = 5): ExitRequest {
    const tree = new MerkleTree(params.depth);
    tree.set(index, accountCommitment(account, params.positions));
    tree.set(index ^ 1, 12345n);
    return { account, accountPath: tree.path(index), accountsRoot: tree.root, riskTable: table, epoch: EPOCH, recipient: RECIPIENT };
  }

  /** A trader account with these positions whose mark equity E_0 is exactly `markEquity` (collateral may be set apart). */
  function withMarkEquity(markEquity: bigint, positions: Position[] = SHORT_CALLS_LONG_PERP): TraderAccount {
    const account = newTraderAccount(0n, positions);
    const atZero = scenarioEquities(account, rows, 0)[0];
    return { ...account, collateral: markEquity - atZero };
  }

  /** Short calls with no collateral: E_0 = -3 * call mark < 0. */
  function underWater(): TraderAccount {
    return newTraderAccount(0n, [{ instrument: 1, quantity: -3n }]);
  }

  function input(req: ExitRequest): CircuitInput {
    return buildExitInput(req, params).input;
  }

  describe("the rule (TypeScript model)", () => {
    it("amount = max(E_0, 0)", () => {
      assert.equal(exitClaim(500n), 500n);
      assert.equal(exitClaim(0n), 0n);
      assert.equal(exitClaim(-70n), 0n);
      const acct = withMarkEquity(1_234n);
      assert.equal(buildExitInput(request(acct), params).statement.amount, 1_234n);
      assert.equal(buildExitInput(request(underWater()), params).statement.amount, 0n);
    });
  });

  describe("honest exits", () => {
    it("an account in profit at mark: amount = E_0, the epoch's settlement nullifier, signals in catalog order", async () => {
      const account = withMarkEquity(7_654_321n);
      const proof = await proveExit(request(account), CIRCUIT);
      assert.equal(await verifyExit(proof), true);
      assert.equal(proof.statement.amount, 7_654_321n);
      assert.equal(proof.statement.nullifier, nullifierOf(account.accountKey, EPOCH));
      assert.deepEqual(proof.publicSignals, exitStatement.signals(proof.statement));
      assert.equal(proof.publicSignals[1], commitRiskTable(table, params.logInstruments).riskRoot.toString());
      assert.equal(proof.publicSignals[4], BigInt(RECIPIENT).toString());
    });

    it("an account under water claims 0; one exactly at E_0 = 0 claims 0; options only (no perp) too", async () => {
      const negative = underWater();
      assert.ok(scenarioEquities(negative, rows, 0)[0] < 0n);
      const proof = await proveExit(request(negative), CIRCUIT);
      assert.equal(await verifyExit(proof), true);
      assert.equal(proof.statement.amount, 0n);
      assert.equal(await witnessRejected(artifacts, input(request(withMarkEquity(0n)))), false);
      assert.equal(buildExitInput(request(withMarkEquity(0n)), params).statement.amount, 0n);
      const puts = withMarkEquity(10n ** 10n, LONG_PUTS);
      assert.equal(await witnessRejected(artifacts, input(request(puts))), false);
    });

    it("an account below its requirement (liquidatable) still has its mark claim: no margin condition", async () => {
      const account = withMarkEquity(1n, [{ instrument: 1, quantity: -3n }]);
      const i = input(request(account));
      assert.equal(i.amount, 1n);
      assert.equal(await witnessRejected(artifacts, i), false);
    });

    it("at the bounds: the largest claim and the deepest loss the ranges allow keep their exact sign", async () => {
      const extreme: RiskTable = {
        epoch: EPOCH, scenarios: table.scenarios,
        rows: [MIN_VALUE, MAX_VALUE].map((mark, n) => ({ id: `extreme ${n}`, values: [mark, ...Array(table.scenarios).fill(0n)] as bigint[], addon: 0n, linear: false })),
      };
      const cases: [bigint, Position[], bigint][] = [
        [MAX_COLLATERAL, [{ instrument: 0, quantity: MIN_QUANTITY }, { instrument: 0, quantity: MIN_QUANTITY }], MAX_COLLATERAL + 2n * (1n << 80n)],
        [0n, [{ instrument: 0, quantity: MAX_QUANTITY }, { instrument: 0, quantity: MAX_QUANTITY }], -2n * MAX_QUANTITY * (1n << 48n)],
        [MAX_COLLATERAL, [{ instrument: 1, quantity: MIN_QUANTITY }, { instrument: 0, quantity: MAX_QUANTITY }], MAX_COLLATERAL + MIN_QUANTITY * MAX_VALUE + MAX_QUANTITY * MIN_VALUE],
      ];
      for (const [collateral, positions, e0] of cases) {
        const i = buildExitInput({ ...request(newTraderAccount(collateral, positions)), riskTable: extreme }, params).input;
        assert.equal(i.amount, exitClaim(e0));
        assert.equal(await witnessRejected(artifacts, i), false, `E_0 = ${e0}`);
        for (const amount of [exitClaim(e0) + 1n, e0 > 0n ? e0 - 1n : toField(e0)]) {
          assert.equal(await witnessRejected(artifacts, { ...i, amount }), true, `E_0 = ${e0}, amount ${amount}`);
        }
      }
    });
  });

  describe("dishonest exits are rejected", () => {
    it("a claim that is not max(E_0, 0): one unit more or less, 0 for a positive account, |E_0| or E_0 for a negative one", async () => {
      const positive = input(request(withMarkEquity(10_000n)));
      const negReq = request(underWater());
      const negative = input(negReq);
      const e0 = scenarioEquities(negReq.account, rows, 0)[0];
      assert.equal(await witnessRejected(artifacts, positive), false);
      assert.equal(await witnessRejected(artifacts, negative), false);
      for (const amount of [10_001n, 9_999n, 0n, FIELD_MODULUS - 1n, 10_000n + FIELD_MODULUS - 1n]) {
        assert.equal(await witnessRejected(artifacts, { ...positive, amount: amount % FIELD_MODULUS }), true, `amount ${amount}`);
      }
      for (const amount of [1n, -e0, toField(e0), FIELD_MODULUS - 1n]) {
        assert.equal(await witnessRejected(artifacts, { ...negative, amount }), true, `amount ${amount}`);
      }
    });

    it("an account that is not in accountsRoot (altered collateral, another secret, wrong root)", async () => {
      const req = request(withMarkEquity(10_000n));
      const i = input(req);
      assert.equal(await witnessRejected(artifacts, { ...i, collateral: (i.collateral as bigint) + 1_000n, amount: 11_000n }), true);
      assert.equal(await witnessRejected(artifacts, { ...i, accountsRoot: (i.accountsRoot as bigint) + 1n }), true);
      const secret = randomFieldElement();
      assert.equal(await witnessRejected(artifacts, { ...i, secret, nullifier: nullifierOf(accountKeyOf(secret), EPOCH) }), true);
      assert.throws(() => buildExitInput({ ...req, accountsRoot: req.accountsRoot + 1n }, params), /not in accountsRoot/);
    });

    it("a risk row that is not the one committed in riskRoot (mark value, scenario value, add-on, index, root)", async () => {
      const i = input(request(withMarkEquity(10_000n)));
      const values = (i.values as bigint[][]).map((r) => [...r]);
      values[0][0] = values[0][0] - 1_000n; // the short call marked lower: a larger claim
      assert.equal(await witnessRejected(artifacts, { ...i, values, amount: 13_000n }), true);
      const scenario = (i.values as bigint[][]).map((r) => [...r]);
      scenario[0][4] += 1n; // only hashed: still bound by the row's leaf
      assert.equal(await witnessRejected(artifacts, { ...i, values: scenario }), true);
      const addon = [...(i.addon as bigint[])];
      addon[0] += 1n;
      assert.equal(await witnessRejected(artifacts, { ...i, addon }), true);
      const instrument = [...(i.instrument as bigint[])];
      instrument[0] = 3n;
      assert.equal(await witnessRejected(artifacts, { ...i, instrument }), true);
      assert.equal(await witnessRejected(artifacts, { ...i, riskRoot: (i.riskRoot as bigint) + 1n }), true);
    });

    it("a slot's row opened in another instruments tree: every row must open to the one riskRoot", async () => {
      // Slot 1 is a short call; a table in which that call is marked 1,000 lower pays 3,000 more.
      const positions: Position[] = [{ instrument: 2, quantity: 1n }, { instrument: 1, quantity: -3n }];
      const req = request(withMarkEquity(10_000n, positions));
      const honest = input(req);
      const cheap = { ...table, rows: table.rows.map((r, n) => (n === 1 ? { ...r, values: [r.values[0] - 1_000n, ...r.values.slice(1)] } : r)) };
      const forged = buildExitInput({ ...req, riskTable: cheap }, params).input;
      assert.equal(forged.amount, 13_000n);
      assert.equal(await witnessRejected(artifacts, forged), false); // consistent against its own (unpublished) root
      const pick = <T>(name: string): T[] => [(honest[name] as T[])[0], (forged[name] as T[])[1]];
      const mixed = { ...honest, values: pick<bigint[]>("values"), addon: pick<bigint>("addon"), linear: pick<bigint>("linear"), instrumentSiblings: pick<bigint[]>("instrumentSiblings"), amount: 13_000n };
      assert.equal(await witnessRejected(artifacts, mixed), true);
    });

    it("indices aliased modulo the tree sizes: an instrument i + 2^LOG_N (or a negative one) in the leaf, an account index + 2^DEPTH", async () => {
      const account = withMarkEquity(10_000n, [{ instrument: 1, quantity: -3n }]);
      const req = request(account);
      const honest = input(req);
      assert.equal(await witnessRejected(artifacts, honest), false);
      const leafWith = (instrument: bigint): bigint =>
        poseidon([account.accountKey, account.collateral, account.salt, poseidon([instrument, toField(-3n), 0n, 0n])]);
      assert.equal(leafWith(1n), accountCommitment(account, params.positions));
      for (const alias of [1n + (1n << BigInt(params.logInstruments)), FIELD_MODULUS - 3n]) {
        const tree = new MerkleTree(params.depth);
        tree.set(5, leafWith(alias));
        tree.set(4, 12345n);
        const instrument = [alias, ...(honest.instrument as bigint[]).slice(1)];
        assert.equal(await witnessRejected(artifacts, { ...honest, instrument, accountSiblings: tree.path(5).siblings, accountsRoot: tree.root }), true, `instrument ${alias}`);
      }
      const index = honest.accountIndex as bigint;
      assert.equal(await witnessRejected(artifacts, { ...honest, accountIndex: index + (1n << BigInt(params.depth)) }), true);
    });

    it("a wrong nullifier: off by one, another epoch's, or the epoch changed under it", async () => {
      const req = request(withMarkEquity(10_000n));
      const i = input(req);
      assert.equal(await witnessRejected(artifacts, { ...i, nullifier: (i.nullifier as bigint) + 1n }), true);
      assert.equal(await witnessRejected(artifacts, { ...i, nullifier: nullifierOf(req.account.accountKey, EPOCH + 1) }), true);
      assert.equal(await witnessRejected(artifacts, { ...i, epoch: BigInt(EPOCH + 1) }), true);
      assert.throws(() => buildExitInput({ ...req, epoch: EPOCH + 1 }, params), /risk table is for epoch 3/);
    });

    it("a proof whose recipient or amount is changed afterwards; a margin proof passed off as an exit", async () => {
      const proof = await proveExit(request(withMarkEquity(2_000n)), CIRCUIT);
      const other = { ...proof.statement, recipient: "0x00000000000000000000000000000000000000B2" };
      assert.equal(await verifyExit({ ...proof, statement: other, publicSignals: exitStatement.signals(other) }), false);
      const bigger = { ...proof.statement, amount: 2_001n };
      assert.equal(await verifyExit({ ...proof, statement: bigger, publicSignals: exitStatement.signals(bigger) }), false);
      assert.equal(await verifyExit({ ...proof, statement: other }), false); // statement and signals disagree
      // Same six-signal shape: a margin proof of amount 7 (compliant, E_0 well above 7) is no exit proof of 7.
      const trader = newTraderAccount(10n ** 12n);
      const margin = await proveMargin({ ...request(trader), amount: 7n }, "margin_test");
      assert.equal(await verifyGroth16(margin.circuit, margin.publicSignals, margin.proof), true);
      assert.equal(await verifyExit({ ...margin, statement: margin.statement }), false); // wrong kind of circuit
      assert.equal(await verifyGroth16(CIRCUIT, margin.publicSignals, margin.proof), false); // and not an exit proof
    });

    it("out-of-range and field-wrapping collateral and quantities", async () => {
      for (const collateral of [FIELD_MODULUS - 5n, 1n << 64n]) {
        const account = { ...newTraderAccount(0n), collateral };
        assert.throws(() => buildExitInput(request(account), params), /collateral = .* is out of range/);
        const honest = input(request({ ...account, collateral: 0n }));
        const tree = new MerkleTree(params.depth);
        tree.set(5, accountCommitment(account, params.positions));
        const amount = collateral < FIELD_MODULUS ? collateral : 0n;
        assert.equal(await witnessRejected(artifacts, { ...honest, collateral, amount, accountSiblings: tree.path(5).siblings, accountsRoot: tree.root }), true);
      }
      // A quantity of 2^32 or one wrapping the field (a huge long perp or put) is refused by the range check.
      const base = newTraderAccount(10n ** 9n, [{ instrument: 3, quantity: 1n }]);
      const good = input(request(base));
      for (const quantity of [1n << 32n, (FIELD_MODULUS + 1n) / 2n, FIELD_MODULUS - (1n << 40n)]) {
        const account = { ...base, positions: [{ instrument: 3, quantity }] };
        const tree = new MerkleTree(params.depth);
        tree.set(5, accountCommitment(account, params.positions));
        const q = [...(good.quantity as bigint[])];
        q[0] = toField(quantity);
        const e0 = (10n ** 9n + toField(quantity) * rows[3].values[0]) % FIELD_MODULUS;
        assert.equal(await witnessRejected(artifacts, { ...good, quantity: q, amount: e0, accountSiblings: tree.path(5).siblings, accountsRoot: tree.root }), true, `quantity ${quantity}`);
      }
    });
  });

  describe("soundness: an honest witness with one computed signal edited fails the constraints", () => {
    const EDITS: [string, string | RegExp][] = [
      ["the account key", "main.accountKey"],
      ["the mark sign", "main.markNonNeg"],
      ["the recipient binding", "main.recipientSquare"],
      ["the account leaf", /^main\.AccountInTree_\d+_\d+\.leaf$/],
      ["the positions hash", /^main\.AccountInTree_\d+_\d+\.AccountCommitment_\d+_\d+\.positionsHash$/],
      ["an accounts-path node", /^main\.AccountInTree_\d+_\d+\.BinaryMerkleRoot_\d+_\d+\.nodes\[3\]$/],
      ["a risk row root", /^main\.RiskRowsOpening_\d+_\d+\.rowRoot\[0\]$/],
      ["an instrument-path node", /^main\.RiskRowsOpening_\d+_\d+\.BinaryMerkleRoot_\d+_\d+\[1\]\.nodes\[1\]$/],
      ["a mark exposure", /^main\.PortfolioValue_\d+_\d+\.exposure\[0\]\[0\]$/],
      ["a |quantity|", /^main\.PortfolioValue_\d+_\d+\.absQuantity\[0\]$/],
      ["a quantity sign", /^main\.PortfolioValue_\d+_\d+\.AbsSigned_\d+_\d+\[0\]\.nonNeg$/],
      ["a high bit of the mark equity's range check", /^main\.SignedInRange_\d+_\d+\.bits\[82\]$/],
      ["the mark equity", "main.markEquity[0]"],
      ["the requirement (computed, not used by the exit rule)", "main.requirement"],
      ["a collateral range bit", /^main\.AccountInTree_\d+_\d+\.InRange_\d+_\d+\.bits\[40\]$/],
      ["an accounts-path index bit", /^main\.AccountInTree_\d+_\d+\.BinaryMerkleRoot_\d+_\d+\.indices\[2\]$/],
      ["slot 1's row leaf", /^main\.RiskRowsOpening_\d+_\d+\.BinaryMerkleRoot_\d+_\d+\[1\]\.leaf$/],
      ["slot 1's row index bit", /^main\.RiskRowsOpening_\d+_\d+\.BinaryMerkleRoot_\d+_\d+\[1\]\.indices\[0\]$/],
    ];
    for (const [label, make] of [["in profit", () => withMarkEquity(10_000n)], ["under water", underWater]] as const) {
      describe(`an account ${label}`, () => {
        let witness: bigint[];
        before(async () => {
          witness = await computeWitness(artifacts, input(request(make())));
          assert.equal(await constraintsHold(artifacts, witness), true);
        });
        for (const [what, name] of EDITS) {
          it(`editing ${what}`, async () => {
            assert.equal(await constraintsHold(artifacts, tamper(artifacts, witness, name)), false);
            assert.equal(await constraintsHold(artifacts, tamper(artifacts, witness, name, FIELD_MODULUS - 1n)), false);
          });
        }
      });
    }
  });

  describe("property: circuit and TypeScript model agree on random portfolios", () => {
    it("the witness exists exactly for amount = max(E_0, 0); leaf, key and mark equity match off-circuit", async () => {
      const rand = seededRandom(0xe417);
      let positiveSeen = 0;
      let zeroSeen = 0;
      for (let trial = 0; trial < 12; trial++) {
        const positions = Array.from({ length: params.positions }, () => ({ instrument: rand(4), quantity: BigInt(rand(21) - 10) }));
        const account = newTraderAccount(BigInt(rand(1_000)) * 1_000_000n, positions);
        const req = request(account, rand(60));
        const e0 = scenarioEquities(account, rows, 0)[0];
        const i = input(req);
        assert.equal(i.amount, exitClaim(e0));
        const w = await computeWitness(artifacts, i);
        assert.equal(w[signalIndex(artifacts, /^main\.AccountInTree_\d+_\d+\.leaf$/)], accountCommitment(account, params.positions));
        assert.equal(w[signalIndex(artifacts, "main.accountKey")], account.accountKey);
        assert.equal(w[signalIndex(artifacts, "main.markNonNeg")], e0 >= 0n ? 1n : 0n);
        assert.equal(await witnessRejected(artifacts, { ...i, amount: (exitClaim(e0) + 1n) % FIELD_MODULUS }), true);
        if (e0 > 0n) positiveSeen++;
        else zeroSeen++;
      }
      assert.ok(positiveSeen > 0 && zeroSeen > 0, `random cases should cover both signs (${positiveSeen}/${zeroSeen})`);
    });
  });
});
