import { accountCommitment, type AccountOpening, checkOpening, paddedPositions } from "../accounts/account.js";
import { type MerklePath, rootFromPath } from "../accounts/merkleTree.js";
import type { MarginParams } from "../protocol/circuitCatalog.js";
import { toField } from "../crypto/field.js";
import { commitRiskTable, type RiskCommitment, rowPath } from "../risk/riskCommitment.js";
import type { RiskTable } from "../risk/riskEngine.js";
import type { CircuitInput } from "./groth16Prover.js";

/** One committed account in one epoch, as every single-account statement opens it. */
export interface PortfolioRequest {
  account: AccountOpening;
  /** The account's inclusion path in the accounts tree. */
  accountPath: MerklePath;
  /** The epoch's posted accounts root. */
  accountsRoot: bigint;
  riskTable: RiskTable;
  epoch: number;
}

export interface PortfolioInput {
  /**
   * The circuit inputs shared by MarginCompliance and Liquidation (circuits/lib/portfolio.circom):
   * epoch, riskRoot, accountsRoot, the opening but its key (collateral, salt, instrument,
   * quantity), the account path, each slot's risk row and row path, and tableDigest.
   */
  input: CircuitInput;
  /** The epoch's risk table as the circuits commit it (rows padded to 2^logInstruments). */
  risk: RiskCommitment;
}

/**
 * Checks one account's opening against the epoch and the circuit at the door (each error names
 * the field): epoch, the table's epoch and scenario count, the opening's bounds, the path's
 * length, and that leaf and path give `accountsRoot`. Then lays out the shared circuit inputs.
 */
export function buildPortfolioInput(request: PortfolioRequest, params: MarginParams): PortfolioInput {
  const { account, accountPath, riskTable, epoch } = request;
  if (!Number.isInteger(epoch) || epoch < 0 || epoch >= 2 ** 32) throw new RangeError(`epoch must be an integer in [0, 2^32), got ${epoch}`);
  if (riskTable.epoch !== epoch) throw new RangeError(`risk table is for epoch ${riskTable.epoch}, not epoch ${epoch}`);
  if (riskTable.scenarios !== params.scenarios) throw new RangeError(`risk table has ${riskTable.scenarios} scenarios, the circuit takes ${params.scenarios}`);
  checkOpening(account, params.positions, 2 ** params.logInstruments);
  if (accountPath.siblings.length !== params.depth) throw new RangeError(`account path has ${accountPath.siblings.length} levels, the accounts tree has ${params.depth}`);
  const leaf = accountCommitment(account, params.positions);
  if (rootFromPath(leaf, accountPath) !== request.accountsRoot) {
    throw new RangeError("account is not in accountsRoot: its leaf and path give another root (altered or omitted by the operator?)");
  }

  const risk = commitRiskTable(riskTable, params.logInstruments);
  const positions = paddedPositions(account.positions, params.positions);
  const input: CircuitInput = {
    epoch: BigInt(epoch),
    riskRoot: risk.riskRoot,
    accountsRoot: request.accountsRoot,
    collateral: account.collateral,
    salt: account.salt,
    instrument: positions.map((p) => BigInt(p.instrument)),
    quantity: positions.map((p) => toField(p.quantity)),
    accountIndex: BigInt(accountPath.index),
    accountSiblings: accountPath.siblings,
    values: positions.map((p) => risk.rows[p.instrument].values.map(toField)),
    addon: positions.map((p) => risk.rows[p.instrument].addon),
    instrumentSiblings: positions.map((p) => rowPath(risk, p.instrument).siblings),
    tableDigest: risk.tableDigest,
  };
  return { input, risk };
}
