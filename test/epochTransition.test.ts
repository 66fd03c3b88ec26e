import assert from "node:assert/strict";
import { accountCommitment, paddedPositions } from "../src/accounts/account.js";
import { type SignedOrder, signOrder, verifyOrder } from "../src/accounts/order.js";
import { type CircuitArtifacts, loadCircuitArtifacts } from "../src/artifacts/manifest.js";
import { fromField, toField } from "../src/crypto/field.js";
import { MerkleTree } from "../src/crypto/merkleTree.js";
import { poseidon } from "../src/crypto/poseidon.js";
import { type AccountsPlan, type EventsPlan, eventsState, ledgerTree, planAccountsBatches, planEventsBatches, transitionState } from "../src/operator/transitionInput.js";
import type { SolvencyParams, TransitionEventsParams } from "../src/protocol/circuitCatalog.js";
import type { CircuitInput } from "../src/proof/groth16Prover.js";
import type { TransitionMarket } from "../src/protocol/transition/accountRules.js";
import { applyEvents, type Ledger, type NoteOpening } from "../src/protocol/transition/applyEvents.js";
import { eventsDigest, type LedgerEvent } from "../src/protocol/transition/events.js";
import { epochSalt, type TransitionAccount } from "../src/protocol/transition/keys.js";
import { transitionLedger } from "../src/protocol/transition/transitionLedger.js";
import type { RiskCommitment } from "../src/risk/riskCommitment.js";
import { accountOf, deposit, newOwner, order, type Owner, settlement, transitionMarket, USD } from "./helpers/transitionFixture.js";
import { seededRandom } from "./helpers/seededRandom.js";
import { computeWitness, witnessRejected } from "./helpers/witness.js";

const EPOCH = 5;

type Grid = bigint[][];
const grid = (input: CircuitInput, name: string): Grid => (input[name] as Grid).map((r) => [...r]);
const list = (input: CircuitInput, name: string): bigint[] => [...(input[name] as bigint[])];

/**
 * The accounts-pass batch's public outputs recomputed from its witness input by plain arithmetic,
 * with no rule checked: what a dishonest operator would claim for a batch it edited. `price`,
 * `variation` and `salt` override the circuit's own mark, variation and epoch salt.
 */
function claimedOutputs(
  input: CircuitInput, params: SolvencyParams,
  override: { price?: (i: number) => bigint; variation?: (i: number) => bigint; salt?: (j: number) => bigint } = {},
): { root: bigint; flow: bigint; nextState: bigint } {
  const B = 2 ** params.logBatch;
  const N = 2 ** params.logInstruments;
  const P = params.positions;
  const values = grid(input, "values").map((r) => r.map(fromField));
  const variation = list(input, "variation").map(fromField);
  const epoch = Number(input.epoch);
  const feeRate = BigInt(input.feeRate as bigint);
  let flow = fromField(BigInt(input.prevNetFlow as bigint));
  const leaves: bigint[] = [];
  for (let j = 0; j < B; j++) {
    if (list(input, "active")[j] === 0n) {
      leaves.push(0n);
      continue;
    }
    const q = grid(input, "quantity")[j].map(fromField);
    const q2 = grid(input, "newQuantity")[j].map(fromField);
    const instr = grid(input, "newInstrument")[j].map(Number);
    const c = list(input, "collateral")[j];
    let cash = c;
    for (let k = 0; k < P; k++) {
      const i = instr[k];
      cash += q[k] * (override.variation ? override.variation(i) : variation[i]);
      cash -= (q2[k] - q[k]) * (override.price ? override.price(i) : values[i][0]);
      cash -= feeRate * (q2[k] > q[k] ? q2[k] - q[k] : q[k] - q2[k]);
    }
    flow += c - cash;
    const publicKey = [list(input, "Ax")[j], list(input, "Ay")[j]] as const;
    const salt = override.salt ? override.salt(j) : epochSalt(publicKey, list(input, "saltKey")[j], epoch + 1);
    leaves.push(accountCommitment({ accountKey: list(input, "accountKey")[j], collateral: cash, salt, positions: instr.map((instrument, k) => ({ instrument, quantity: q2[k] })) }, P));
  }
  void N;
  let node = new MerkleTree(params.logBatch, leaves).root;
  let index = Number(input.batchIndex);
  for (const sibling of list(input, "subtreeSiblings")) {
    node = index % 2 === 0 ? poseidon([node, sibling]) : poseidon([sibling, node]);
    index >>= 1;
  }
  return { root: node, flow, nextState: transitionState(epoch, BigInt(input.batchIndex as bigint), node, flow, BigInt(input.blinding as bigint)) };
}

