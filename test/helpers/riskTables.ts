import type { RiskTablePublication } from "../../src/chain/riskSharingPool.js";
import { proveRiskTable, type RiskTableProof } from "../../src/oracle/riskTableProof.js";
import type { RiskTable } from "../../src/risk/riskEngine.js";

const proofs = new Map<string, Promise<RiskTableProof>>();

/** The RiskTable proof of `table` with the test circuit, proven once per table and epoch in a test process. */
export function tableProof(table: RiskTable, circuit = "risk_table_test"): Promise<RiskTableProof> {
  const key = JSON.stringify({ circuit, table }, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  let p = proofs.get(key);
  if (!p) {
    p = proveRiskTable(table, circuit);
    proofs.set(key, p);
  }
  return p;
}

/** A publication claiming `statement` with another statement's proof points (for refusal tests). */
export function claiming(proof: RiskTablePublication, statement: RiskTablePublication["statement"]): RiskTablePublication {
  return { statement, solidity: proof.solidity };
}
