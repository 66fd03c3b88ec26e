import assert from "node:assert/strict";
import { accountCommitment, paddedPositions } from "../src/accounts/account.js";
import { type SignedOrder, signOrder, verifyOrder } from "../src/accounts/order.js";
import { type CircuitArtifacts, loadCircuitArtifacts } from "../src/artifacts/manifest.js";
import { fromField, toField } from "../src/crypto/field.js";
import { MerkleTree } from "../src/crypto/merkleTree.js";
import { poseidon } from "../src/crypto/poseidon.js";
import { type AccountsPlan, type EventsPlan, eventsState, ledgerTree, planAccountsBatches, planEventsBatches, transitionState } from "../src/operator/transitionInput.js";
import type { TransitionEventsParams, TransitionParams } from "../src/protocol/circuitCatalog.js";
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
const setAt = (input: CircuitInput, name: string, j: number, value: bigint): CircuitInput => {
  const arr = list(input, name);
  arr[j] = value;
  return { ...input, [name]: arr };
};

/**
 * The accounts-pass batch's public outputs recomputed from its witness input by plain arithmetic,
 * with no rule checked: what a dishonest operator would claim for a batch it edited. `price`,
 * `variation` and `salt` override the circuit's own mark, variation and epoch salt.
 */
function claimedOutputs(
  input: CircuitInput, params: TransitionParams,
  override: { price?: (i: number) => bigint; variation?: (i: number) => bigint; salt?: (j: number) => bigint } = {},
): { root: bigint; flow: bigint; nextState: bigint } {
  const B = 2 ** params.logBatch;
  const P = params.positions;
  const values = grid(input, "values").map((r) => r.map(fromField));
  const variation = list(input, "variation").map(fromField);
  const epoch = Number(input.epoch);
  const feeRate = BigInt(input.feeRate as bigint);
  const targets = grid(input, "target");
  let flow = fromField(BigInt(input.prevNetFlow as bigint));
  const leaves: bigint[] = [];
  for (let j = 0; j < B; j++) {
    if (list(input, "active")[j] === 0n) {
      leaves.push(0n);
      continue;
    }
    const q = grid(input, "quantity")[j].map(fromField);
    const instr = grid(input, "instrument")[j].map(Number);
    const o = targets.findIndex((row) => row[j] === 1n);
    const q2 = o < 0 ? q : grid(input, "newQuantity")[o].map(fromField);
    const instr2 = o < 0 ? instr : grid(input, "newInstrument")[o].map(Number);
    const c = list(input, "collateral")[j];
    let cash = c;
    for (let k = 0; k < P; k++) {
      cash += q[k] * (override.variation ? override.variation(instr[k]) : variation[instr[k]]);
      const i = instr2[k];
      cash -= (q2[k] - q[k]) * (override.price ? override.price(i) : values[i][0]);
      cash -= feeRate * (q2[k] > q[k] ? q2[k] - q[k] : q[k] - q2[k]);
    }
    flow += c - cash;
    const publicKey = [list(input, "Ax")[j], list(input, "Ay")[j]] as const;
    const salt = override.salt ? override.salt(j) : epochSalt(publicKey, list(input, "saltKey")[j], epoch + 1);
    leaves.push(accountCommitment({ accountKey: list(input, "accountKey")[j], collateral: cash, salt, positions: instr2.map((instrument, k) => ({ instrument, quantity: q2[k] })) }, P));
  }
  let node = new MerkleTree(params.logBatch, leaves).root;
  let index = Number(input.batchIndex);
  for (const sibling of list(input, "subtreeSiblings")) {
    node = index % 2 === 0 ? poseidon([node, sibling]) : poseidon([sibling, node]);
    index >>= 1;
  }
  return { root: node, flow, nextState: transitionState(epoch, BigInt(input.batchIndex as bigint), node, flow, BigInt(input.blinding as bigint)) };
}

