import { poseidon } from "../../crypto/poseidon.js";
import { checkRange, MAX_COLLATERAL } from "../../crypto/bounds.js";
import { FIELD_MODULUS } from "../../crypto/field.js";

/**
 * What the contract records during an epoch and the next epoch's ledger must apply exactly
 * once (docs/design.md "Epoch transitions"):
 *   deposit     tokens received for `note` = Poseidon(accountKey, nonce), chosen by the depositor;
 *   settlement  a margin proof paid: its nullifier Poseidon(accountKey, epoch) and its amount.
 */
export type LedgerEvent =
  | { kind: "deposit"; note: bigint; amount: bigint }
  | { kind: "settlement"; nullifier: bigint; amount: bigint };

/** The kind numbers the contract and the circuit hash. */
export const EVENT_KINDS = { deposit: 1n, settlement: 2n } as const;

/** The chain's value before the epoch's first event. */
export const EMPTY_EVENTS_CHAIN = 0n;

/** A deposit's note: the depositor picks a fresh nonce, so the public cannot link it to the account. */
export function depositNote(accountKey: bigint, nonce: bigint): bigint {
  return poseidon([accountKey, nonce]);
}

function eventId(event: LedgerEvent): bigint {
  return event.kind === "deposit" ? event.note : event.nullifier;
}

function checkEvent(event: LedgerEvent): void {
  const id = eventId(event);
  if (id < 0n || id >= FIELD_MODULUS) throw new RangeError(`${event.kind} ${event.kind === "deposit" ? "note" : "nullifier"} is not a field element`);
  checkRange(`${event.kind} amount`, event.amount, 0n, MAX_COLLATERAL);
}

/** Poseidon(kind, id, amount): one event as the contract hashes it when it records it. */
export function eventHash(event: LedgerEvent): bigint {
  checkEvent(event);
  return poseidon([EVENT_KINDS[event.kind], eventId(event), event.amount]);
}

/** The chain after one more event: Poseidon(chain, eventHash(event)). */
export function extendChain(chain: bigint, event: LedgerEvent): bigint {
  return poseidon([chain, eventHash(event)]);
}

/** The contract's digest of an epoch's events, in the order it recorded them. */
export function eventsDigest(events: readonly LedgerEvent[]): bigint {
  return events.reduce(extendChain, EMPTY_EVENTS_CHAIN);
}
