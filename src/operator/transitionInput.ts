import { accountCommitment, paddedPositions, randomFieldElement } from "../accounts/account.js";
import type { SignedOrder } from "../accounts/order.js";
import { toField } from "../crypto/field.js";
import { MerkleTree } from "../crypto/merkleTree.js";
import { hashList, poseidon } from "../crypto/poseidon.js";
import type { TransitionEventsParams, TransitionParams } from "../protocol/circuitCatalog.js";
import type { CircuitInput } from "../proof/groth16Prover.js";
import { type TransitionMarket } from "../protocol/transition/accountRules.js";
import { applyEvents, type Ledger, type NoteOpening } from "../protocol/transition/applyEvents.js";
import { EMPTY_EVENTS_CHAIN, extendChain, type LedgerEvent } from "../protocol/transition/events.js";
import type { TransitionAccount } from "../protocol/transition/keys.js";
import { transitionLedger } from "../protocol/transition/transitionLedger.js";
import type { RiskCommitment } from "../risk/riskCommitment.js";

/** EventsState(epoch, batchIndex, root, chain): the off-circuit twin of circuits/lib/transition.circom. */
export function eventsState(epoch: number, batchIndex: bigint, root: bigint, chain: bigint): bigint {
  return poseidon([1n, BigInt(epoch), toField(batchIndex), root, chain]);
}

/** TransitionState(epoch, batchIndex, root, netFlow, blinding): the accounts pass's chained state. */
export function transitionState(epoch: number, batchIndex: bigint, root: bigint, netFlow: bigint, blinding: bigint): bigint {
  return poseidon([2n, BigInt(epoch), toField(batchIndex), root, toField(netFlow), blinding]);
}

type Signal = bigint | Signal[];

/** Every signal as a field element (negative quantities, values and flows become p - |x|). */
function asField(v: unknown): Signal {
  return Array.isArray(v) ? v.map(asField) : toField(BigInt(v as bigint));
}

function fieldInput(input: Record<string, unknown>): CircuitInput {
  return Object.fromEntries(Object.entries(input).map(([k, v]) => [k, asField(v)])) as CircuitInput;
}

/** One batch proof's witness and its public signals, in the catalog's order. */
export interface TransitionBatch {
  input: CircuitInput;
  publicSignals: bigint[];
  /** The accounts root after this batch (the running root, private to the operator). */
  root: bigint;
}

/** The leaves of a ledger in a tree of the given depth. */
export function ledgerTree(ledger: Ledger, depth: number, slots: number): MerkleTree {
  const tree = new MerkleTree(depth);
  for (const [index, account] of ledger) tree.set(index, accountCommitment(account, slots));
  return tree;
}

function positionsHash(account: TransitionAccount, slots: number): bigint {
  return poseidon(paddedPositions(account.positions, slots).flatMap((p) => [BigInt(p.instrument), p.quantity]));
}

export interface EventsPlan {
  batches: TransitionBatch[];
  /** The ledger after every event (the accounts pass starts here). */
  ledger: Ledger;
  /** The last batch's index, root and chain: the accounts pass's batch 0 continues from them. */
  last: { batchIndex: number; root: bigint; chain: bigint };
}

/**
 * The events pass's batches (EpochEvents): the recorded events in the contract's order, 2^logEvents
 * per batch (at least one batch; unused slots do nothing), each with the leaf it applies to and
 * that leaf's path in the tree as it is just before the event.
 */
