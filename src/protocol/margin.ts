/**
 * The margin proof (docs/design.md §4.1): the trader's account, committed in accountsRoot,
 * survives every scenario of the epoch's risk table after paying `amount` to `recipient`;
 * `nullifier` = Poseidon(accountKey, epoch) spends the account's settlement of the epoch.
 */
import { MAX_COLLATERAL } from "../risk/bounds.js";
import type { SolidityProof } from "./solidityProof.js";
import { proofTuple } from "./solidityProof.js";
import { MARGIN_PUBLIC_SIGNALS } from "./circuitCatalog.js";
import { type StatementProof, statementProofCodec } from "./proofFile.js";
import { ADDRESS, bigintIn, defineStatement, FIELD_ELEMENT, type StatementOf, UINT32 } from "./statement.js";

export const marginStatement = defineStatement(MARGIN_PUBLIC_SIGNALS, {
  epoch: UINT32, riskRoot: FIELD_ELEMENT, accountsRoot: FIELD_ELEMENT, nullifier: FIELD_ELEMENT,
  /** Checksummed recipient address. */
  recipient: ADDRESS,
  amount: bigintIn({ min: 0n, max: MAX_COLLATERAL }),
});

export type MarginStatement = StatementOf<typeof marginStatement>;
export type MarginProof = StatementProof<MarginStatement>;

export const marginProofFile = statementProofCodec("marginProof", marginStatement);

/** `RiskSharingPool.settle(epoch, nullifier, recipient, amount, proof)`. */
export function settleArgs(s: MarginStatement, proof: SolidityProof): unknown[] {
  return [s.epoch, s.nullifier, s.recipient, s.amount, proofTuple(proof)];
}

export function describeMargin(s: MarginStatement): string {
  return `epoch ${s.epoch}, pays ${s.amount} to ${s.recipient}`;
}
