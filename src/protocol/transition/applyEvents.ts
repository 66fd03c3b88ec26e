import { nullifierOf } from "../../accounts/account.js";
import type { PublicKey } from "../../accounts/order.js";
import { MAX_COLLATERAL } from "../../crypto/bounds.js";
import { depositNote, type LedgerEvent } from "./events.js";
import { openingNonce, openTransitionAccount, type TransitionAccount } from "./keys.js";

/** A ledger by leaf index: an account keeps its index from epoch to epoch; absent = empty leaf. */
export type Ledger = ReadonlyMap<number, TransitionAccount>;

/**
 * What a depositor tells the operator about their note (privately): whose account it is, and
 * for a first deposit the account to open (its public key, its salt key, and the empty leaf
 * the operator assigns it).
 */
export interface NoteOpening {
  accountKey: bigint;
  nonce: bigint;
  open?: { index: number; publicKey: PublicKey; saltKey: bigint };
}

/** Where an event lands: the leaf index, and whether the event opened the account there. */
export interface AppliedEvent {
  index: number;
  opened: boolean;
}

function findKey(ledger: Ledger, match: (a: TransitionAccount) => boolean): number | undefined {
  for (const [index, account] of ledger) if (match(account)) return index;
  return undefined;
}

/**
 * A deposit is credited to the account its note names: note = Poseidon(accountKey, nonce). If no
 * account has that key, the deposit opens one in the empty leaf the opening names, holding
 * exactly the deposit and no position (with epoch e's salt: the accounts pass re-salts it); the
 * nonce of such a deposit is openingNonce(publicKey, saltKey), so the note binds the new account's keys.
 */
export function applyDeposit(
  ledger: Ledger, event: Extract<LedgerEvent, { kind: "deposit" }>, opening: NoteOpening | undefined, epoch: number,
): { ledger: Ledger; applied: AppliedEvent } {
  if (!opening) throw new RangeError(`deposit of ${event.amount} for note ${event.note}: the operator has no opening of this note`);
  if (depositNote(opening.accountKey, opening.nonce) !== event.note) throw new RangeError(`deposit note ${event.note} is not Poseidon(accountKey, nonce) of its opening`);
  const next = new Map(ledger);
  const index = findKey(ledger, (a) => a.accountKey === opening.accountKey);
  if (index !== undefined) {
    const account = ledger.get(index) as TransitionAccount;
    const collateral = account.collateral + event.amount;
    if (collateral > MAX_COLLATERAL) throw new RangeError(`deposit takes the collateral of leaf ${index} to ${collateral}, above ${MAX_COLLATERAL}`);
    next.set(index, { ...account, collateral });
    return { ledger: next, applied: { index, opened: false } };
  }
  if (!opening.open) throw new RangeError(`deposit note ${event.note} names an account that is not in the ledger, and opens none`);
  const { index: slot, publicKey, saltKey } = opening.open;
  if (opening.nonce !== openingNonce(publicKey, saltKey)) throw new RangeError(`deposit note ${event.note} opens an account, but its nonce is not Poseidon(Ax, Ay, saltKey) of the account's keys`);
  if (ledger.has(slot)) throw new RangeError(`deposit opens an account in leaf ${slot}, which is not empty`);
  next.set(slot, openTransitionAccount(opening.accountKey, publicKey, saltKey, epoch, event.amount));
  return { ledger: next, applied: { index: slot, opened: true } };
}

/**
 * A settlement paid in epoch e is debited from the account whose epoch-e nullifier it carries,
 * by the amount the margin proof asked for.
 */
export function applySettlement(
  ledger: Ledger, event: Extract<LedgerEvent, { kind: "settlement" }>, epoch: number,
): { ledger: Ledger; applied: AppliedEvent } {
  const index = findKey(ledger, (a) => nullifierOf(a.accountKey, epoch) === event.nullifier);
  if (index === undefined) throw new RangeError(`settlement nullifier ${event.nullifier} is no account's nullifier of epoch ${epoch}`);
  const account = ledger.get(index) as TransitionAccount;
  const collateral = account.collateral - event.amount;
  if (collateral < 0n) throw new RangeError(`settlement of ${event.amount} is more than the collateral ${account.collateral} of leaf ${index}`);
  const next = new Map(ledger);
  next.set(index, { ...account, collateral });
  return { ledger: next, applied: { index, opened: false } };
}

/** Every recorded event of epoch e, in the contract's order, each applied once (the events pass). */
export function applyEvents(
  ledger: Ledger, events: readonly LedgerEvent[], notes: ReadonlyMap<bigint, NoteOpening>, epoch: number,
): { ledger: Ledger; applied: AppliedEvent[] } {
  let current = ledger;
  const applied: AppliedEvent[] = [];
  for (const event of events) {
    const step = event.kind === "deposit" ? applyDeposit(current, event, notes.get(event.note), epoch) : applySettlement(current, event, epoch);
    current = step.ledger;
    applied.push(step.applied);
  }
  return { ledger: current, applied };
}
