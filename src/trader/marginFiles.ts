/**
 * The checks on a trader's three files before a margin proof (`zkrs prove margin` and the
 * trader's page run the same ones): the path file's tree shape is the circuit's, the table is of
 * the path's epoch, and the account is the one at the path's leaf. Each error names the files.
 * Browser-safe.
 */
import { accountCommitment, type AccountOpening } from "../accounts/account.js";
import type { PathFile, TreeShape } from "../io/formats.js";
import { InputError } from "../io/json.js";
import type { PortfolioInstance } from "../protocol/circuitCatalog.js";
import type { RiskTable } from "../risk/riskEngine.js";

/** The tree shape a ledger or path file was built for must be the circuit's. */
export function checkShape(file: string, shape: TreeShape, circuit: PortfolioInstance): void {
  const p = circuit.params;
  if (shape.depth !== p.depth || shape.positionSlots !== p.positions) {
    throw new InputError(
      `${file} is for an accounts tree of depth ${shape.depth} with ${shape.positionSlots} position slots, ` +
      `circuit ${circuit.name} takes depth ${p.depth} with ${p.positions} (pick the matching --circuit)`,
    );
  }
}

export interface MarginFileNames {
  account: string;
  path: string;
  table: string;
}

/** Shape, epoch and leaf: the account, path and table files belong together and to the circuit. */
export function checkMarginFiles(names: MarginFileNames, account: AccountOpening, path: PathFile, table: RiskTable, circuit: PortfolioInstance): void {
  checkShape(names.path, path, circuit);
  if (table.epoch !== path.epoch) throw new InputError(`${names.table} is the risk table of epoch ${table.epoch}, but ${names.path} is for epoch ${path.epoch}`);
  if (accountCommitment(account, path.positionSlots) !== path.leaf) {
    throw new InputError(`${names.account} is not the account at leaf ${path.path.index} of ${names.path} (changed since you gave the operator its opening, or another account's path?)`);
  }
}
