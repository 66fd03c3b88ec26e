/**
 * The risk-table proof (issue 17; circuits/risk_table.circom): the publisher's once-per-epoch
 * proof that riskRoot commits to one table (the rows margin and liquidation proofs open and the
 * digest solvency proofs re-hash come from the same values), every value and add-on in range,
 * every perp/future at mark value 0. `publishRisk` accepts a root only with it.
 */
import { RISK_TABLE_PUBLIC_SIGNALS } from "./circuitCatalog.js";
import type { SolidityProof } from "./solidityProof.js";
import { proofTuple } from "./solidityProof.js";
import { defineStatement, FIELD_ELEMENT, type StatementOf, UINT32 } from "./statement.js";

export const riskTableStatement = defineStatement(RISK_TABLE_PUBLIC_SIGNALS, { epoch: UINT32, riskRoot: FIELD_ELEMENT });

export type RiskTableStatement = StatementOf<typeof riskTableStatement>;

/** `RiskSharingPool.publishRisk(epoch, riskRoot, proof)`. */
export function publishRiskArgs(s: RiskTableStatement, proof: SolidityProof): unknown[] {
  return [s.epoch, s.riskRoot, proofTuple(proof)];
}
