import { nullifierOf } from "../accounts/account.js";
import type { MarginParams } from "../protocol/circuitCatalog.js";
import type { CircuitInput } from "../proof/groth16Prover.js";
import type { LiquidationStatement } from "../protocol/liquidation.js";
import { buildPortfolioInput, type PortfolioRequest } from "../proof/portfolioInput.js";
import { assessLiquidation, type LiquidationAssessment } from "./liquidationRule.js";

/**
 * The operator's request: an account opening as the operator holds it (no secret), its path in
 * the posted accounts tree, and the epoch's risk table.
 */
export type LiquidationRequest = PortfolioRequest;

export interface LiquidationInput {
  input: CircuitInput;
  statement: LiquidationStatement;
  /** The rule's verdict on the account (whether it is liquidatable is not checked here). */
  assessment: LiquidationAssessment;
}

/**
 * Checks a liquidation request at the door (each error names the field) and builds the circuit
 * input and the public statement. The breach flag goes on `breachColumn` (default: the column
 * of least headroom). Does not check that the account is liquidatable: see proveLiquidation.
 */
export function buildLiquidationInput(request: LiquidationRequest, params: MarginParams, breachColumn?: number): LiquidationInput {
  const { input: shared, risk } = buildPortfolioInput(request, params);
  const assessment = assessLiquidation(request.account, risk.rows, params.scenarios);
  const column = breachColumn ?? assessment.worstColumn;
  if (!Number.isInteger(column) || column < 0 || column > params.scenarios) {
    throw new RangeError(`breachColumn must be an integer in 0..${params.scenarios}, got ${column}`);
  }
  const statement: LiquidationStatement = {
    epoch: request.epoch,
    riskRoot: risk.riskRoot,
    accountsRoot: request.accountsRoot,
    tag: nullifierOf(request.account.accountKey, request.epoch),
    penalty: assessment.penalty,
    deficit: assessment.deficit,
  };
  const input: CircuitInput = {
    ...shared,
    tag: statement.tag,
    penalty: statement.penalty,
    deficit: statement.deficit,
    accountKey: request.account.accountKey,
    breach: Array.from({ length: params.scenarios + 1 }, (_, s) => (s === column ? 1n : 0n)),
  };
  return { input, statement, assessment };
}
