import { type AccountOpening, type Position } from "../../accounts/account.js";
import type { PublicKey } from "../../accounts/order.js";
import { poseidon } from "../../crypto/poseidon.js";

/**
 * An account as the epoch transition sees it: its opening plus the two things that tie its
 * leaves together across epochs, known to the owner and the operator only:
 *   publicKey  the owner's Baby Jubjub EdDSA key, the only key whose signature changes positions;
 *   saltKey    Poseidon(secret, 1), from which every epoch's salt is derived.
 */
export interface TransitionAccount extends AccountOpening {
  publicKey: PublicKey;
  saltKey: bigint;
}

/** Domain of the salt key, so that Poseidon(secret, 1) is no other hash of the secret in use. */
export const SALT_KEY_DOMAIN = 1n;

/** The account's salt key: the owner derives it from their secret and gives it to the operator. */
export function saltKeyOf(secret: bigint): bigint {
  return poseidon([secret, SALT_KEY_DOMAIN]);
}

/**
 * The salt of an account's leaf in an epoch: Poseidon(Ax, Ay, saltKey, epoch) (AccountSalt in
 * circuits/lib/transition.circom). The public cannot link two epochs' leaves without saltKey;
 * the owner rebuilds their own leaf without help; the leaf binds the public key.
 */
export function epochSalt(publicKey: PublicKey, saltKey: bigint, epoch: number): bigint {
  if (!Number.isInteger(epoch) || epoch < 0 || epoch >= 2 ** 32) throw new RangeError(`epoch must be an integer in [0, 2^32), got ${epoch}`);
  return poseidon([publicKey[0], publicKey[1], saltKey, BigInt(epoch)]);
}

/**
 * The nonce of the deposit that opens an account: Poseidon(Ax, Ay, saltKey). The note
 * Poseidon(accountKey, nonce) then commits to the owner's key material, so the operator cannot
 * open the depositor's account under a public key or salt key of its own.
 */
export function openingNonce(publicKey: PublicKey, saltKey: bigint): bigint {
  return poseidon([publicKey[0], publicKey[1], saltKey]);
}

/** An account opened in an epoch: its leaf carries that epoch's salt. */
export function openTransitionAccount(
  accountKey: bigint, publicKey: PublicKey, saltKey: bigint, epoch: number, collateral = 0n, positions: Position[] = [],
): TransitionAccount {
  return { accountKey, collateral, salt: epochSalt(publicKey, saltKey, epoch), positions, publicKey, saltKey };
}

/** The same account with its salt for another epoch. */
export function resalted(account: TransitionAccount, epoch: number): TransitionAccount {
  return { ...account, salt: epochSalt(account.publicKey, account.saltKey, epoch) };
}
