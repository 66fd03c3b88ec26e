import { MerkleTree } from "../../src/crypto/merkleTree.js";
import { hashList, poseidon } from "../../src/crypto/poseidon.js";
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

/**
 * The commitment of raw table rows (field elements, possibly out of range: what only a broken
 * table holds), computed exactly as commitRiskTable does, for tests that forge a table.
 */
export function rawRiskCommitment(values: readonly bigint[][], addon: readonly bigint[], linear: readonly bigint[], logInstruments: number): {
  tree: MerkleTree; instrumentsRoot: bigint; tableDigest: bigint; riskRoot: bigint;
} {
  const tree = new MerkleTree(logInstruments, values.map((v, k) => hashList([...v, addon[k], linear[k]])));
  const tableDigest = hashList(values.flat());
  return { tree, instrumentsRoot: tree.root, tableDigest, riskRoot: poseidon([tree.root, tableDigest]) };
}
