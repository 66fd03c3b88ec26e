import { getAddress, isAddress } from "ethers";
import { accountCommitment, checkOpening, nullifierOf, paddedPositions, type TraderAccount } from "../accounts/account.js";
import { type MerklePath, rootFromPath } from "../accounts/merkleTree.js";
import type { MarginParams } from "../build/circuitCatalog.js";
import { toField } from "../crypto/field.js";
import type { CircuitInput } from "../proof/groth16Prover.js";
import { checkRange, MAX_COLLATERAL } from "../risk/bounds.js";
import { commitRiskTable, rowPath } from "../risk/riskCommitment.js";
import type { RiskTable } from "../risk/riskEngine.js";

export interface MarginStatement {
  epoch: number;
  riskRoot: bigint;
  accountsRoot: bigint;
  nullifier: bigint;
  /** Checksummed recipient address. */
  recipient: string;
  amount: bigint;
}

export interface MarginRequest {
  account: TraderAccount;
  /** The account's inclusion path, from the operator. */
  accountPath: MerklePath;
  /** The epoch's posted accounts root. */
  accountsRoot: bigint;
  riskTable: RiskTable;
  epoch: number;
  recipient: string;
  amount: bigint;
}

/** The public statement as the circuit orders it: epoch, riskRoot, accountsRoot, nullifier, recipient, amount. */
export function marginPublicSignals(s: MarginStatement): string[] {
  return [BigInt(s.epoch), s.riskRoot, s.accountsRoot, s.nullifier, BigInt(s.recipient), s.amount].map((x) => x.toString());
}

/**
 * Checks a margin request at the door (each error names the field) and builds the circuit
 * input and the public statement. Does not check compliance: see proveMargin.
 */
export function buildMarginInput(request: MarginRequest, params: MarginParams): { input: CircuitInput; statement: MarginStatement } {
  const { account, accountPath, riskTable, epoch, amount } = request;
  if (!Number.isInteger(epoch) || epoch < 0 || epoch >= 2 ** 32) throw new RangeError(`epoch must be an integer in [0, 2^32), got ${epoch}`);
  if (riskTable.epoch !== epoch) throw new RangeError(`risk table is for epoch ${riskTable.epoch}, not epoch ${epoch}`);
  if (riskTable.scenarios !== params.scenarios) throw new RangeError(`risk table has ${riskTable.scenarios} scenarios, the circuit takes ${params.scenarios}`);
  if (!isAddress(request.recipient)) throw new RangeError(`recipient "${request.recipient}" is not an address`);
  checkRange("amount", amount, 0n, MAX_COLLATERAL);
  if (amount > account.collateral) throw new RangeError(`amount ${amount} is above the account's collateral ${account.collateral}`);
  checkOpening(account, params.positions, 2 ** params.logInstruments);
  if (accountPath.siblings.length !== params.depth) throw new RangeError(`account path has ${accountPath.siblings.length} levels, the accounts tree has ${params.depth}`);
  const leaf = accountCommitment(account, params.positions);
  if (rootFromPath(leaf, accountPath) !== request.accountsRoot) {
    throw new RangeError("account is not in accountsRoot: its leaf and path give another root (altered or omitted by the operator?)");
  }

  const risk = commitRiskTable(riskTable, params.logInstruments);
  const positions = paddedPositions(account.positions, params.positions);
  const statement: MarginStatement = {
    epoch, riskRoot: risk.riskRoot, accountsRoot: request.accountsRoot, nullifier: nullifierOf(account.accountKey, epoch),
    recipient: getAddress(request.recipient), amount,
  };
  const input: CircuitInput = {
    epoch: BigInt(epoch),
    riskRoot: statement.riskRoot,
    accountsRoot: statement.accountsRoot,
    nullifier: statement.nullifier,
    recipient: BigInt(statement.recipient),
    amount,
    secret: account.secret,
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
  return { input, statement };
}
