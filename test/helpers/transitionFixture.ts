import { accountKeyOf, nullifierOf, type Position, randomFieldElement } from "../../src/accounts/account.js";
import { type Order, publicKeyOf, newSigningKey, type PublicKey, signOrder, type SignedOrder } from "../../src/accounts/order.js";
import type { TransitionMarket } from "../../src/protocol/transition/accountRules.js";
import type { Ledger, NoteOpening } from "../../src/protocol/transition/applyEvents.js";
import { depositNote, type LedgerEvent } from "../../src/protocol/transition/events.js";
import { openingNonce, openTransitionAccount, saltKeyOf, type TransitionAccount } from "../../src/protocol/transition/keys.js";
import { variationVector } from "../../src/protocol/transition/variation.js";
import { commitRiskTable, type RiskCommitment } from "../../src/risk/riskCommitment.js";
import { computeRiskTable } from "../../src/risk/riskEngine.js";
import { testSnapshot } from "./market.js";

/** A trader as the tests hold one: secret, signing key, and the keys the operator is given. */
export interface Owner {
  secret: bigint;
  signingKey: Uint8Array;
  publicKey: PublicKey;
  accountKey: bigint;
  saltKey: bigint;
}

export async function newOwner(): Promise<Owner> {
  const secret = randomFieldElement();
  const signingKey = newSigningKey();
  return { secret, signingKey, publicKey: await publicKeyOf(signingKey), accountKey: accountKeyOf(secret), saltKey: saltKeyOf(secret) };
}

export function accountOf(owner: Owner, epoch: number, collateral: bigint, positions: Position[]): TransitionAccount {
  return openTransitionAccount(owner.accountKey, owner.publicKey, owner.saltKey, epoch, collateral, positions);
}

/** Units: the test market's token has 6 decimals. */
export const USD = 1_000_000n;

/** Epoch e's ledger, e+1's market (ETH 3000 -> 3100, BTC 60000 -> 58000) and a fee per contract. */
export function transitionMarket(epoch: number, logInstruments: number, feeRate = 1_000n): { market: TransitionMarket; risk: RiskCommitment } {
  const from = testSnapshot(epoch);
  const to = testSnapshot(epoch + 1, 3100, 58000);
  const risk = commitRiskTable(computeRiskTable(to), logInstruments);
  return { market: { epoch: epoch + 1, rows: risk.rows, variation: variationVector(from, to, logInstruments), feeRate }, risk };
}

export function deposit(owner: Owner, amount: bigint, notes: Map<bigint, NoteOpening>, open?: NoteOpening["open"]): LedgerEvent {
  const nonce = open ? openingNonce(open.publicKey, open.saltKey) : randomFieldElement();
  const note = depositNote(owner.accountKey, nonce);
  notes.set(note, { accountKey: owner.accountKey, nonce, open });
  return { kind: "deposit", note, amount };
}

export function settlement(owner: Owner, epoch: number, amount: bigint): LedgerEvent {
  return { kind: "settlement", nullifier: nullifierOf(owner.accountKey, epoch), amount };
}

export function order(owner: Owner, epoch: number, legs: Order["legs"]): Promise<SignedOrder> {
  return signOrder({ epoch, accountKey: owner.accountKey, legs }, owner.signingKey);
}

export type { Ledger };
