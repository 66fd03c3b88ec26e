import assert from "node:assert/strict";
import { accountCommitment, type AccountOpening, newTraderAccount, nullifierOf, type Position, randomFieldElement } from "../src/accounts/account.js";
import { MerkleTree } from "../src/accounts/merkleTree.js";
import type { LiquidationInstance } from "../src/protocol/circuitCatalog.js";
import { type CircuitArtifacts, loadCircuitArtifacts } from "../src/artifacts/manifest.js";
import { FIELD_MODULUS, toField } from "../src/crypto/field.js";
import { buildLiquidationInput, type LiquidationRequest } from "../src/operator/liquidationInput.js";
import { liquidationStatement } from "../src/protocol/liquidation.js";
import { assessLiquidation, penaltyAndDeficit } from "../src/operator/liquidationRule.js";
import { NotLiquidatableError, proveLiquidation } from "../src/operator/proveLiquidation.js";
import { verifyLiquidation } from "../src/operator/verifyLiquidation.js";
import type { CircuitInput } from "../src/proof/groth16Prover.js";
import { releaseProverThreads, verifyGroth16 } from "../src/proof/groth16Prover.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { computeRiskTable, type RiskRow, type RiskTable } from "../src/risk/riskEngine.js";
import { proveMargin } from "../src/trader/proveMargin.js";
import { testSnapshot } from "./helpers/market.js";
import { seededRandom } from "./helpers/seededRandom.js";
import { computeWitness, constraintsHold, signalIndex, tamper, witnessRejected } from "./helpers/witness.js";

const CIRCUIT = "liquidation_test";
const EPOCH = 3;

// Test market rows: 0 ETH-PERP, 1 ETH-3000-C, 2 BTC-PERP, 3 BTC-55000-P.
const SHORT_CALLS_LONG_PERP: Position[] = [{ instrument: 1, quantity: -3n }, { instrument: 2, quantity: 1n }];
const SHORT_CALLS: Position[] = [{ instrument: 1, quantity: -3n }];

