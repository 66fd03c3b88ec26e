import { getAddress, isAddress } from "ethers";
import { nullifierOf, type TraderAccount } from "../accounts/account.js";
import type { MerklePath } from "../accounts/merkleTree.js";
import type { MarginParams } from "../protocol/circuitCatalog.js";
import type { CircuitInput } from "../proof/groth16Prover.js";
import { buildPortfolioInput } from "../proof/portfolioInput.js";
import type { MarginStatement } from "../protocol/margin.js";
import { checkRange, MAX_COLLATERAL } from "../risk/bounds.js";
import type { RiskTable } from "../risk/riskEngine.js";

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

/**
 * Checks a margin request at the door (each error names the field) and builds the circuit
 * input and the public statement. Does not check compliance: see proveMargin.
 */
export function buildMarginInput(request: MarginRequest, params: MarginParams): { input: CircuitInput; statement: MarginStatement } {
  const { account, epoch, amount } = request;
  if (!isAddress(request.recipient)) throw new RangeError(`recipient "${request.recipient}" is not an address`);
  checkRange("amount", amount, 0n, MAX_COLLATERAL);
  if (amount > account.collateral) throw new RangeError(`amount ${amount} is above the account's collateral ${account.collateral}`);
  const { input: shared, risk } = buildPortfolioInput(request, params);
  const statement: MarginStatement = {
    epoch, riskRoot: risk.riskRoot, accountsRoot: request.accountsRoot, nullifier: nullifierOf(account.accountKey, epoch),
    recipient: getAddress(request.recipient), amount,
  };
  const input: CircuitInput = {
    ...shared,
    nullifier: statement.nullifier,
    recipient: BigInt(statement.recipient),
    amount,
    secret: account.secret,
  };
  return { input, statement };
}
