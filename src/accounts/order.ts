import { buildEddsa, type Eddsa } from "circomlibjs";
import { hashList } from "../crypto/poseidon.js";
import { FIELD_MODULUS, toField } from "../crypto/field.js";
import { checkRange, MAX_QUANTITY, MIN_QUANTITY } from "../crypto/bounds.js";

/**
 * A trader's order for one epoch, slot by slot over the account's position slots (docs/design.md
 * "Epoch transitions"): slot k ends up holding `legs[k].instrument` with its quantity changed by
 * `legs[k].delta`. A slot can take another instrument only if it held nothing. The trade is done
 * at the mark of the epoch the order names, and is valid for that epoch only: the signature
 * covers the epoch, so an older order cannot be replayed.
 */
export interface OrderLeg {
  instrument: number;
  delta: bigint;
}

export interface Order {
  /** The epoch whose ledger the order changes (e + 1, traded at its table's mark). */
  epoch: number;
  /** The account's key: an order signed for one account does not apply to another of the same owner. */
  accountKey: bigint;
  /** One leg per position slot, exactly as many as the circuits' slots. */
  legs: OrderLeg[];
}

/** A Baby Jubjub public key (x, y): the owner's EdDSA-Poseidon key, bound into every leaf's salt. */
export type PublicKey = readonly [bigint, bigint];

export interface OrderSignature {
  R8: readonly [bigint, bigint];
  S: bigint;
}

export interface SignedOrder {
  order: Order;
  signature: OrderSignature;
}

let eddsa: Promise<Eddsa> | undefined;
function curve(): Promise<Eddsa> {
  eddsa ??= buildEddsa();
  return eddsa;
}

function checkOrder(order: Order): void {
  if (!Number.isInteger(order.epoch) || order.epoch < 0 || order.epoch >= 2 ** 32) throw new RangeError(`order.epoch must be an integer in [0, 2^32), got ${order.epoch}`);
  if (order.accountKey < 0n || order.accountKey >= FIELD_MODULUS) throw new RangeError("order.accountKey is not a field element");
  if (order.legs.length === 0) throw new RangeError("order.legs is empty: an order has one leg per position slot");
  order.legs.forEach((leg, k) => {
    if (!Number.isInteger(leg.instrument) || leg.instrument < 0) throw new RangeError(`order.legs[${k}].instrument = ${leg.instrument} is not an instrument index`);
    checkRange(`order.legs[${k}].delta`, leg.delta, MIN_QUANTITY - MAX_QUANTITY, MAX_QUANTITY - MIN_QUANTITY);
  });
}

/**
 * The message an order's signature covers, as the EpochTransition circuit hashes it:
 * HashList(epoch, accountKey, instrument_0..instrument_{P-1}, delta_0..delta_{P-1}).
 */
export function orderMessage(order: Order): bigint {
  checkOrder(order);
  return hashList([BigInt(order.epoch), order.accountKey, ...order.legs.map((l) => BigInt(l.instrument)), ...order.legs.map((l) => l.delta)]);
}

/** A 32-byte EdDSA private key, fresh from the platform's random source. */
export function newSigningKey(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(32));
}

/** The Baby Jubjub public key of a 32-byte EdDSA private key (circomlibjs' prv2pub). */
export async function publicKeyOf(privateKey: Uint8Array): Promise<PublicKey> {
  if (privateKey.length !== 32) throw new RangeError(`an EdDSA private key is 32 bytes, got ${privateKey.length}`);
  const e = await curve();
  const [x, y] = e.prv2pub(privateKey);
  return [e.F.toObject(x), e.F.toObject(y)];
}

/** The owner signs an order with EdDSA-Poseidon (circomlibjs), off-circuit, on their machine. */
export async function signOrder(order: Order, privateKey: Uint8Array): Promise<SignedOrder> {
  if (privateKey.length !== 32) throw new RangeError(`an EdDSA private key is 32 bytes, got ${privateKey.length}`);
  const e = await curve();
  const sig = e.signPoseidon(privateKey, e.F.e(orderMessage(order)));
  return { order, signature: { R8: [e.F.toObject(sig.R8[0]), e.F.toObject(sig.R8[1])], S: sig.S } };
}

/** True when the signature is the owner's over this order (what the circuit's verifier checks). */
export async function verifyOrder(signed: SignedOrder, publicKey: PublicKey): Promise<boolean> {
  const e = await curve();
  const point = (p: readonly [bigint, bigint]): [Uint8Array, Uint8Array] => [e.F.e(toField(p[0])), e.F.e(toField(p[1]))];
  return e.verifyPoseidon(e.F.e(orderMessage(signed.order)), { R8: point(signed.signature.R8), S: signed.signature.S }, point(publicKey));
}
