/**
 * The exit proof of a frozen pool (docs/design.md §12): the trader's account, committed in the
 * last open epoch's accountsRoot, is owed `amount = max(E_0, 0)` at mark under that epoch's risk
 * table; `nullifier` = Poseidon(accountKey, epoch) is the same nullifier as the account's
 * settlement and liquidation tag of the epoch, so the pool subtracts what it already took.
 * Browser-safe.
 */
import { EQUITY_BITS } from "../crypto/bounds.js";
import type { SolidityProof } from "./solidityProof.js";
import { proofTuple } from "./solidityProof.js";
import { EXIT_PUBLIC_SIGNALS } from "./circuitCatalog.js";
import { type StatementProof, statementProofCodec } from "./proofFile.js";
import { ADDRESS, bigintIn, defineStatement, FIELD_ELEMENT, type StatementOf, UINT32 } from "./statement.js";

/** max(E_0, 0) < 2^84 (|E_0| < 2^84 by the circuits' bounds). */
export const MAX_EXIT_AMOUNT = (1n << EQUITY_BITS) - 1n;

export const exitStatement = defineStatement(EXIT_PUBLIC_SIGNALS, {
  epoch: UINT32, riskRoot: FIELD_ELEMENT, accountsRoot: FIELD_ELEMENT,
  /** Poseidon(accountKey, epoch): the account's settlement nullifier and liquidation tag of the epoch. */
  nullifier: FIELD_ELEMENT,
  /** Checksummed recipient address. */
  recipient: ADDRESS,
  /** The account's claim at mark, max(E_0, 0). */
  amount: bigintIn({ min: 0n, max: MAX_EXIT_AMOUNT }),
});

export type ExitStatement = StatementOf<typeof exitStatement>;
export type ExitProof = StatementProof<ExitStatement>;

export const exitProofFile = statementProofCodec("exitProof", exitStatement);

/** The exit rule: an account's claim on a frozen pool is its mark equity, floored at zero. */
export function exitClaim(markEquity: bigint): bigint {
  return markEquity > 0n ? markEquity : 0n;
}

/** What `exit` sends of the statement (the pool has the epoch and its roots). */
export type ExitCall = Pick<ExitStatement, "nullifier" | "recipient" | "amount">;

/** `RiskSharingPool.exit(nullifier, recipient, amount, proof)`, against the pool's last open epoch. */
export function exitArgs(s: ExitCall, proof: SolidityProof): unknown[] {
  return [s.nullifier, s.recipient, s.amount, proofTuple(proof)];
}

export function describeExit(s: ExitStatement): string {
  return `epoch ${s.epoch}, claim ${s.amount} at mark to ${s.recipient}`;
}
