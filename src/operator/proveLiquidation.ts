import { loadCircuitArtifacts } from "../artifacts/manifest.js";
import { proveCircuit } from "../proof/groth16Prover.js";
import type { LiquidationStatement } from "../protocol/liquidation.js";
import type { StatementProof } from "../protocol/proofFile.js";
import { buildLiquidationInput, type LiquidationRequest } from "./liquidationInput.js";

export interface LiquidationProof extends StatementProof<LiquidationStatement> {
  /** Private to the operator: the column proven breached (the one of least headroom) and its headroom E_b - R < 0. */
  breachColumn: number;
  breachHeadroom: bigint;
}

/** The account meets its requirement in every column, so no liquidation proof exists for it. */
export class NotLiquidatableError extends Error {
  constructor(readonly minHeadroom: bigint, readonly column: number, readonly label: string) {
    super(`account is not liquidatable: E_s - R >= 0 in every scenario, minimum headroom ${minHeadroom} in ${label}`);
    this.name = "NotLiquidatableError";
  }
}

/**
 * The operator's liquidation proof (DESIGN §9): "this account, as committed in accountsRoot, is
 * below its requirement in some column of the epoch's risk table", revealing only the tag (the
 * account's nullifier of the epoch, unlinkable by the public), the penalty for the insurance
 * fund and the deficit left for the waterfall. The request is checked first, then the rule is
 * applied in TypeScript, so an account that is not liquidatable fails before any proving with
 * its minimum headroom named. The result carries the proof packed for Solidity.
 */
export async function proveLiquidation(request: LiquidationRequest, circuit = "liquidation"): Promise<LiquidationProof> {
  const artifacts = loadCircuitArtifacts(circuit);
  if (artifacts.instance.kind !== "liquidation") throw new Error(`circuit ${circuit} is not a liquidation circuit`);
  const { input, statement, assessment } = buildLiquidationInput(request, artifacts.instance.params);
  if (!assessment.liquidatable) throw new NotLiquidatableError(assessment.minHeadroom, assessment.worstColumn, assessment.worstLabel);
  const proven = await proveCircuit(artifacts, input);
  return { ...proven, statement, breachColumn: assessment.worstColumn, breachHeadroom: assessment.minHeadroom };
}
