import { loadCircuitArtifacts } from "../artifacts/manifest.js";
import { proveCircuit } from "../proof/groth16Prover.js";
import type { MarginProof } from "../protocol/margin.js";
import { marginReport } from "../risk/equity.js";
import { commitRiskTable } from "../risk/riskCommitment.js";
import { buildMarginInput, type MarginRequest } from "./marginInput.js";

export type { MarginProof };

export class MarginShortfallError extends Error {
  constructor(readonly column: number, readonly label: string, readonly shortfall: bigint) {
    super(`portfolio is not margin-compliant: short by ${shortfall} in ${label}`);
    this.name = "MarginShortfallError";
  }
}

/**
 * The trader's proof (DESIGN §4.1), made on the trader's own machine: "my account, committed
 * in accountsRoot, survives every scenario of the epoch's risk table after paying `amount` to
 * `recipient`", revealing only the nullifier. The request is checked first, then compliance
 * is computed in TypeScript, so a non-compliant portfolio fails before any proving with the
 * worst scenario and the shortfall named.
 */
export async function proveMargin(request: MarginRequest, circuit = "margin"): Promise<MarginProof> {
  const artifacts = loadCircuitArtifacts(circuit);
  if (artifacts.instance.kind !== "margin") throw new Error(`circuit ${circuit} is not a margin circuit`);
  const params = artifacts.instance.params;
  const { input, statement } = buildMarginInput(request, params);
  const rows = commitRiskTable(request.riskTable, params.logInstruments).rows;
  const report = marginReport(request.account, rows, params.scenarios, request.amount);
  if (!report.compliant) throw new MarginShortfallError(report.worstColumn, report.worstLabel, report.shortfall);
  const proven = await proveCircuit(artifacts, input);
  return { ...proven, statement };
}