/** The batch input with its claimed outputs (root, net flow, next state) set as the operator would. */
function withClaims(input: CircuitInput, params: SolvencyParams, override: Parameters<typeof claimedOutputs>[2] = {}): CircuitInput {
  const out = claimedOutputs(input, params, override);
  const last = BigInt(input.isLast as bigint) === 1n;
  return { ...input, nextState: out.nextState, nextAccountsRoot: last ? out.root : 0n, netFlow: last ? toField(out.flow) : 0n };
}

describe("EpochTransition (docs/design.md, Epoch transitions)", function () {
  let ev: CircuitArtifacts;
  let tr: CircuitArtifacts;
  let evParams: TransitionEventsParams;
  let trParams: SolvencyParams;
  let owners: Owner[];
  let ledger: Map<number, TransitionAccount>;
  let notes: Map<bigint, NoteOpening>;
  let events: LedgerEvent[];
  let market: TransitionMarket;
  let risk: RiskCommitment;
  let orders: Map<bigint, SignedOrder>;
  let evPlan: EventsPlan;
  let acPlan: AccountsPlan;

  const accepts = async (a: CircuitArtifacts, input: CircuitInput): Promise<boolean> => !(await witnessRejected(a, input));
  const eventsPlan = (evs: readonly LedgerEvent[]): EventsPlan => planEventsBatches(ledger, evs, notes, EPOCH, evParams);

  before(async () => {
    ev = loadCircuitArtifacts("epoch_events_test");
    tr = loadCircuitArtifacts("epoch_transition_test");
    if (ev.instance.kind !== "transitionEvents" || tr.instance.kind !== "transition") throw new Error("expected the transition circuits");
    evParams = ev.instance.params;
    trParams = tr.instance.params;
    owners = await Promise.all(Array.from({ length: 6 }, () => newOwner()));
    // Leaves 0, 1 and 5 hold accounts; leaf 3 is opened by a first deposit. Two account batches of 4.
    ledger = new Map([
      [0, accountOf(owners[0], EPOCH, 20_000n * USD, [{ instrument: 0, quantity: 2n }])],
      [1, accountOf(owners[1], EPOCH, 10_000n * USD, [{ instrument: 1, quantity: -1n }])],
      [5, accountOf(owners[3], EPOCH, 1_000n * USD, [{ instrument: 0, quantity: -5n }])],
    ]);
    notes = new Map();
    events = [
      deposit(owners[0], 1_000n * USD, notes),
      settlement(owners[1], EPOCH, 500n * USD),
      deposit(owners[2], 3_000n * USD, notes, { index: 3, publicKey: owners[2].publicKey, saltKey: owners[2].saltKey }),
      deposit(owners[3], 10n * USD, notes),
      settlement(owners[0], EPOCH, 100n * USD),
    ];
    ({ market, risk } = transitionMarket(EPOCH, trParams.logInstruments));
    orders = new Map([
      // Owner 0 sells one perp and buys two calls into its empty slot (margin rule holds after).
      [owners[0].accountKey, await order(owners[0], EPOCH + 1, [{ instrument: 0, delta: -1n }, { instrument: 1, delta: 2n }])],
      // Owner 3 is short 5 perps and under water after ETH rises: it may only reduce, and does.
      [owners[3].accountKey, await order(owners[3], EPOCH + 1, [{ instrument: 0, delta: 1n }, { instrument: 0, delta: 0n }])],
    ]);
    evPlan = eventsPlan(events);
    acPlan = await planAccountsBatches(evPlan.ledger, orders, market, risk, EPOCH, trParams, evPlan.last);
  });

  describe("honest transitions", () => {
    it("both passes accept the operator's batches, whose public signals are the circuit's", async () => {
      assert.equal(evPlan.batches.length, 2);
      assert.equal(acPlan.batches.length, 2);
      for (const [a, plan] of [[ev, evPlan], [tr, acPlan]] as const) {
        for (const batch of plan.batches) {
          const w = await computeWitness(a, batch.input);
          assert.deepEqual(w.slice(1, 1 + batch.publicSignals.length), batch.publicSignals.map(toField));
        }
      }
    });

    it("matches the TypeScript model: the events, the re-salted ledger, the net flow", async () => {
      const last = evPlan.batches[1].publicSignals;
      assert.equal(last[2], eventsDigest(events), "the last events batch names the contract's digest");
      assert.equal(evPlan.batches[0].publicSignals[1], ledgerTree(ledger, trParams.depth, trParams.positions).root);
      const mid = applyEvents(ledger, events, notes, EPOCH).ledger;
      const model = await transitionLedger(mid, orders, market, trParams.positions);
      assert.equal(acPlan.nextAccountsRoot, ledgerTree(model.ledger, trParams.depth, trParams.positions).root);
      const lastAccounts = acPlan.batches[1].publicSignals;
      assert.equal(lastAccounts[5], acPlan.nextAccountsRoot);
      assert.equal(fromField(lastAccounts[6]), model.netFlow);
      // Money is conserved: what left the traders' collateral is the net flow.
      const sum = (l: Ledger) => [...l.values()].reduce((s, a) => s + a.collateral, 0n);
      assert.equal(sum(mid) - sum(model.ledger), model.netFlow);
      // The rules the model applied, account by account.
      assert.equal(model.ledger.get(3)?.collateral, 3_000n * USD, "the first deposit opened leaf 3 with exactly its amount");
      assert.equal(model.steps.get(0)?.rule, "compliant");
      assert.equal(model.steps.get(5)?.rule, "reducing");
      assert.equal(model.steps.get(1)?.rule, "none");
      for (const [index, account] of model.ledger) {
        assert.equal(account.accountKey, mid.get(index)?.accountKey, "same key, same leaf");
        assert.equal(account.salt, epochSalt(account.publicKey, account.saltKey, EPOCH + 1));
      }
    });

    it("property: random ledgers, events and signed orders pass and match the model", async function () {
      const rand = seededRandom(20);
      for (let round = 0; round < 4; round++) {
        const people = await Promise.all(Array.from({ length: 5 }, () => newOwner()));
        const base = new Map<number, TransitionAccount>();
        const leaves = [0, 1, 2, 3, 4, 5, 6, 7].sort(() => rand(3) - 1).slice(0, 3 + rand(2));
        leaves.forEach((leaf, n) => base.set(leaf, accountOf(people[n], EPOCH, BigInt(2_000 + rand(30_000)) * USD, [{ instrument: rand(4), quantity: BigInt(rand(9) - 4) }])));
        const owned = [...base.entries()];
        const free = [0, 1, 2, 3, 4, 5, 6, 7].filter((l) => !base.has(l));
        const notebook = new Map<bigint, NoteOpening>();
        const evs: LedgerEvent[] = [];
        const settled = new Set<number>();
        for (let n = 0; n < 1 + rand(6); n++) {
          const [leaf, acc] = owned[rand(owned.length)];
          const who = people[leaves.indexOf(leaf)];
          // One settlement per account and epoch (the nullifier), at most a quarter of its cash.
          if (rand(2) === 0 || settled.has(leaf)) evs.push(deposit(who, BigInt(1 + rand(5_000)) * USD, notebook));
          else {
            settled.add(leaf);
            evs.push(settlement(who, EPOCH, BigInt(rand(Number(acc.collateral / USD / 4n))) * USD));
          }
        }
        const newcomer = people[4];
        if (free.length > 0 && owned.length < 4) evs.push(deposit(newcomer, 700n * USD, notebook, { index: free[0], publicKey: newcomer.publicKey, saltKey: newcomer.saltKey }));
        const plan1 = planEventsBatches(base, evs, notebook, EPOCH, evParams);
        const mid = plan1.ledger;
        const book = new Map<bigint, SignedOrder>();
        for (const [, acc] of mid) {
          if (rand(2) === 0) continue;
          const who = people.find((p) => p.accountKey === acc.accountKey) as Owner;
          const before = paddedPositions(acc.positions, trParams.positions);
          const legs = before.map((p) => (p.quantity === 0n ? { instrument: rand(4), delta: BigInt(rand(5) - 2) } : { instrument: p.instrument, delta: BigInt(rand(5) - 2) }));
          const signed = await order(who, EPOCH + 1, legs);
          // Keep only orders the rule allows (the model refuses the others, as the circuit does).
          try {
            await transitionLedger(new Map([[0, acc]]), new Map([[acc.accountKey, signed]]), market, trParams.positions);
            book.set(acc.accountKey, signed);
          } catch { /* refused order: left out */ }
        }
        const plan2 = await planAccountsBatches(mid, book, market, risk, EPOCH, trParams, plan1.last);
        for (const b of plan1.batches) assert.equal(await accepts(ev, b.input), true, `round ${round}: events batch`);
        for (const b of plan2.batches) {
          const w = await computeWitness(tr, b.input);
          assert.deepEqual(w.slice(1, 12), b.publicSignals.map(toField), `round ${round}: accounts batch`);
        }
        const model = await transitionLedger(applyEvents(base, evs, notebook, EPOCH).ledger, book, market, trParams.positions);
        assert.equal(plan2.nextAccountsRoot, ledgerTree(model.ledger, trParams.depth, trParams.positions).root, `round ${round}`);
        assert.equal(fromField(plan2.batches.at(-1)?.publicSignals[6] as bigint), model.netFlow, `round ${round}`);
      }
    });
  });
});
