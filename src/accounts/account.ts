import { FIELD_MODULUS } from "../crypto/field.js";
import { poseidon } from "../crypto/poseidon.js";
import { checkRange, MAX_COLLATERAL, MAX_QUANTITY, MIN_QUANTITY } from "../crypto/bounds.js";

/** One position slot: an index into the epoch's risk table and a signed quantity of contracts. */
export interface Position {
  instrument: number;
  quantity: bigint;
}

/**
 * What the operator knows of an account: everything in its leaf but the secret.
 * The trader additionally holds `secret`, with accountKey = Poseidon(secret).
 */
export interface AccountOpening {
  accountKey: bigint;
  collateral: bigint;
  /** Re-randomised every epoch so an unchanged account gets a new leaf (no linkability). */
  salt: bigint;
  positions: Position[];
}

export interface TraderAccount extends AccountOpening {
  secret: bigint;
}

/** A uniformly random field element (secrets and salts). */
export function randomFieldElement(): bigint {
  // 64 random bytes reduced mod p: statistically uniform. Web Crypto: the same in Node and the browser.
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(64));
  return BigInt(`0x${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`) % FIELD_MODULUS;
}

export function accountKeyOf(secret: bigint): bigint {
  return poseidon([secret]);
}

/** The account's nullifier for an epoch: one settlement per account per epoch, unlinkable. */
export function nullifierOf(accountKey: bigint, epoch: number | bigint): bigint {
  return poseidon([accountKey, BigInt(epoch)]);
}

/** Positions padded with empty slots (instrument 0, quantity 0) to exactly `slots`. */
export function paddedPositions(positions: readonly Position[], slots: number): Position[] {
  if (positions.length > slots) throw new RangeError(`account has ${positions.length} positions, the circuits take at most ${slots}`);
  return [...positions, ...Array.from({ length: slots - positions.length }, () => ({ instrument: 0, quantity: 0n }))];
}

/** Checks an opening against the circuits' bounds, naming the offending field. */
export function checkOpening(account: AccountOpening, slots: number, instruments: number): void {
  checkRange("collateral", account.collateral, 0n, MAX_COLLATERAL);
  if (account.positions.length > slots) throw new RangeError(`account has ${account.positions.length} positions, the circuits take at most ${slots}`);
  account.positions.forEach((p, k) => {
    if (!Number.isInteger(p.instrument) || p.instrument < 0 || p.instrument >= instruments) {
      throw new RangeError(`positions[${k}].instrument = ${p.instrument} is not a listed instrument index (0..${instruments - 1})`);
    }
    checkRange(`positions[${k}].quantity`, p.quantity, MIN_QUANTITY, MAX_QUANTITY);
  });
  for (const [what, v] of [["accountKey", account.accountKey], ["salt", account.salt]] as const) {
    if (v < 0n || v >= FIELD_MODULUS) throw new RangeError(`${what} is not a field element`);
  }
}

/**
 * The account's leaf in the accounts tree (docs/design.md §3):
 * Poseidon(accountKey, collateral, salt, Poseidon(instrument_0, quantity_0, ..., instrument_P-1, quantity_P-1)).
 */
export function accountCommitment(account: AccountOpening, slots: number): bigint {
  const flat = paddedPositions(account.positions, slots).flatMap((p) => [BigInt(p.instrument), p.quantity]);
  return poseidon([account.accountKey, account.collateral, account.salt, poseidon(flat)]);
}

/** A new trader account with a fresh secret and salt. */
export function newTraderAccount(collateral: bigint, positions: Position[] = []): TraderAccount {
  const secret = randomFieldElement();
  return { secret, accountKey: accountKeyOf(secret), collateral, salt: randomFieldElement(), positions };
}

/**
 * The same account with a fresh salt: the operator does this to every account each epoch so
 * an unchanged account's leaf changes too, and the public cannot tell who did not trade.
 */
export function withFreshSalt<T extends AccountOpening>(account: T): T {
  return { ...account, salt: randomFieldElement() };
}