export function planEventsBatches(
  ledger: Ledger, events: readonly LedgerEvent[], notes: ReadonlyMap<bigint, NoteOpening>, epoch: number, params: TransitionEventsParams,
): EventsPlan {
  const E = 2 ** params.logEvents;
  const P = params.positions;
  const tree = ledgerTree(ledger, params.depth, P);
  const rootE = tree.root;
  const { ledger: after, applied } = applyEvents(ledger, events, notes, epoch);
  let current: Ledger = ledger;
  let chain = EMPTY_EVENTS_CHAIN;
  const batches: TransitionBatch[] = [];
  const count = Math.max(1, Math.ceil(events.length / E));
  for (let k = 0; k < count; k++) {
    const prevRoot = tree.root;
    const prevChain = chain;
    const slot = (): bigint[] => Array(E).fill(0n) as bigint[];
    const input = {
      isDeposit: slot(), isSettlement: slot(), id: slot(), amount: slot(), leafIndex: slot(), isNew: slot(),
      accountKey: slot(), collateral: slot(), salt: slot(), positionsHash: slot(), nonce: slot(), Ax: slot(), Ay: slot(), saltKey: slot(),
      siblings: Array.from({ length: E }, () => Array(params.depth).fill(0n) as bigint[]),
    };
    for (let j = 0; j < E; j++) {
      const n = k * E + j;
      if (n >= events.length) break;
      const event = events[n];
      const { index, opened } = applied[n];
      const step = applyEvents(current, [event], notes, epoch).ledger;
      const acc = step.get(index) as TransitionAccount;
      const old = current.get(index);
      input.isDeposit[j] = event.kind === "deposit" ? 1n : 0n;
      input.isSettlement[j] = event.kind === "settlement" ? 1n : 0n;
      input.id[j] = event.kind === "deposit" ? event.note : event.nullifier;
      input.amount[j] = event.amount;
      input.leafIndex[j] = BigInt(index);
      input.siblings[j] = tree.path(index).siblings;
      input.isNew[j] = opened ? 1n : 0n;
      input.accountKey[j] = acc.accountKey;
      input.collateral[j] = old ? old.collateral : 0n;
      input.salt[j] = acc.salt;
      input.positionsHash[j] = positionsHash(acc, P);
      input.nonce[j] = event.kind === "deposit" ? (notes.get(event.note) as NoteOpening).nonce : 0n;
      if (opened) {
        input.Ax[j] = acc.publicKey[0];
        input.Ay[j] = acc.publicKey[1];
        input.saltKey[j] = acc.saltKey;
      }
      tree.set(index, accountCommitment(acc, P));
      chain = extendChain(chain, event);
      current = step;
    }
    const isLast = k === count - 1;
    const publicSignals = [
      BigInt(epoch), k === 0 ? rootE : 0n, isLast ? chain : 0n, BigInt(k), isLast ? 1n : 0n,
      eventsState(epoch, BigInt(k - 1), prevRoot, prevChain), eventsState(epoch, BigInt(k), tree.root, chain),
    ];
    const names = ["epoch", "accountsRoot", "eventsDigest", "batchIndex", "isLast", "prevState", "nextState"];
    batches.push({ input: fieldInput({ ...Object.fromEntries(names.map((nm, i) => [nm, publicSignals[i]])), prevRoot, prevChain, ...input }), publicSignals, root: tree.root });
  }
  return { batches, ledger: after, last: { batchIndex: count - 1, root: tree.root, chain } };
}

export interface AccountsPlan {
  batches: TransitionBatch[];
  ledger: Ledger;
  netFlow: bigint;
  nextAccountsRoot: bigint;
}

/**
 * The accounts pass's batches (EpochTransition): batch k covers leaves [kB, (k+1)B) up to the
 * last non-empty one; each replaces its subtree in the running root by the accounts in epoch e+1
 * form (transitionLedger's model), carrying the root and the net flow under a fresh blinding. The
 * batch's orders fill its 2^logOrders order slots in leaf order; a batch with more orders than
 * slots is refused, naming it (those orders must wait for a later epoch and be signed again).
 */