/** The batch input with its claimed outputs (root, net flow, next state) set as the operator would. */
function withClaims(input: CircuitInput, params: TransitionParams, override: Parameters<typeof claimedOutputs>[2] = {}): CircuitInput {
  const out = claimedOutputs(input, params, override);
  const last = BigInt(input.isLast as bigint) === 1n;
  return { ...input, nextState: out.nextState, nextAccountsRoot: last ? out.root : 0n, netFlow: last ? toField(out.flow) : 0n };
}

describe("EpochTransition (docs/design.md, Epoch transitions)", function () {
  let ev: CircuitArtifacts;
  let tr: CircuitArtifacts;
  let evParams: TransitionEventsParams;
  let trParams: TransitionParams;
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

  describe("events pass: every recorded event applied exactly once, to the account it names", () => {
    /** The operator's events pass over its own event list, claimed against the contract's digest. */
    async function claimedAgainstContract(evs: LedgerEvent[]): Promise<{ own: boolean; contract: boolean }> {
      const plan = eventsPlan(evs);
      const last = plan.batches.at(-1) as EventsPlan["batches"][number];
      const own = (await Promise.all(plan.batches.map((b) => accepts(ev, b.input)))).every(Boolean);
      return { own, contract: await accepts(ev, { ...last.input, eventsDigest: eventsDigest(events) }) };
    }

    it("the sock credit: a deposit nobody made is refused (the chain is not the contract's)", async () => {
      const sock = await newOwner();
      const fake = deposit(sock, 50_000n * USD, notes, { index: 7, publicKey: sock.publicKey, saltKey: sock.saltKey });
      // A valid pass over the operator's own list, but not over what the contract recorded.
      assert.deepEqual(await claimedAgainstContract([...events, fake]), { own: true, contract: false });
      assert.deepEqual(await claimedAgainstContract([...events.slice(0, 2), fake, ...events.slice(2)]), { own: true, contract: false });
    });

    it("a deposit credited twice, or not at all, and a settlement not debited are refused", async () => {
      assert.deepEqual(await claimedAgainstContract([...events, events[0]]), { own: true, contract: false }, "credited twice");
      assert.deepEqual(await claimedAgainstContract(events.filter((_, n) => n !== 0)), { own: true, contract: false }, "not credited");
      assert.deepEqual(await claimedAgainstContract(events.filter((_, n) => n !== 1)), { own: true, contract: false }, "settlement not debited");
      const swapped = [events[1], events[0], ...events.slice(2)];
      assert.deepEqual(await claimedAgainstContract(swapped), { own: true, contract: false }, "reordered");
      const lighter = events.map((e, n) => (n === 1 ? { ...e, amount: 1n } : e));
      assert.deepEqual(await claimedAgainstContract(lighter), { own: true, contract: false }, "settlement debited less");
      assert.equal(await accepts(ev, evPlan.batches[1].input), true, "the honest last batch");
    });

    it("an event cannot be applied as another kind (a settlement credited instead of debited)", async () => {
      const input = evPlan.batches[0].input;
      assert.equal(await accepts(ev, { ...input, isDeposit: [1n, 1n, 1n, 1n], isSettlement: [0n, 0n, 0n, 0n] }), false);
      assert.equal(await accepts(ev, { ...input, isSettlement: [1n, 1n, 0n, 0n] }), false, "deposit and settlement at once");
    });

    it("a deposit credited to another account than its note names is refused", async () => {
      // Owner 0's deposit applied to owner 1's leaf (1): a complete, consistent opening of leaf 1.
      const input = evPlan.batches[0].input;
      const tree = ledgerTree(ledger, trParams.depth, trParams.positions);
      const other = ledger.get(1) as TransitionAccount;
      const dishonest = {
        ...input,
        leafIndex: [1n, ...list(input, "leafIndex").slice(1)],
        siblings: [tree.path(1).siblings, ...grid(input, "siblings").slice(1)],
        accountKey: [other.accountKey, ...list(input, "accountKey").slice(1)],
        collateral: [other.collateral, ...list(input, "collateral").slice(1)],
        salt: [other.salt, ...list(input, "salt").slice(1)],
        positionsHash: [poseidon(paddedPositions(other.positions, trParams.positions).flatMap((p) => [BigInt(p.instrument), toField(p.quantity)])), ...list(input, "positionsHash").slice(1)],
      };
      assert.equal(await witnessRejected(ev, dishonest), true);
      // The same note cannot be opened as owner 1's: the nonce would have to make Poseidon(key1, nonce) = note.
      assert.equal(await witnessRejected(ev, { ...dishonest, nonce: [123n, ...list(input, "nonce").slice(1)] }), true);
    });

    it("a settlement debited from another account than its nullifier names is refused", async () => {
      const input = evPlan.batches[0].input;
      // Slot 1 is owner 1's settlement; apply it to leaf 0 (owner 0, after its deposit in slot 0).
      assert.equal(list(input, "isSettlement")[1], 1n);
      assert.equal(await witnessRejected(ev, { ...input, accountKey: [list(input, "accountKey")[0], list(input, "accountKey")[0], ...list(input, "accountKey").slice(2)] }), true);
    });

    it("a new account smuggled into a non-empty leaf is refused; a new account holds only its deposit", async () => {
      const input = evPlan.batches[0].input;
      // Slot 0 credits owner 0's existing leaf: claiming it opens a new account there (wiping owner 0).
      assert.equal(list(input, "isNew")[0], 0n);
      const empty = list(input, "positionsHash")[2];
      assert.equal(await witnessRejected(ev, { ...input, isNew: [1n, 0n, 1n, 0n], positionsHash: [empty, ...list(input, "positionsHash").slice(1)] }), true);
      // Slot 2 opens leaf 3: it may not start with positions, and a settlement cannot open an account.
      assert.equal(list(input, "isNew")[2], 1n);
      assert.equal(await witnessRejected(ev, { ...input, positionsHash: [...list(input, "positionsHash").slice(0, 2), empty + 1n, list(input, "positionsHash")[3]] }), true);
      assert.equal(await witnessRejected(ev, { ...input, isNew: [0n, 1n, 1n, 0n] }), true);
    });

    it("a new account is opened under its depositor's keys only", async () => {
      const input = evPlan.batches[0].input;
      assert.equal(list(input, "isNew")[2], 1n);
      const operator = await newOwner();
      // The operator's own public key in place of the depositor's (its salt made to match).
      const salt = epochSalt(operator.publicKey, list(input, "saltKey")[2], EPOCH);
      let own = setAt(setAt(input, "Ax", 2, operator.publicKey[0]), "Ay", 2, operator.publicKey[1]);
      own = setAt(own, "salt", 2, salt);
      assert.equal(await witnessRejected(ev, own), true, "another public key");
      assert.equal(await witnessRejected(ev, setAt(input, "salt", 2, list(input, "salt")[2] + 1n)), true, "a salt not derived from the keys");
      assert.equal(await witnessRejected(ev, setAt(input, "saltKey", 2, 9n)), true, "another salt key");
    });

    it("a settlement above the collateral is refused; batches chain from e's root to the contract's digest", async () => {
      const over = [...events.slice(0, 1), { ...events[1], amount: 10_001n * USD } as LedgerEvent];
      assert.throws(() => eventsPlan(over), /more than the collateral/);
      const first = evPlan.batches[0].input;
      const second = evPlan.batches[1].input;
      assert.equal(await witnessRejected(ev, { ...first, accountsRoot: 1n }), true, "batch 0 starts elsewhere than e's root");
      assert.equal(await witnessRejected(ev, { ...first, eventsDigest: eventsDigest(events) }), true, "an inner batch names the digest");
      assert.equal(await witnessRejected(ev, { ...second, prevState: evPlan.batches[0].publicSignals[5] }), true, "batch 1 does not continue batch 0");
      assert.equal(await witnessRejected(ev, { ...second, batchIndex: 2n, prevState: eventsState(EPOCH, 1n, BigInt(second.prevRoot as bigint), BigInt(second.prevChain as bigint)) }), true, "a skipped index");
      assert.equal(await witnessRejected(ev, { ...first, isLast: 1n, eventsDigest: eventsDigest(events.slice(0, 4)) }), false, "(a batch may be last: the contract compares the digest)");
    });
  });

  describe("accounts pass: variation, signed orders at the mark, the margin rule, same accounts", () => {
    const lastBatch = () => acPlan.batches[1].input;
    const firstBatch = () => acPlan.batches[0].input;
    /** Order slot 0 of the last batch is owner 3's (account slot 1, leaf 5, reducing); of batch 0, owner 0's (slot 0). */
    const setSlot = (input: CircuitInput, name: string, j: number, value: bigint | bigint[]): CircuitInput => {
      const arr = [...(input[name] as (bigint | bigint[])[])];
      arr[j] = value;
      return { ...input, [name]: arr as bigint[] };
    };
    const setSig = (input: CircuitInput, o: number, signed: SignedOrder): CircuitInput =>
      setSlot(setSlot(setSlot(input, "sigS", o, signed.signature.S), "sigR8x", o, signed.signature.R8[0]), "sigR8y", o, signed.signature.R8[1]);
    /** Order slot o of the input carrying `legs` for account slot j, signed by `owner` for `epoch`. */
    const withOrder = async (input: CircuitInput, o: number, j: number, owner: Owner, legs: SignedOrder["order"]["legs"], compliant: bigint, epoch = EPOCH + 1): Promise<CircuitInput> => {
      const q = grid(input, "quantity")[j].map(fromField);
      let edited = setSig(input, o, await order(owner, epoch, legs));
      edited = setSlot(edited, "target", o, list(input, "active").map((_, x) => (x === j ? 1n : 0n)));
      edited = setSlot(edited, "newQuantity", o, q.map((x, k) => toField(x + legs[k].delta)));
      edited = setSlot(edited, "newInstrument", o, legs.map((l) => BigInt(l.instrument)));
      return setSlot(edited, "compliant", o, compliant);
    };

    it("the claimed-outputs helper reproduces the honest batches (so the edits below change one thing)", async () => {
      for (const batch of acPlan.batches) {
        const out = claimedOutputs(batch.input, trParams);
        assert.equal(out.nextState, batch.publicSignals[10]);
        assert.equal(await accepts(tr, withClaims(batch.input, trParams)), true);
      }
      assert.deepEqual(grid(lastBatch(), "target"), [[0n, 1n, 0n, 0n], [0n, 0n, 0n, 0n]]);
    });

    it("a position changed without a signature, or with another key's, is refused", async () => {
      const legs = (orders.get(owners[3].accountKey) as SignedOrder).order.legs;
      const forged = await signOrder({ epoch: EPOCH + 1, accountKey: owners[3].accountKey, legs }, owners[4].signingKey);
      assert.equal(await verifyOrder(forged, owners[3].publicKey), false);
      assert.equal(await witnessRejected(tr, setSig(lastBatch(), 0, forged)), true, "another key's signature");
      assert.equal(await witnessRejected(tr, setSlot(lastBatch(), "sigS", 0, 0n)), true, "no signature");
      // Owner 1 placed no order: an order slot applying one, signed by another key, is refused.
      assert.equal(grid(firstBatch(), "target")[1].every((x) => x === 0n), true);
      const unsigned = await withOrder(firstBatch(), 1, 1, owners[4], [{ instrument: 1, delta: 1n }, { instrument: 0, delta: 0n }], 1n);
      assert.equal(await witnessRejected(tr, withClaims(unsigned, trParams)), true, "an order the owner did not sign");
      const signedByOwner = await withOrder(firstBatch(), 1, 1, owners[1], [{ instrument: 1, delta: 1n }, { instrument: 0, delta: 0n }], 1n);
      assert.equal(await accepts(tr, withClaims(signedByOwner, trParams)), true, "(the same order signed by owner 1 is accepted)");
      // Without an order slot, positions cannot change: the claimed new leaf would need them changed.
      const noSlot = setSlot(lastBatch(), "target", 0, [0n, 0n, 0n, 0n]);
      assert.equal(await witnessRejected(tr, { ...noSlot, nextState: lastBatch().nextState, nextAccountsRoot: lastBatch().nextAccountsRoot, netFlow: lastBatch().netFlow }), true, "the order's outcome claimed without its slot");
    });

    it("an order applies to one account of the batch, at most one order per account, none to an empty slot", async () => {
      const twice = setSlot(lastBatch(), "target", 1, [0n, 1n, 0n, 0n]);
      assert.equal(await witnessRejected(tr, withClaims(twice, trParams)), true, "two order slots on one account");
      assert.equal(await witnessRejected(tr, withClaims(setSlot(lastBatch(), "target", 0, [0n, 1n, 1n, 0n]), trParams)), true, "one order on two accounts");
      assert.equal(await witnessRejected(tr, withClaims(setSlot(lastBatch(), "target", 0, [0n, 0n, 1n, 0n]), trParams)), true, "an order on an empty slot");
      // A batch with more orders than slots is refused by the operator's planner, naming it.
      const busy = new Map(orders);
      busy.set(owners[1].accountKey, await order(owners[1], EPOCH + 1, [{ instrument: 1, delta: 1n }, { instrument: 0, delta: 0n }]));
      busy.set(owners[2].accountKey, await order(owners[2], EPOCH + 1, [{ instrument: 0, delta: 1n }, { instrument: 0, delta: 0n }]));
      await assert.rejects(planAccountsBatches(evPlan.ledger, busy, market, risk, EPOCH, trParams, evPlan.last), /batch 0 \(leaves 0\.\.3\) has more orders than its 2 order slots/);
    });

    it("a replayed signature (an older epoch's order, or another account's) is refused", async () => {
      const legs = (orders.get(owners[3].accountKey) as SignedOrder).order.legs;
      const older = await order(owners[3], EPOCH, legs);
      assert.equal(await witnessRejected(tr, setSig(lastBatch(), 0, older)), true, "epoch e's order replayed in e+1");
      const elsewhere = await signOrder({ epoch: EPOCH + 1, accountKey: owners[0].accountKey, legs }, owners[3].signingKey);
      assert.equal(await witnessRejected(tr, setSig(lastBatch(), 0, elsewhere)), true, "signed for another account");
      assert.equal(await accepts(tr, setSig(lastBatch(), 0, orders.get(owners[3].accountKey) as SignedOrder)), true, "the order itself");
    });

    it("a trade at a price other than the mark is refused", async () => {
      // Owner 0 buys 2 calls (instrument 1) in batch 0: claim them at half the mark.
      const mark = fromField(grid(firstBatch(), "values")[1][0]);
      assert.ok(mark > 0n);
      assert.equal(await accepts(tr, withClaims(firstBatch(), trParams, { price: (i) => (i === 1 ? mark / 2n : fromField(grid(firstBatch(), "values")[i][0])) })), false, "claimed outputs at another price");
      const values = grid(firstBatch(), "values");
      values[1][0] = toField(mark / 2n);
      assert.equal(await witnessRejected(tr, withClaims({ ...firstBatch(), values }, trParams)), true, "another mark in the table");
    });

    it("a wrong variation is refused", async () => {
      const v = fromField(list(lastBatch(), "variation")[0]);
      assert.ok(v > 0n, "fixture: ETH rose");
      assert.equal(await accepts(tr, withClaims(lastBatch(), trParams, { variation: (i) => (i === 0 ? 0n : fromField(list(lastBatch(), "variation")[i])) })), false, "no variation credited");
      const variation = list(lastBatch(), "variation");
      variation[0] = toField(v - 1n);
      assert.equal(await witnessRejected(tr, withClaims({ ...lastBatch(), variation }, trParams)), true, "another vector than the digest");
      const optionVariation = list(lastBatch(), "variation");
      optionVariation[1] = 5n;
      assert.equal(await witnessRejected(tr, { ...lastBatch(), variation: optionVariation, variationDigest: poseidon(optionVariation) }), true, "variation on an option");
    });

    it("an order that breaks the margin rule without only reducing is refused", async () => {
      const edit = async (legs: SignedOrder["order"]["legs"], compliant: bigint): Promise<CircuitInput> =>
        withClaims(await withOrder(lastBatch(), 0, 1, owners[3], legs, compliant), trParams);
      // Baseline: the honest order through this same edit is accepted.
      assert.equal(await accepts(tr, await edit([{ instrument: 0, delta: 1n }, { instrument: 0, delta: 0n }], 0n)), true);
      for (const compliant of [0n, 1n]) {
        assert.equal(await accepts(tr, await edit([{ instrument: 0, delta: -3n }, { instrument: 0, delta: 0n }], compliant)), false, `more short (compliant=${compliant})`);
        assert.equal(await accepts(tr, await edit([{ instrument: 0, delta: 8n }, { instrument: 0, delta: 0n }], compliant)), false, `flips to long (compliant=${compliant})`);
        assert.equal(await accepts(tr, await edit([{ instrument: 0, delta: 1n }, { instrument: 1, delta: -1n }], compliant)), false, `reduces but sells a call (compliant=${compliant})`);
      }
      assert.equal(await accepts(tr, await edit([{ instrument: 0, delta: 1n }, { instrument: 0, delta: 0n }], 1n)), false, "a reduction claimed compliant");
      // The worst column is one column: two would add up to a lower floor; a better one is stricter.
      const worst = grid(lastBatch(), "worstColumn")[0];
      const w = worst.indexOf(1n);
      const twoColumns = worst.map((x, s) => (s === w || s === (w + 1) % worst.length ? 1n : 0n));
      assert.equal(await witnessRejected(tr, setSlot(lastBatch(), "worstColumn", 0, twoColumns)), true, "two columns picked");
      assert.equal(await witnessRejected(tr, setSlot(lastBatch(), "worstColumn", 0, worst.map(() => 0n))), true, "no column picked");
      const better = worst.map((_, s) => (s === 0 && w !== 0 ? 1n : s === 1 && w === 0 ? 1n : 0n));
      assert.equal(await witnessRejected(tr, setSlot(lastBatch(), "worstColumn", 0, better)), true, "a column with more slack than the worst");
    });

    it("a slot's instrument changes only when it held nothing", async () => {
      const held = await withOrder(lastBatch(), 0, 1, owners[3], [{ instrument: 2, delta: 1n }, { instrument: 0, delta: 0n }], 1n);
      assert.equal(await accepts(tr, withClaims(held, trParams)), false);
    });

    it("an account dropped, duplicated, or smuggled into an empty slot is refused", async () => {
      const input = firstBatch();
      // Batch 0: leaves 0 (owner 0), 1 (owner 1), 2 (empty), 3 (opened by a deposit).
      assert.deepEqual(list(input, "active"), [1n, 1n, 0n, 1n]);
      const drop = setSlot(setSlot(setSlot(input, "active", 1, 0n), "collateral", 1, 0n), "quantity", 1, [0n, 0n]);
      assert.equal(await witnessRejected(tr, withClaims(drop, trParams)), true, "owner 1 dropped");
      // Owner 1's opening copied into the empty leaf 2.
      let dup: CircuitInput = { ...input };
      for (const name of ["active", "accountKey", "collateral", "Ax", "Ay", "saltKey", "instrument", "quantity"]) {
        dup = setSlot(dup, name, 2, (input[name] as (bigint | bigint[])[])[1]);
      }
      assert.equal(await witnessRejected(tr, withClaims(dup, trParams)), true, "owner 1 duplicated");
      const sock = await newOwner();
      let smuggled = setSlot(setSlot(setSlot(input, "active", 2, 1n), "accountKey", 2, sock.accountKey), "collateral", 2, 50_000n * USD);
      smuggled = setSlot(setSlot(setSlot(smuggled, "Ax", 2, sock.publicKey[0]), "Ay", 2, sock.publicKey[1]), "saltKey", 2, sock.saltKey);
      assert.equal(await witnessRejected(tr, withClaims(smuggled, trParams)), true, "a new account in an empty slot");
      assert.equal(await witnessRejected(tr, withClaims(setSlot(input, "collateral", 2, 1n), trParams)), true, "an empty slot holding collateral");
      assert.equal(await witnessRejected(tr, withClaims(setSlot(input, "collateral", 1, list(input, "collateral")[1] + 1n), trParams)), true, "more collateral than the leaf");
    });

    it("the new salt is the epoch salt and the key the same; the pass covers every subtree, in order", async () => {
      const random = 12345n;
      assert.equal(await accepts(tr, withClaims(lastBatch(), trParams, { salt: (j) => (j === 1 ? random : epochSalt([list(lastBatch(), "Ax")[j], list(lastBatch(), "Ay")[j]], list(lastBatch(), "saltKey")[j], EPOCH + 1)) })), false, "another salt");
      assert.equal(await witnessRejected(tr, withClaims(setSlot(lastBatch(), "saltKey", 1, 7n), trParams)), true, "another salt key");
      // Batch 0 claimed last: the subtree to its right (leaf 5) would never be transitioned.
      assert.equal(await witnessRejected(tr, withClaims({ ...firstBatch(), isLast: 1n }, trParams)), true, "stops early");
      assert.equal(await witnessRejected(tr, { ...lastBatch(), prevState: evPlan.batches[1].publicSignals[6] }), true, "batch 1 continues the events pass");
      assert.equal(await witnessRejected(tr, { ...firstBatch(), nextAccountsRoot: acPlan.batches[0].root }), true, "an inner batch names a root");
      assert.equal(await witnessRejected(tr, { ...firstBatch(), nextEpoch: BigInt(EPOCH + 2) }), true, "epochs not consecutive");
      assert.equal(await witnessRejected(tr, { ...lastBatch(), netFlow: toField(acPlan.netFlow + 1n) }), true, "another net flow");
    });
  });

  it("pins the test instances' constraint counts (reference counts: docs/design.md, Epoch transitions)", () => {
    assert.equal(ev.circuit.constraints, 20_704);
    assert.equal(tr.circuit.constraints, 31_165);
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
        const perBatch = new Map<number, number>();
        for (const [index, acc] of mid) {
          const batch = Math.floor(index / 2 ** trParams.logBatch);
          if (rand(2) === 0 || (perBatch.get(batch) ?? 0) === 2 ** trParams.logOrders) continue;
          const who = people.find((p) => p.accountKey === acc.accountKey) as Owner;
          const before = paddedPositions(acc.positions, trParams.positions);
          const legs = before.map((p) => (p.quantity === 0n ? { instrument: rand(4), delta: BigInt(rand(5) - 2) } : { instrument: p.instrument, delta: BigInt(rand(5) - 2) }));
          const signed = await order(who, EPOCH + 1, legs);
          // Keep only orders the rule allows (the model refuses the others, as the circuit does).
          try {
            await transitionLedger(new Map([[0, acc]]), new Map([[acc.accountKey, signed]]), market, trParams.positions);
            book.set(acc.accountKey, signed);
            perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
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
