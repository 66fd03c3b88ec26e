import { loadCircuitArtifacts } from "../artifacts/manifest.js";
import { proveCircuit, type ProvenStatement, verifyGroth16 } from "../proof/groth16Prover.js";
import type { RiskTable } from "../risk/riskEngine.js";
import { buildRiskTableInput, riskTablePublicSignals, type RiskTableStatement } from "./riskTableInput.js";

/** The publisher's RiskTable proof of one epoch's table (see RiskTableStatement). */
export interface RiskTableProof extends ProvenStatement {
  statement: RiskTableStatement;
}

/** Proves the epoch's table well-formed (the publisher's proof for publishRisk). */
export async function proveRiskTable(table: RiskTable, circuit = "risk_table"): Promise<RiskTableProof> {
  const artifacts = loadCircuitArtifacts(circuit);
  if (artifacts.instance.kind !== "riskTable") throw new Error(`circuit ${circuit} is not a risk-table circuit`);
  const { input, statement } = buildRiskTableInput(table, artifacts.instance.params);
  return { ...(await proveCircuit(artifacts, input)), statement };
}

/**
 * Off-chain check of a risk-table proof, as the contract does it: the signals are exactly the
 * statement and the proof verifies against a risk-table circuit's key.
 */
export async function verifyRiskTable(proof: Pick<RiskTableProof, "circuit" | "proof" | "publicSignals" | "statement">): Promise<boolean> {
  const expected = riskTablePublicSignals(proof.statement);
  if (expected.length !== proof.publicSignals.length || expected.some((v, i) => v !== proof.publicSignals[i])) return false;
  if (loadCircuitArtifacts(proof.circuit).instance.kind !== "riskTable") return false;
  return verifyGroth16(proof.circuit, proof.publicSignals, proof.proof);
}