export async function planAccountsBatches(
  ledger: Ledger, orders: ReadonlyMap<bigint, SignedOrder>, market: TransitionMarket, risk: RiskCommitment,
  epoch: number, params: TransitionParams, events: EventsPlan["last"], options: { randomBlinding?: () => bigint } = {},
): Promise<AccountsPlan> {
  if (market.epoch !== epoch + 1) throw new RangeError(`the market is for epoch ${market.epoch}, the transition is from ${epoch} to ${epoch + 1}`);
  const randomBlinding = options.randomBlinding ?? randomFieldElement;
  const P = params.positions;
  const B = 2 ** params.logBatch;
  const O = 2 ** params.logOrders;
  const S1 = params.scenarios + 1;
  const N = 2 ** params.logInstruments;
  if (market.variation.length !== N) throw new RangeError(`variation has ${market.variation.length} entries, the circuit takes ${N}`);
  const { ledger: next, netFlow, steps } = await transitionLedger(ledger, orders, market, P);
  const tree = ledgerTree(ledger, params.depth, P);
  const highest = Math.max(-1, ...ledger.keys());
  const count = Math.max(1, Math.floor(highest / B) + 1);
  const table = {
    values: risk.rows.map((r) => r.values), addon: risk.rows.map((r) => r.addon), linear: risk.rows.map((r) => (r.linear ? 1n : 0n)),
    tableDigest: risk.tableDigest, variation: [...market.variation],
  };
  const variationDigest = hashList(market.variation);
  const batches: TransitionBatch[] = [];
  let flow = 0n;
  let blinding = 0n;
  for (let k = 0; k < count; k++) {
    const prevRoot = tree.root;
    const prevFlow = flow;
    const prevBlinding = blinding;
    const siblings = tree.pathFrom(params.logBatch, k).siblings;
    const accounts: Record<string, unknown[]> = { active: [], accountKey: [], collateral: [], Ax: [], Ay: [], saltKey: [], instrument: [], quantity: [] };
    const slots: Record<string, unknown[]> = { target: [], newInstrument: [], newQuantity: [], sigS: [], sigR8x: [], sigR8y: [], compliant: [], worstColumn: [] };
    const oneHot = (n: number, at: number): bigint[] => Array.from({ length: n }, (_, i) => (i === at ? 1n : 0n));
    for (let j = 0; j < B; j++) {
      const index = k * B + j;
      const acc = ledger.get(index);
      const step = steps.get(index);
      const before = paddedPositions(acc?.positions ?? [], P);
      accounts.active.push(acc ? 1n : 0n);
      accounts.accountKey.push(acc?.accountKey ?? 0n);
      accounts.collateral.push(acc?.collateral ?? 0n);
      accounts.Ax.push(acc?.publicKey[0] ?? 0n);
      accounts.Ay.push(acc?.publicKey[1] ?? 0n);
      accounts.saltKey.push(acc?.saltKey ?? 0n);
      accounts.instrument.push(before.map((p) => BigInt(p.instrument)));
      accounts.quantity.push(before.map((p) => p.quantity));
      const order = acc ? orders.get(acc.accountKey) : undefined;
      if (order && step) {
        if (slots.target.length === O) throw new RangeError(`batch ${k} (leaves ${k * B}..${k * B + B - 1}) has more orders than its ${O} order slots: the order for leaf ${index} must wait for a later epoch`);
        const after = paddedPositions(step.account.positions, P);
        slots.target.push(oneHot(B, j));
        slots.newInstrument.push(after.map((p) => BigInt(p.instrument)));
        slots.newQuantity.push(after.map((p) => p.quantity));
        slots.sigS.push(order.signature.S);
        slots.sigR8x.push(order.signature.R8[0]);
        slots.sigR8y.push(order.signature.R8[1]);
        slots.compliant.push(step.rule === "compliant" ? 1n : 0n);
        slots.worstColumn.push(oneHot(S1, step.worstColumn));
      }
      if (step) {
        flow += step.flow;
        tree.set(index, accountCommitment(step.account, P));
      }
    }
    // Unused order slots: no target, nothing signed (the verifier is disabled).
    while (slots.target.length < O) {
      slots.target.push(oneHot(B, -1));
      slots.newInstrument.push(Array(P).fill(0n));
      slots.newQuantity.push(Array(P).fill(0n));
      slots.sigS.push(0n);
      slots.sigR8x.push(0n);
      slots.sigR8y.push(1n);
      slots.compliant.push(0n);
      slots.worstColumn.push(oneHot(S1, 0));
    }
    blinding = randomBlinding();
    const isLast = k === count - 1;
    const prevState = k === 0 ? eventsState(epoch, BigInt(events.batchIndex), prevRoot, events.chain) : transitionState(epoch, BigInt(k - 1), prevRoot, prevFlow, prevBlinding);
    if (k === 0 && prevRoot !== events.root) throw new RangeError("the accounts pass must start at the events pass's root: the ledger is not the events pass's result");
    const publicSignals = [
      BigInt(epoch), BigInt(epoch + 1), risk.riskRoot, variationDigest, market.feeRate, isLast ? tree.root : 0n, isLast ? toField(flow) : 0n,
      BigInt(k), isLast ? 1n : 0n, prevState, transitionState(epoch, BigInt(k), tree.root, flow, blinding),
    ];
    const names = ["epoch", "nextEpoch", "riskRoot", "variationDigest", "feeRate", "nextAccountsRoot", "netFlow", "batchIndex", "isLast", "prevState", "nextState"];
    batches.push({
      input: fieldInput({
        ...Object.fromEntries(names.map((nm, i) => [nm, publicSignals[i]])), ...table,
        prevRoot, prevNetFlow: prevFlow, prevBlinding, eventsBatch: BigInt(events.batchIndex), eventsChain: events.chain,
        subtreeSiblings: siblings, blinding, ...accounts, ...slots,
      }),
      publicSignals,
      root: tree.root,
    });
  }
  return { batches, ledger: next, netFlow, nextAccountsRoot: tree.root };
}
