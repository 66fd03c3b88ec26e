import { MerkleTree, type MerklePath } from "../crypto/merkleTree.js";
import { hashList, poseidon } from "../crypto/poseidon.js";
import { checkRange, MAX_VALUE, MIN_VALUE } from "../crypto/bounds.js";
import type { RiskRow, RiskTable } from "./riskEngine.js";

/**
 * The commitment to a risk table as the circuits see it, for a table of 2^logInstruments
 * slots (unused slots are rows of zeros):
 *   leaf_i          = HashList(m_i, v_{i,1..S}, a_i, l_i)    — one row, opened by margin proofs
 *                     (l_i = 1 for a perp/future, whose mark m_i must be 0; 0 for an option)
 *   instrumentsRoot = Merkle root of the leaves
 *   tableDigest     = HashList(all values, row-major)       — recomputed by solvency proofs
 *   riskRoot        = Poseidon(instrumentsRoot, tableDigest)
 * Anyone can recompute riskRoot from the published table; the publisher proves once per epoch
 * (circuits/risk_table.circom) that both halves come from these rows and every row is in range.
 */
export interface RiskCommitment {
  rows: RiskRow[];
  tree: MerkleTree;
  instrumentsRoot: bigint;
  tableDigest: bigint;
  riskRoot: bigint;
}

export function paddedRows(table: RiskTable, logInstruments: number): RiskRow[] {
  const slots = 2 ** logInstruments;
  if (table.rows.length > slots) throw new RangeError(`risk table has ${table.rows.length} instruments, the circuits take at most ${slots}`);
  const zero = (i: number): RiskRow => ({ id: `(unlisted ${i})`, values: Array(table.scenarios + 1).fill(0n) as bigint[], addon: 0n, linear: false });
  return [...table.rows, ...Array.from({ length: slots - table.rows.length }, (_, i) => zero(table.rows.length + i))];
}

export function rowLeaf(row: RiskRow): bigint {
  return hashList([...row.values, row.addon, row.linear ? 1n : 0n]);
}

export function commitRiskTable(table: RiskTable, logInstruments: number): RiskCommitment {
  table.rows.forEach((row) => {
    if (row.values.length !== table.scenarios + 1) throw new RangeError(`risk row ${row.id} has ${row.values.length} values, expected ${table.scenarios + 1}`);
    row.values.forEach((v, s) => checkRange(`risk row ${row.id} value ${s}`, v, MIN_VALUE, MAX_VALUE));
    checkRange(`risk row ${row.id} add-on`, row.addon, 0n, MAX_VALUE);
    if (row.linear && row.values[0] !== 0n) throw new RangeError(`risk row ${row.id} is a perp/future with mark value ${row.values[0]}: perps and futures are settled to mark, their mark value must be 0`);
  });
  const rows = paddedRows(table, logInstruments);
  const tree = new MerkleTree(logInstruments, rows.map(rowLeaf));
  const instrumentsRoot = tree.root;
  const tableDigest = hashList(rows.flatMap((r) => r.values));
  return { rows, tree, instrumentsRoot, tableDigest, riskRoot: poseidon([instrumentsRoot, tableDigest]) };
}

export function rowPath(commitment: RiskCommitment, instrument: number): MerklePath {
  return commitment.tree.path(instrument);
}
