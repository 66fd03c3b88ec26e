import { getAddress, isAddress } from "ethers";
import { nullifierOf, type TraderAccount } from "../accounts/account.js";
import type { MerklePath } from "../crypto/merkleTree.js";
import type { MarginParams } from "../protocol/circuitCatalog.js";
import { exitClaim, type ExitStatement } from "../protocol/exit.js";
import type { CircuitInput } from "../proof/groth16Prover.js";
import { buildPortfolioInput } from "../proof/portfolioInput.js";
import { scenarioEquities } from "../risk/equity.js";
import type { RiskTable } from "../risk/riskEngine.js";

export interface ExitRequest {
  account: TraderAccount;
  /** The account's inclusion path in the epoch's accounts tree (from the operator, or rebuilt from the leaf-hash file). */
  accountPath: MerklePath;
  /** The accounts root of the pool's last open epoch. */
  accountsRoot: bigint;
  riskTable: RiskTable;
  epoch: number;
  recipient: string;
}

/**
 * Checks an exit request at the door (each error names the field) and builds the circuit input
 * and the public statement, with amount = max(E_0, 0) computed in TypeScript (the model of the
 * Exit circuit; an account under water exits with amount 0).
 */
export function buildExitInput(request: ExitRequest, params: MarginParams): { input: CircuitInput; statement: ExitStatement; markEquity: bigint } {
  const { account, epoch } = request;
  if (!isAddress(request.recipient)) throw new RangeError(`recipient "${request.recipient}" is not an address`);
  const { input: shared, risk } = buildPortfolioInput(request, params);
  const markEquity = scenarioEquities(account, risk.rows, 0)[0];
  const statement: ExitStatement = {
    epoch, riskRoot: risk.riskRoot, accountsRoot: request.accountsRoot, nullifier: nullifierOf(account.accountKey, epoch),
    recipient: getAddress(request.recipient), amount: exitClaim(markEquity),
  };
  const input: CircuitInput = {
    ...shared,
    nullifier: statement.nullifier,
    recipient: BigInt(statement.recipient),
    amount: statement.amount,
    secret: account.secret,
  };
  return { input, statement, markEquity };
}
