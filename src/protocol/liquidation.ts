/**
 * The liquidation proof (docs/design.md §9): the account behind `tag`, committed in
 * accountsRoot, is below its requirement in some column of the epoch's risk table; `penalty`
 * feeds the insurance fund and `deficit` runs down the loss waterfall.
 */
import { EQUITY_BITS } from "../risk/bounds.js";
import type { SolidityProof } from "./solidityProof.js";
import { proofTuple } from "./solidityProof.js";
import { LIQUIDATION_PUBLIC_SIGNALS } from "./circuitCatalog.js";
import { type StatementProof, statementProofCodec } from "./proofFile.js";
import { bigintIn, defineStatement, FIELD_ELEMENT, type StatementOf, UINT32 } from "./statement.js";

/** penalty <= R and deficit < |E_0|, both below the equity bound 2^84. */
const WATERFALL_AMOUNT = bigintIn({ min: 0n, max: (1n << EQUITY_BITS) - 1n });

export const liquidationStatement = defineStatement(LIQUIDATION_PUBLIC_SIGNALS, {
  epoch: UINT32, riskRoot: FIELD_ELEMENT, accountsRoot: FIELD_ELEMENT,
  /** Poseidon(accountKey, epoch): the account's settlement nullifier of the epoch. */
  tag: FIELD_ELEMENT,
  penalty: WATERFALL_AMOUNT,
  deficit: WATERFALL_AMOUNT,
});

export type LiquidationStatement = StatementOf<typeof liquidationStatement>;

/**
 * A liquidation proof as a file: what the contract and an auditor need (statement, signals,
 * proof points). The breached column and its headroom stay with the operator: they would tell
 * the public which scenario sank the account.
 */
export type LiquidationProofFile = StatementProof<LiquidationStatement>;

export const liquidationProofFile = statementProofCodec("liquidationProof", liquidationStatement);

/** `RiskSharingPool.liquidate(epoch, tag, penalty, deficit, proof)`. */
export function liquidateArgs(s: Pick<LiquidationStatement, "epoch" | "tag" | "penalty" | "deficit">, proof: SolidityProof): unknown[] {
  return [s.epoch, s.tag, s.penalty, s.deficit, proofTuple(proof)];
}

export function describeLiquidation(s: LiquidationStatement): string {
  return `epoch ${s.epoch}, penalty ${s.penalty}, deficit ${s.deficit}`;
}