describe("Liquidation (DESIGN §9)", function () {
  let artifacts: CircuitArtifacts;
  let params: LiquidationInstance["params"];
  let table: RiskTable;
  let rows: RiskRow[];

  before(() => {
    artifacts = loadCircuitArtifacts(CIRCUIT);
    if (artifacts.instance.kind !== "liquidation") throw new Error("expected a liquidation circuit");
    params = artifacts.instance.params;
    table = computeRiskTable(testSnapshot(EPOCH));
    rows = commitRiskTable(table, params.logInstruments).rows;
  });
  after(releaseProverThreads);

  /** An account placed at `index` of a fresh tree beside another leaf, and the operator's request. */
  function request(account: AccountOpening, index = 5): LiquidationRequest {
    const tree = new MerkleTree(params.depth);
    tree.set(index, accountCommitment(account, params.positions));
    tree.set(index ^ 1, 12345n); // another account beside it
    return { account, accountPath: tree.path(index), accountsRoot: tree.root, riskTable: table, epoch: EPOCH };
  }

  /** An opening with these positions whose least headroom min_s (E_s - R) is exactly `headroom`. */
  function withHeadroom(headroom: bigint, positions: Position[] = SHORT_CALLS_LONG_PERP): AccountOpening {
    const { accountKey, salt } = newTraderAccount(0n);
    const atZero = assessLiquidation({ accountKey, salt, collateral: 0n, positions }, rows, params.scenarios);
    return { accountKey, salt, positions, collateral: headroom - atZero.minHeadroom };
  }

  /** An opening with these positions whose mark equity E_0 is exactly `markEquity`. */
  function withMarkEquity(markEquity: bigint, positions: Position[]): AccountOpening {
    const { accountKey, salt } = newTraderAccount(0n);
    const atZero = assessLiquidation({ accountKey, salt, collateral: 0n, positions }, rows, params.scenarios);
    return { accountKey, salt, positions, collateral: markEquity - atZero.equities[0] };
  }

  function input(req: LiquidationRequest, breachColumn?: number): CircuitInput {
    return buildLiquidationInput(req, params, breachColumn).input;
  }

  /** True when no breach column at all gives a witness. */
  async function noColumnWorks(req: LiquidationRequest): Promise<boolean> {
    for (let s = 0; s <= params.scenarios; s++) if (!(await witnessRejected(artifacts, input(req, s)))) return false;
    return true;
  }

  describe("the rule (TypeScript model)", () => {
    it("penalty = min(max(E_0, 0), R) and deficit = max(0, -E_0)", () => {
      assert.deepEqual(penaltyAndDeficit(500n, 100n), { penalty: 100n, deficit: 0n });
      assert.deepEqual(penaltyAndDeficit(60n, 100n), { penalty: 60n, deficit: 0n });
      assert.deepEqual(penaltyAndDeficit(0n, 100n), { penalty: 0n, deficit: 0n });
      assert.deepEqual(penaltyAndDeficit(-70n, 100n), { penalty: 0n, deficit: 70n });
      assert.throws(() => penaltyAndDeficit(1n, -1n), /requirement must be >= 0/);
    });

    it("is the complement of the margin check: liquidatable iff the least headroom is negative", () => {
      const edge = assessLiquidation(withHeadroom(0n), rows, params.scenarios);
      assert.equal(edge.liquidatable, false);
      assert.equal(edge.minHeadroom, 0n);
      const short = assessLiquidation(withHeadroom(-1n), rows, params.scenarios);
      assert.equal(short.liquidatable, true);
      assert.equal(short.headroom[short.worstColumn], -1n);
    });
  });

  describe("honest liquidations", () => {
    it("an account breached only under stress (positive mark equity): penalty = R, deficit 0", async () => {
      const account = withHeadroom(-1n);
      const model = assessLiquidation(account, rows, params.scenarios);
      assert.ok(model.worstColumn > 0 && model.equities[0] >= model.requirement, "mark is not breached");
      const proof = await proveLiquidation(request(account), CIRCUIT);
      assert.equal(await verifyLiquidation(proof), true);
      assert.equal(proof.statement.tag, nullifierOf(account.accountKey, EPOCH));
      assert.equal(proof.statement.penalty, model.requirement);
      assert.equal(proof.statement.deficit, 0n);
      assert.equal(proof.breachColumn, model.worstColumn);
      assert.equal(proof.breachHeadroom, -1n);
      assert.deepEqual(proof.publicSignals, liquidationStatement.signals(proof.statement));
      assert.equal(proof.publicSignals[0], String(EPOCH));
      assert.equal(proof.publicSignals[1], commitRiskTable(table, params.logInstruments).riskRoot.toString());
      for (const k of ["a", "c"] as const) assert.equal(proof.solidity[k].length, 2);
      assert.equal(proof.solidity.b[0][0], BigInt(proof.proof.pi_b[0][1])); // G2 coordinates swapped for Solidity
    });

    it("an account breached at mark with 0 < E_0 < R: penalty = E_0, deficit 0", async () => {
      const account = withMarkEquity(1_000n, SHORT_CALLS);
      const model = assessLiquidation(account, rows, params.scenarios);
      assert.ok(model.requirement > 1_000n);
      const proof = await proveLiquidation(request(account), CIRCUIT);
      assert.equal(await verifyLiquidation(proof), true);
      assert.equal(proof.statement.penalty, 1_000n);
      assert.equal(proof.statement.deficit, 0n);
      // The mark column itself is a valid breach to prove, as is any breached column.
      assert.equal(await witnessRejected(artifacts, input(request(account), 0)), false);
    });

    it("a negative-equity account: penalty 0, deficit = -E_0", async () => {
      const account = { ...withMarkEquity(0n, SHORT_CALLS), collateral: 0n };
      const model = assessLiquidation(account, rows, params.scenarios);
      assert.ok(model.equities[0] < 0n);
      const proof = await proveLiquidation(request(account), CIRCUIT);
      assert.equal(await verifyLiquidation(proof), true);
      assert.equal(proof.statement.penalty, 0n);
      assert.equal(proof.statement.deficit, -model.equities[0]);
      assert.equal(proof.statement.deficit, 3n * rows[1].values[0]);
    });
  });

  describe("dishonest liquidations are rejected", () => {
    it("a compliant account, even exactly at its threshold, has no witness in any column and fails before proving", async () => {
      for (const headroom of [0n, 1n, 10n ** 9n]) {
        const account = withHeadroom(headroom);
        assert.equal(await noColumnWorks(request(account)), true, `headroom ${headroom}`);
        await assert.rejects(proveLiquidation(request(account), CIRCUIT), (err: unknown) => {
          assert.ok(err instanceof NotLiquidatableError);
          assert.equal(err.minHeadroom, headroom);
          assert.match(err.message, new RegExp(`minimum headroom ${headroom} in (mark|scenario \\d+)`));
          return true;
        });
      }
      // The same portfolio one unit lower is liquidatable.
      assert.equal(await witnessRejected(artifacts, input(request(withHeadroom(-1n)))), false);
    });

    it("a breach flag on a column that is not breached", async () => {
      const req = request(withHeadroom(-1n));
      const model = assessLiquidation(req.account, rows, params.scenarios);
      const safe = model.headroom.findIndex((h) => h >= 0n);
      assert.ok(safe >= 0);
      assert.equal(await witnessRejected(artifacts, input(req, safe)), true);
    });

    it("breach flags that are not one-hot: none, two, or halves", async () => {
      const req = request(withHeadroom(-1n));
      const i = input(req);
      const worst = assessLiquidation(req.account, rows, params.scenarios).worstColumn;
      const other = worst === 0 ? 1 : 0;
      const flags = (set: Record<number, bigint>): bigint[] => Array.from({ length: params.scenarios + 1 }, (_, s) => set[s] ?? 0n);
      const half = (FIELD_MODULUS + 1n) / 2n;
      for (const breach of [flags({}), flags({ [worst]: 1n, [other]: 1n }), flags({ [worst]: half, [other]: half }), flags({ [worst]: 2n, [other]: FIELD_MODULUS - 1n })]) {
        assert.equal(await witnessRejected(artifacts, { ...i, breach }), true);
      }
    });

    it("an account that is not in accountsRoot (altered collateral, key or wrong root)", async () => {
      const req = request(withHeadroom(-1n));
      const i = input(req);
      // Lowering the collateral would make a compliant account liquidatable: the leaf no longer matches.
      const compliant = input(request(withHeadroom(100n)));
      assert.equal(await witnessRejected(artifacts, { ...compliant, collateral: (compliant.collateral as bigint) - 101n }), true);
      assert.equal(await witnessRejected(artifacts, { ...i, accountsRoot: (i.accountsRoot as bigint) + 1n }), true);
      const otherKey = randomFieldElement();
      assert.equal(await witnessRejected(artifacts, { ...i, accountKey: otherKey, tag: nullifierOf(otherKey, EPOCH) }), true);
      assert.throws(() => buildLiquidationInput({ ...req, accountsRoot: req.accountsRoot + 1n }, params), /not in accountsRoot/);
    });

    it("a risk value, add-on or row that is not the one committed in riskRoot", async () => {
      // A compliant account (headroom 100) that forged rows would make liquidatable: a call value
      // 1,000 higher (the account is short 3 calls) or an add-on 1,000 higher puts it 2,900 short.
      const req = request(withHeadroom(100n));
      const i = input(req);
      const worst = assessLiquidation(req.account, rows, params.scenarios).worstColumn;
      assert.equal(req.account.positions[0].instrument, 1);
      const values = (i.values as bigint[][]).map((r) => [...r]);
      values[0][worst] = values[0][worst] + 1_000n;
      assert.equal(await witnessRejected(artifacts, { ...i, values }), true);
      const addon = [...(i.addon as bigint[])];
      addon[0] = addon[0] + 1_000n;
      assert.equal(await witnessRejected(artifacts, { ...i, addon }), true);
      // A liquidatable account whose row is opened at another instrument's index, or another root.
      const j = input(request(withHeadroom(-1n)));
      assert.equal(await witnessRejected(artifacts, j), false);
      const instrument = [...(j.instrument as bigint[])];
      instrument[0] = 3n;
      assert.equal(await witnessRejected(artifacts, { ...j, instrument }), true);
      assert.equal(await witnessRejected(artifacts, { ...j, riskRoot: (j.riskRoot as bigint) + 1n }), true);
    });

    it("a wrong tag: another epoch's, another key's, or an epoch changed under it", async () => {
      const req = request(withHeadroom(-1n));
      const i = input(req);
      assert.equal(await witnessRejected(artifacts, i), false);
      assert.equal(await witnessRejected(artifacts, { ...i, tag: nullifierOf(req.account.accountKey, EPOCH + 1) }), true);
      assert.equal(await witnessRejected(artifacts, { ...i, tag: nullifierOf(randomFieldElement(), EPOCH) }), true);
      assert.equal(await witnessRejected(artifacts, { ...i, tag: (i.tag as bigint) + 1n }), true);
      assert.equal(await witnessRejected(artifacts, { ...i, epoch: BigInt(EPOCH + 1) }), true);
      assert.throws(() => buildLiquidationInput({ ...req, epoch: EPOCH + 1 }, params), /risk table is for epoch 3/);
    });

    it("a forged penalty or deficit (witness and proof)", async () => {
      const stress = input(request(withHeadroom(-1n)));
      const atMark = input(request(withMarkEquity(1_000n, SHORT_CALLS)));
      const negative = input(request({ ...withMarkEquity(0n, SHORT_CALLS), collateral: 0n }));
      for (const i of [stress, atMark, negative]) {
        const penalty = i.penalty as bigint;
        const deficit = i.deficit as bigint;
        assert.equal(await witnessRejected(artifacts, i), false);
        const forgeries = [
          { penalty: penalty + 1n, deficit },
          { penalty: (penalty - 1n + FIELD_MODULUS) % FIELD_MODULUS, deficit },
          { penalty, deficit: deficit + 1n },
          { penalty, deficit: (deficit - 1n + FIELD_MODULUS) % FIELD_MODULUS },
          { penalty: 0n, deficit: deficit + penalty }, // penalty relabelled as deficit (drawn from the fund instead)
        ];
        for (const forged of forgeries) {
          if (forged.penalty === penalty && forged.deficit === deficit) continue;
          assert.equal(await witnessRejected(artifacts, { ...i, ...forged }), true, `penalty ${forged.penalty}, deficit ${forged.deficit}`);
        }
      }
      // A valid proof whose penalty signal is raised afterwards (for a larger insurance transfer).
      const proof = await proveLiquidation(request(withHeadroom(-1n)), CIRCUIT);
      const statement = { ...proof.statement, penalty: proof.statement.penalty + 1n };
      assert.equal(await verifyLiquidation({ ...proof, statement, publicSignals: liquidationStatement.signals(statement) }), false);
      const lowerDeficit = { ...proof.statement, deficit: 1n };
      assert.equal(await verifyLiquidation({ ...proof, statement: lowerDeficit, publicSignals: liquidationStatement.signals(lowerDeficit) }), false);
      assert.equal(await verifyLiquidation({ ...proof, statement }), false); // signals and statement disagree
    });

    it("a margin proof passed off as a liquidation (same six-signal shape)", async () => {
      const trader = newTraderAccount(10n ** 12n);
      const req = request(trader);
      const proof = await proveMargin({ ...req, account: trader, recipient: "0x00000000000000000000000000000000000000A1", amount: 7n }, "margin_test");
      const [epoch, riskRoot, accountsRoot, tag, penalty, deficit] = proof.publicSignals.map(BigInt);
      const statement = { epoch: Number(epoch), riskRoot, accountsRoot, tag, penalty, deficit };
      assert.equal(await verifyGroth16(proof.circuit, proof.publicSignals, proof.proof), true);
      assert.equal(await verifyLiquidation({ circuit: proof.circuit, proof: proof.proof, publicSignals: proof.publicSignals, statement }), false);
    });

    it("out-of-range and field-wrapping collateral and quantities", async () => {
      // A "negative" collateral (p - 5, p - 2^64) would make any account liquidatable: it cannot
      // be opened, even from a tree that holds exactly that leaf.
      for (const collateral of [FIELD_MODULUS - 5n, FIELD_MODULUS - (1n << 64n)]) {
        const account = { ...withHeadroom(1_000n), collateral };
        assert.throws(() => buildLiquidationInput(request(account), params), /collateral = .* is out of range/);
        const honest = input(request({ ...account, collateral: 0n }));
        const tree = new MerkleTree(params.depth);
        tree.set(5, accountCommitment(account, params.positions));
        assert.equal(await witnessRejected(artifacts, { ...honest, collateral, accountSiblings: tree.path(5).siblings, accountsRoot: tree.root }), true);
      }
      // A quantity below -2^32, or one that wraps the field, would fake a short: refused likewise.
      const { accountKey, salt } = newTraderAccount(0n);
      const base: AccountOpening = { accountKey, salt, collateral: 10n ** 12n, positions: [{ instrument: 1, quantity: -1n }] };
      const good = input(request(base));
      for (const quantity of [-(1n << 32n) - 1n, 1n << 32n, FIELD_MODULUS - (1n << 40n), (FIELD_MODULUS + 1n) / 2n]) {
        const account: AccountOpening = { ...base, positions: [{ instrument: 1, quantity }] };
        assert.throws(() => buildLiquidationInput(request(account), params), /quantity = .* is out of range/);
        const tree = new MerkleTree(params.depth);
        tree.set(5, accountCommitment(account, params.positions));
        const q = [...(good.quantity as bigint[])];
        q[0] = toField(quantity);
        assert.equal(await witnessRejected(artifacts, { ...good, quantity: q, accountSiblings: tree.path(5).siblings, accountsRoot: tree.root }), true);
      }
    });
  });

  describe("soundness: an honest witness with one computed signal edited fails the constraints", () => {
    let witness: bigint[];
    let worst: number;
    before(async () => {
      const account = withMarkEquity(1_000n, SHORT_CALLS_LONG_PERP);
      const model = assessLiquidation(account, rows, params.scenarios);
      worst = model.worstColumn;
      assert.ok(model.liquidatable && model.penalty === 1_000n);
      witness = await computeWitness(artifacts, input(request(account)));
      assert.equal(await constraintsHold(artifacts, witness), true);
    });
    const EDITS: [string, () => string | RegExp][] = [
      ["the selected equity term", () => `main.selectedTerm[${worst}]`],
      ["a non-selected equity term", () => `main.selectedTerm[${worst === 0 ? 1 : 0}]`],
      ["the breach flag", () => `main.breach[${worst}]`],
      ["the mark equity", () => "main.equity[0]"],
      ["the stress equity of the breached column", () => `main.equity[${worst}]`],
      ["the requirement", () => "main.requirement"],
      ["the penalty", () => "main.penalty"],
      ["the deficit", () => "main.deficit"],
      ["the tag", () => "main.tag"],
      ["the mark sign", () => "main.markNonNeg"],
      ["the penalty cap flag", () => "main.belowCap"],
      ["the account leaf", () => /^main\.AccountInTree_\d+_\d+\.leaf$/],
      ["the positions hash", () => /^main\.AccountInTree_\d+_\d+\.AccountCommitment_\d+_\d+\.positionsHash$/],
      ["an accounts-path node", () => /^main\.AccountInTree_\d+_\d+\.BinaryMerkleRoot_\d+_\d+\.nodes\[3\]$/],
      ["a risk row root", () => /^main\.RiskRowsOpening_\d+_\d+\.rowRoot\[0\]$/],
      ["an instrument-path node", () => /^main\.RiskRowsOpening_\d+_\d+\.BinaryMerkleRoot_\d+_\d+\[1\]\.nodes\[1\]$/],
      ["a |quantity|", () => /^main\.PortfolioValue_\d+_\d+\.absQuantity\[0\]$/],
      ["a requirement term", () => /^main\.PortfolioValue_\d+_\d+\.requirementTerm\[0\]$/],
      ["an exposure", () => /^main\.PortfolioValue_\d+_\d+\.exposure\[4\]\[0\]$/],
      ["a quantity sign", () => /^main\.PortfolioValue_\d+_\d+\.AbsSigned_\d+_\d+\[0\]\.nonNeg$/],
      ["a high bit of the breach gap", () => /^main\.InRange_\d+_\d+\.bits\[84\]$/],
    ];
    for (const [what, name] of EDITS) {
      it(`editing ${what}`, async () => {
        assert.equal(await constraintsHold(artifacts, tamper(artifacts, witness, name())), false);
        assert.equal(await constraintsHold(artifacts, tamper(artifacts, witness, name(), FIELD_MODULUS - 1n)), false);
      });
    }
    it("moving the breach flag to a column that is not breached", async () => {
      const model = assessLiquidation(withMarkEquity(1_000n, SHORT_CALLS_LONG_PERP), rows, params.scenarios);
      const safe = model.headroom.findIndex((h) => h >= 0n);
      assert.ok(safe >= 0);
      const moved = tamper(artifacts, tamper(artifacts, witness, `main.breach[${worst}]`, FIELD_MODULUS - 1n), `main.breach[${safe}]`, 1n);
      assert.equal(await constraintsHold(artifacts, moved), false);
    });
  });

  describe("property: circuit and TypeScript rule agree on random portfolios", () => {
    it("a witness exists exactly for the liquidatable ones; penalty, deficit, equities and requirement match", async () => {
      const rand = seededRandom(4242);
      const counts = { liquidatable: 0, compliant: 0, deficit: 0 };
      for (let trial = 0; trial < 15; trial++) {
        const positions = Array.from({ length: 1 + rand(params.positions) }, () => ({ instrument: rand(4), quantity: BigInt(rand(21) - 10) }));
        const { accountKey, salt } = newTraderAccount(0n);
        const atZero = assessLiquidation({ accountKey, salt, collateral: 0n, positions }, rows, params.scenarios);
        // Collateral near the threshold (a few units either side), small (short options then owe
        // more than it at mark: a deficit), or anywhere up to 8,000 units.
        const mode = trial % 3;
        const target = mode === 0 ? -atZero.minHeadroom + BigInt(rand(7) - 3) : mode === 1 ? BigInt(rand(1_000)) : BigInt(rand(8_000)) * 1_000_000n;
        const account: AccountOpening = { accountKey, salt, positions, collateral: target < 0n ? 0n : target };
        const model = assessLiquidation(account, rows, params.scenarios);
        const req = request(account, rand(60));
        const built = buildLiquidationInput(req, params);
        const rejected = await witnessRejected(artifacts, built.input);
        assert.equal(rejected, !model.liquidatable, `trial ${trial}: model says liquidatable=${model.liquidatable} (least headroom ${model.minHeadroom})`);
        if (model.liquidatable) {
          counts.liquidatable++;
          if (model.deficit > 0n) counts.deficit++;
          const w = await computeWitness(artifacts, built.input);
          assert.equal(w[signalIndex(artifacts, "main.penalty")], model.penalty);
          assert.equal(w[signalIndex(artifacts, "main.deficit")], model.deficit);
          assert.equal(w[signalIndex(artifacts, "main.tag")], nullifierOf(accountKey, EPOCH));
          assert.equal(w[signalIndex(artifacts, "main.requirement")], model.requirement);
          model.equities.forEach((e, s) => assert.equal(w[signalIndex(artifacts, `main.equity[${s}]`)], toField(e), `equity ${s}`));
          // Any other breached column works too; a column with headroom >= 0 does not.
          const s = rand(params.scenarios + 1);
          assert.equal(await witnessRejected(artifacts, input(req, s)), model.headroom[s] >= 0n, `trial ${trial}, column ${s}`);
        } else {
          counts.compliant++;
          assert.equal(await witnessRejected(artifacts, input(req, rand(params.scenarios + 1))), true);
        }
      }
      assert.ok(counts.liquidatable > 0 && counts.compliant > 0 && counts.deficit > 0, `random cases should cover every outcome (${JSON.stringify(counts)})`);
    });
  });
});
