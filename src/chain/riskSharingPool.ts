import {
  type BaseContract,
  Contract,
  type ContractRunner,
  type ContractTransactionResponse,
  Interface,
  type InterfaceAbi,
  type Log,
  type Provider,
  type Signer,
  type TransactionReceipt,
} from "ethers";
import { CIRCUIT_SETS, findCircuit, type PoolCircuits, verifierName } from "../protocol/circuitCatalog.js";
import { exitArgs, type ExitProof } from "../protocol/exit.js";
import { deployPoseidon2 } from "./poseidonContract.js";

export type { PoolCircuits };
import { loadContractArtifact } from "../artifacts/manifest.js";
import { liquidateArgs, type LiquidationCall } from "../protocol/liquidation.js";
import { type MarginProof, settleArgs } from "../protocol/margin.js";
import { decodePoolEvents, EPOCH_STATUSES, type EpochStatus, type PoolEvent, readPoolEvents } from "../protocol/poolEvents.js";
import type { SolidityProof } from "../protocol/solidityProof.js";
import { type BatchProof, postSolvencyArgs, type SolvencyProof } from "../protocol/solvency.js";
import { publishRiskArgs, type RiskTableStatement } from "../protocol/riskTable.js";
import { deployContract } from "./deployContract.js";

export { EPOCH_STATUSES, POOL_ROLES, WATERFALL_STAGES } from "../protocol/poolEvents.js";
export type { EpochStatus, PoolEvent, PoolEventName, PoolRole, WaterfallStage } from "../protocol/poolEvents.js";

const ERC20_ABI = [
  "function balanceOf(address) view returns (uint256)",
  "function approve(address, uint256) returns (bool)",
  "function allowance(address, address) view returns (uint256)",
  "function mint(address, uint256)",
] as const;

// ------------------------------------------------------------------------------------ results

/** A mined pool transaction: its gas is read from the receipt, never estimated. */
export interface TxResult {
  hash: string;
  blockNumber: number;
  gasUsed: bigint;
  /** The pool's events emitted by this transaction, in order. */
  events: PoolEvent[];
}

export type ErrorArg = bigint | string | boolean;

/** What publishRisk sends: the table's statement (epoch, riskRoot) and its RiskTable proof points. */
export interface RiskTablePublication {
  statement: RiskTableStatement;
  solidity: SolidityProof;
}

/** A call the pool refused, with the contract's custom error decoded (e.g. "NullifierAlreadyUsed"). */
export class PoolError extends Error {
  constructor(
    /** The custom error's name, or "Error" / "Panic" / "unknown" when it is not one of the pool's errors. */
    readonly errorName: string,
    /** The error's arguments by name (enums and small integers are bigint). */
    readonly args: Readonly<Record<string, ErrorArg>>,
    /** The raw revert data, when the node returned it. */
    readonly data: string | undefined,
    readonly method: string,
    options?: { cause?: unknown },
  ) {
    const shown = Object.entries(args).map(([k, v]) => `${k}=${String(v)}`).join(", ");
    super(`${method.includes(".") ? method : `RiskSharingPool.${method}`} reverted with ${errorName}(${shown})`, options);
    this.name = "PoolError";
  }
}

export interface EpochInfo {
  riskRoot: bigint;
  /** The epoch's accounts root while it is open for settlement, else 0. */
  openAccountsRoot: bigint;
  settleable: boolean;
}

export interface SolvencyCursorView {
  nextBatch: number;
  accountsRoot: bigint;
  totalsCommitment: bigint;
}

export interface EpochStanding {
  status: EpochStatus;
  /** The haircut as num / den (both 0 when settlements pay in full). */
  haircutNum: bigint;
  haircutDen: bigint;
}

export interface PoolState {
  token: string;
  marginVerifier: string;
  solvencyVerifier: string;
  liquidationVerifier: string;
  riskTableVerifier: string;
  admin: string;
  riskOracle: string;
  operator: string;
  /** Latest published epoch, or undefined before the first publishRisk. */
  currentEpoch: number | undefined;
  /** Latest epoch whose solvency was accepted, or undefined. */
  latestAcceptedEpoch: number | undefined;
  latestBound: bigint;
  /** Status of the latest accepted epoch (LP withdrawals are frozen unless "solvent"). */
  latestStatus: EpochStatus;
  insuranceFund: bigint;
  unboundDeposits: bigint;
  depositsSinceRisk: bigint;
  /** Tokens LP withdrawals must leave in the pool (latestBound + unboundDeposits + insuranceFund). */
  lockedBalance: bigint;
  poolBalance: bigint;
  /** The LPs' book (docs/design.md §11): NAV after the last opening, shares, requests waiting. */
  navAtOpening: bigint;
  totalShares: bigint;
  shareEra: number;
  pendingDeposits: bigint;
  withdrawalsOwed: bigint;
  depositBatch: number;
  withdrawBatch: number;
  /** Between publishRisk and the epoch's opening: LP requests and cancels are refused (docs/design.md §11). */
  lpBookSealed: boolean;
  /** The escape hatch (docs/design.md §12). */
  hatch: HatchState;
}

/** The escape hatch's side of the pool: when anyone may freeze, and once frozen what is owed to whom. */
export interface HatchState {
  frozen: boolean;
  maxEpochDelay: bigint;
  /** Unix seconds of the last opening (the deployment before any). */
  lastOpenedAt: bigint;
  /** Unix seconds from which anyone may freeze for want of an opening. */
  freezeAllowedAt: bigint;
  pathRequests: string;
  /** Frozen: the pot for traders and LPs fixed at the freeze. */
  frozenPot: bigint;
  /** Frozen: uncredited trader deposits not refunded yet. */
  refundsOwed: bigint;
  /** Frozen: settlements and penalties of the frozen epoch counted as paid before the freeze. */
  claimsNoted: bigint;
  /** Frozen: the traders' outstanding claims, as they will be paid (haircut applied, rounded up). */
  outstandingClaims: bigint;
  /** Frozen: the LPs' whole entitlement (paid and not), their pro-rata part next to the insurance fund's. */
  lpSurplus: bigint;
  lpExitPaidTotal: bigint;
  /** Frozen: the insurance fund's part of the surplus (paid to the admin), and what was paid. */
  fundSurplus: bigint;
  fundExitPaid: bigint;
}

/** A spent nullifier (settlement, liquidation tag or exit) as the pool records it. */
export interface NullifierRecord {
  used: boolean;
  epoch: number;
  /** The settlement's amount or the liquidation's penalty. */
  taken: bigint;
  exited: boolean;
  noted: boolean;
}

/** A trader deposit kept for a frozen pool's refund (undefined once refunded). */
export interface TraderDepositView {
  depositor: string;
  /** The first epoch whose accounts root may credit it. */
  creditEpoch: number;
  amount: bigint;
}

/** An LP request as the pool stores it until claimed or cancelled (undefined once gone). */
export interface LpRequestView {
  owner: string;
  batch: number;
  era: number;
  withdrawal: boolean;
  /** Tokens escrowed (deposit) or shares escrowed (withdrawal). */
  amount: bigint;
}

/** How a withdrawal batch was filled, in the contract's `Fill` order. */
export const WITHDRAW_FILLS = ["pending", "full", "partial", "closed"] as const;
export type WithdrawFill = (typeof WITHDRAW_FILLS)[number];

/** What `settle` needs: a margin proof's statement and its proof points (MarginProof fits). */
export type SettleInput = Pick<MarginProof, "statement" | "solidity">;
/** What `postSolvency` needs: one batch's statement and proof points (BatchProof fits). */
export type SolvencyBatchInput = Pick<BatchProof, "statement" | "solidity">;
/** What `liquidate` needs: a liquidation proof's statement and proof points. */
export interface LiquidateInput {
  statement: LiquidationCall;
  solidity: SolidityProof;
}

// ------------------------------------------------------------------------------------ decoding

function poolInterface(): Interface {
  return new Interface(loadContractArtifact("RiskSharingPool").abi as InterfaceAbi);
}

function toPlain(type: string, value: unknown): ErrorArg {
  if (typeof value === "bigint" || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return BigInt(value);
  throw new TypeError(`cannot decode a ${type} value`);
}

/** Finds the revert data in an ethers error, however the provider nested it. */
function revertData(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  const visit = (e: unknown): string | undefined => {
    if (typeof e !== "object" || e === null || seen.has(e)) return undefined;
    seen.add(e);
    const o = e as Record<string, unknown>;
    if (typeof o.data === "string" && /^0x[0-9a-fA-F]*$/.test(o.data) && o.data.length >= 10) return o.data;
    for (const k of ["error", "info", "cause", "data"]) {
      const found = visit(o[k]);
      if (found) return found;
    }
    return undefined;
  };
  return visit(err);
}

/** Decodes a failed pool call into a PoolError naming the custom error; other errors pass through. */
export function decodePoolError(iface: Interface, method: string, err: unknown): unknown {
  const data = revertData(err);
  if (!data) return err;
  try {
    const parsed = iface.parseError(data);
    if (parsed) {
      const args: Record<string, ErrorArg> = {};
      parsed.fragment.inputs.forEach((input, i) => { args[input.name || String(i)] = toPlain(input.type, parsed.args[i]); });
      return new PoolError(parsed.name, args, data, method, { cause: err });
    }
  } catch {
    // not one of the pool's errors: fall through
  }
  return new PoolError("unknown", { selector: data.slice(0, 10) }, data, method, { cause: err });
}

/**
 * Runs `send` again when the node answers "nonce too low": ethers' provider caches identical
 * requests for 250 ms, so on an automining dev chain a transaction sent right after another one
 * from the same account can get the previous nonce. The node rejected it, so a retry is safe.
 */
export async function retryStaleNonce<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      const stale = typeof err === "object" && err !== null && (err as { code?: unknown }).code === "NONCE_EXPIRED";
      if (!stale || attempt >= 3) throw err;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

// ------------------------------------------------------------------------------------ client

/** A typed client of a deployed RiskSharingPool. Every transaction waits for its receipt. */
export class RiskSharingPoolClient {
  readonly contract: Contract;
  readonly interface: Interface;

  constructor(readonly address: string, readonly runner: ContractRunner) {
    this.interface = poolInterface();
    this.contract = new Contract(address, this.interface, runner);
  }

  /** The same pool, sending transactions as `signer`. */
  connect(signer: Signer): RiskSharingPoolClient {
    return new RiskSharingPoolClient(this.address, signer);
  }

  private get provider(): Provider {
    const provider = this.runner.provider;
    if (!provider) throw new Error("the pool client's runner has no provider");
    return provider;
  }

  private async send(method: string, args: readonly unknown[], target: Contract = this.contract): Promise<TxResult> {
    let receipt: TransactionReceipt | null;
    try {
      const tx = await retryStaleNonce(() => target.getFunction(method).send(...args) as Promise<ContractTransactionResponse>);
      receipt = await tx.wait();
    } catch (err) {
      throw decodePoolError(this.interface, method, err);
    }
    if (!receipt) throw new Error(`${method}: transaction was dropped`);
    return this.result(receipt);
  }

  private result(receipt: TransactionReceipt): TxResult {
    const events = decodePoolEvents(this.interface, receipt.logs.filter((l) => l.address.toLowerCase() === this.address.toLowerCase()));
    return { hash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed, events };
  }

  private async view<T>(method: string, ...args: unknown[]): Promise<T> {
    try {
      return (await this.contract.getFunction(method).staticCall(...args)) as T;
    } catch (err) {
      throw decodePoolError(this.interface, method, err);
    }
  }

  // ---- roles

  transferAdmin(newAdmin: string): Promise<TxResult> {
    return this.send("transferAdmin", [newAdmin]);
  }

  setRiskOracle(newOracle: string): Promise<TxResult> {
    return this.send("setRiskOracle", [newOracle]);
  }

  setOperator(newOperator: string): Promise<TxResult> {
    return this.send("setOperator", [newOperator]);
  }

  // ---- money in and out

  /** Approves the pool to pull `amount` of the collateral token from the runner. */
  async approveToken(amount: bigint): Promise<TxResult> {
    const token = new Contract(await this.tokenAddress(), ERC20_ABI, this.runner);
    return this.send("approve", [this.address, amount], token);
  }

  /** Trader collateral deposit (the operator credits it in its ledger). Needs an approval first. */
  depositCollateral(amount: bigint): Promise<TxResult> {
    return this.send("depositCollateral", [amount]);
  }

  /** Genesis LP capital, before the first risk publication: shares 1:1 at once. */
  depositLiquidity(amount: bigint): Promise<TxResult> {
    return this.send("depositLiquidity", [amount]);
  }

  /** LP deposit request: escrows `amount` tokens until the next opening that is not a Haircut prices them (needs an approval first). */
  requestDeposit(amount: bigint): Promise<TxResult> {
    return this.send("requestDeposit", [amount]);
  }

  /** LP withdrawal request: escrows `shares` until the next Solvent opening. */
  requestWithdraw(shares: bigint): Promise<TxResult> {
    return this.send("requestWithdraw", [shares]);
  }

  /** Cancels the runner's request while its batch has not executed. */
  cancelRequest(requestId: bigint): Promise<TxResult> {
    return this.send("cancelRequest", [requestId]);
  }

  /** Claims an executed request for its owner (anyone may send it). */
  claim(requestId: bigint): Promise<TxResult> {
    return this.send("claim", [requestId]);
  }

  // ---- epochs

  /** Publishes an epoch's risk root with its RiskTable proof (a RiskTableProof from proveRiskTable, or any statement + proof points). */
  publishRisk(published: RiskTablePublication): Promise<TxResult> {
    return this.send("publishRisk", publishRiskArgs(published.statement, published.solidity));
  }

  /** Posts one solvency batch (a BatchProof from proveSolvency, or any statement + proof points). */
  postSolvency(batch: SolvencyBatchInput): Promise<TxResult> {
    return this.send("postSolvency", postSolvencyArgs(batch.statement, batch.solidity));
  }

  /** Posts every batch of an epoch's solvency proof, in order; stops at the first refusal. */
  async postSolvencyEpoch(proof: SolvencyProof, onBatch?: (index: number, result: TxResult) => void): Promise<TxResult[]> {
    const results: TxResult[] = [];
    for (const [k, batch] of proof.batches.entries()) {
      const r = await this.postSolvency(batch);
      results.push(r);
      onBatch?.(k, r);
    }
    return results;
  }

  /** Settles a margin proof: pays its amount to its recipient (anyone may submit it). */
  settle(proof: SettleInput): Promise<TxResult> {
    return this.send("settle", settleArgs(proof.statement, proof.solidity));
  }

  /** Liquidates an account of the open epoch with a Liquidation proof (operator only); runs the waterfall. */
  liquidate(proof: LiquidateInput): Promise<TxResult> {
    return this.send("liquidate", liquidateArgs(proof.statement, proof.solidity));
  }

  /** Adds tokens to the insurance fund (needs an approval first). */
  fundInsurance(amount: bigint): Promise<TxResult> {
    return this.send("fundInsurance", [amount]);
  }

  // ---- escape hatch (docs/design.md §12)

  /** Freezes the pool for want of an opening (anyone, once `freezeAllowedAt` has passed). */
  freeze(): Promise<TxResult> {
    return this.send("freeze", []);
  }

  /** Freezes the pool on a path request left unanswered past its deadline (anyone). */
  freezeOnRequest(requestId: bigint): Promise<TxResult> {
    return this.send("freezeOnRequest", [requestId]);
  }

  /** Pays an exit proof from a frozen pool (anyone may submit it: the proof binds recipient and amount). */
  exit(proof: Pick<ExitProof, "statement" | "solidity">): Promise<TxResult> {
    return this.send("exit", [proof.statement.epoch, ...exitArgs(proof.statement, proof.solidity)]);
  }

  /** Counts a settlement or liquidation of the frozen epoch as paid before the freeze (anyone). */
  noteSettled(nullifier: bigint): Promise<TxResult> {
    return this.send("noteSettled", [nullifier]);
  }

  /** Refunds an uncredited trader deposit of a frozen pool to its depositor (anyone). */
  refundDeposit(depositId: bigint): Promise<TxResult> {
    return this.send("refundDeposit", [depositId]);
  }

  /** Pays the runner its share of the LPs' surplus in a frozen pool. */
  lpExit(): Promise<TxResult> {
    return this.send("lpExit", []);
  }

  /** Pays the insurance fund's part of a frozen pool's surplus to the admin (anyone may send it). */
  fundExit(): Promise<TxResult> {
    return this.send("fundExit", []);
  }

  /** What `provider` has taken by lpExit so far. */
  lpExitPaid(provider: string): Promise<bigint> {
    return this.view<bigint>("lpExitPaid", provider);
  }

  lpExitPreview(provider: string): Promise<bigint> {
    return this.view<bigint>("lpExitPreview", provider);
  }

  async nullifierRecord(nullifier: bigint): Promise<NullifierRecord> {
    const [used, epoch, taken, exited, noted] = await this.view<[boolean, bigint, bigint, boolean, boolean]>("nullifierRecord", nullifier);
    return { used, epoch: Number(epoch), taken, exited, noted };
  }

  async traderDeposit(depositId: bigint): Promise<TraderDepositView | undefined> {
    const [depositor, creditEpoch, amount] = await this.view<[string, bigint, bigint]>("traderDeposits", depositId);
    if (/^0x0{40}$/i.test(depositor)) return undefined;
    return { depositor, creditEpoch: Number(creditEpoch), amount };
  }

  /** The latest accepted epoch and its accounts root (what a path answer and an exit use). */
  async latestAccountsRoot(): Promise<{ epoch: number; root: bigint }> {
    const [epoch, root] = await this.view<[bigint, bigint]>("latestAccountsRoot");
    return { epoch: Number(epoch), root };
  }

  pathRequestsAddress(): Promise<string> {
    return this.view<string>("pathRequests");
  }

  /** The escape hatch's state, read at one block. */
  async hatchState(blockTag?: number): Promise<HatchState> {
    const tag = blockTag ?? (await this.provider.getBlockNumber());
    const read = async <T>(method: string): Promise<T> => (await this.contract.getFunction(method).staticCall({ blockTag: tag })) as T;
    const [frozen, maxEpochDelay, lastOpenedAt, freezeAllowedAt, pathRequests, frozenPot, refundsOwed, claimsNoted, outstandingClaims, lpSurplus, lpExitPaidTotal, fundSurplus, fundExitPaid] =
      await Promise.all([
        read<boolean>("frozen"), read<bigint>("maxEpochDelay"), read<bigint>("lastOpenedAt"), read<bigint>("freezeAllowedAt"), read<string>("pathRequests"),
        read<bigint>("frozenPot"), read<bigint>("refundsOwed"), read<bigint>("claimsNoted"), read<bigint>("outstandingClaims"), read<bigint>("lpSurplus"),
        read<bigint>("lpExitPaidTotal"), read<bigint>("fundSurplus"), read<bigint>("fundExitPaid"),
      ]);
    return { frozen, maxEpochDelay, lastOpenedAt, freezeAllowedAt, pathRequests, frozenPot, refundsOwed, claimsNoted, outstandingClaims, lpSurplus, lpExitPaidTotal, fundSurplus, fundExitPaid };
  }

  // ---- views

  async tokenAddress(): Promise<string> {
    return this.view<string>("token");
  }

  async tokenBalanceOf(account: string): Promise<bigint> {
    const token = new Contract(await this.tokenAddress(), ERC20_ABI, this.provider);
    return (await token.getFunction("balanceOf").staticCall(account)) as bigint;
  }

  poolBalance(): Promise<bigint> {
    return this.view<bigint>("poolBalance");
  }

  lockedBalance(): Promise<bigint> {
    return this.view<bigint>("lockedBalance");
  }

  sharesOf(provider: string): Promise<bigint> {
    return this.view<bigint>("sharesOf", provider);
  }

  previewWithdraw(shares: bigint): Promise<bigint> {
    return this.view<bigint>("previewWithdraw", shares);
  }

  /** A request still stored (not claimed or cancelled), or undefined. */
  async lpRequest(requestId: bigint): Promise<LpRequestView | undefined> {
    const [owner, batch, era, withdrawal, amount] = await this.view<[string, bigint, bigint, boolean, bigint]>("lpRequests", requestId);
    if (/^0x0{40}$/i.test(owner)) return undefined;
    return { owner, batch: Number(batch), era: Number(era), withdrawal, amount };
  }

  /** A withdrawal batch: shares escrowed, tokens paid out, how it was filled, shares burned when partly filled. */
  async withdrawBatchInfo(batch: number): Promise<{ shares: bigint; tokens: bigint; fill: WithdrawFill; burned: bigint }> {
    const [shares, tokens, fill, burned] = await this.view<[bigint, bigint, bigint, bigint]>("withdrawBatches", batch);
    return { shares, tokens, fill: WITHDRAW_FILLS[Number(fill)], burned };
  }

  /** A deposit batch: tokens escrowed; once executed, shares minted and their era. */
  async depositBatchInfo(batch: number): Promise<{ assets: bigint; shares: bigint; era: number }> {
    const [assets, shares, era] = await this.view<[bigint, bigint, bigint]>("depositBatches", batch);
    return { assets, shares, era: Number(era) };
  }

  nullifierUsed(nullifier: bigint): Promise<boolean> {
    return this.view<boolean>("nullifierUsed", nullifier);
  }

  async epochInfo(epoch: number): Promise<EpochInfo> {
    const [riskRoot, openAccountsRoot, settleable] = await this.view<[bigint, bigint, boolean]>("epochInfo", epoch);
    return { riskRoot, openAccountsRoot, settleable };
  }

  async solvencyCursor(epoch: number): Promise<SolvencyCursorView> {
    const [nextBatch, accountsRoot, totalsCommitment] = await this.view<[bigint, bigint, bigint]>("solvencyCursor", epoch);
    return { nextBatch: Number(nextBatch), accountsRoot, totalsCommitment };
  }

  /** An accepted epoch's status and haircut. */
  async epochStanding(epoch: number): Promise<EpochStanding> {
    const [status, haircutNum, haircutDen] = await this.view<[bigint, bigint, bigint]>("epochStatus", epoch);
    return { status: EPOCH_STATUSES[Number(status)], haircutNum, haircutDen };
  }

  insuranceFund(): Promise<bigint> {
    return this.view<bigint>("insuranceFund");
  }

  /** Every piece of the pool's public state, read at one block. */
  async state(): Promise<PoolState> {
    const blockTag = await this.provider.getBlockNumber();
    const read = async <T>(method: string): Promise<T> =>
      (await this.contract.getFunction(method).staticCall({ blockTag })) as T;
    const [token, marginVerifier, solvencyVerifier, liquidationVerifier, riskTableVerifier, latestStatus, insuranceFund] = await Promise.all([
      read<string>("token"), read<string>("marginVerifier"), read<string>("solvencyVerifier"), read<string>("liquidationVerifier"),
      read<string>("riskTableVerifier"), read<bigint>("latestStatus"), read<bigint>("insuranceFund"),
    ]);
    const [admin, riskOracle, operator, currentEpoch, riskPublished, latestAcceptedEpoch,
      anyAccepted, latestBound, unboundDeposits, depositsSinceRisk, lockedBalance, poolBalance, navAtOpening, totalShares] = await Promise.all([
      read<string>("admin"),
      read<string>("riskOracle"), read<string>("operator"), read<bigint>("currentEpoch"), read<boolean>("riskPublished"),
      read<bigint>("latestAcceptedEpoch"), read<boolean>("anyAccepted"), read<bigint>("latestBound"), read<bigint>("unboundDeposits"),
      read<bigint>("depositsSinceRisk"), read<bigint>("lockedBalance"), read<bigint>("poolBalance"), read<bigint>("navAtOpening"),
      read<bigint>("totalShares"),
    ]);
    const [shareEra, pendingDeposits, withdrawalsOwed, depositBatch, withdrawBatch, lpBookSealed, hatch] = await Promise.all([
      read<bigint>("shareEra"), read<bigint>("pendingDeposits"), read<bigint>("withdrawalsOwed"), read<bigint>("depositBatch"), read<bigint>("withdrawBatch"),
      read<boolean>("lpBookSealed"), this.hatchState(blockTag),
    ]);
    return {
      token, marginVerifier, solvencyVerifier, liquidationVerifier, riskTableVerifier, admin, riskOracle, operator,
      currentEpoch: riskPublished ? Number(currentEpoch) : undefined,
      latestAcceptedEpoch: anyAccepted ? Number(latestAcceptedEpoch) : undefined,
      latestBound, latestStatus: EPOCH_STATUSES[Number(latestStatus)], insuranceFund,
      unboundDeposits, depositsSinceRisk, lockedBalance, poolBalance, navAtOpening, totalShares,
      shareEra: Number(shareEra), pendingDeposits, withdrawalsOwed, depositBatch: Number(depositBatch), withdrawBatch: Number(withdrawBatch),
      lpBookSealed, hatch,
    };
  }

  /** The pool's events from `fromBlock` (default: genesis) to the latest block, decoded, in chain order. */
  events(fromBlock = 0): Promise<PoolEvent[]> {
    return readPoolEvents(this.provider, this.interface, this.address, fromBlock);
  }
}

// ------------------------------------------------------------------------------------ deployment

export interface DeployPoolOptions {
  /** Deployer; becomes the pool's admin. */
  signer: Signer;
  /** Collateral ERC-20; default: a fresh TestToken ("Test USD", 6 decimals, open mint). */
  token?: string;
  /** An already deployed margin verifier; default: deploy the one of `circuits.margin`. */
  marginVerifier?: string;
  /** An already deployed solvency verifier; default: deploy the one of `circuits.solvency`. */
  solvencyVerifier?: string;
  /** An already deployed liquidation verifier; default: deploy the one of `circuits.liquidation`. */
  liquidationVerifier?: string;
  /** An already deployed risk-table verifier; default: deploy the one of `circuits.riskTable`. */
  riskTableVerifier?: string;
  /** Risk oracle address; default: the signer. */
  oracle?: string;
  /** Operator address; default: the signer. */
  operator?: string;
  /** An already deployed exit verifier; default: deploy the one of `circuits.exit`. */
  exitVerifier?: string;
  /** An already deployed Poseidon(2) contract; default: deploy circomlibjs' generated one. */
  poseidon2?: string;
  /** Which circuits' verifiers to deploy (default: the reference ones). */
  circuits?: PoolCircuits;
  /** Seconds without an opening (or a path request unanswered) before anyone may freeze; default 7 days. */
  maxEpochDelay?: number;
  /** Wei a path request pays (the operator's answer costs gas); default 0.02 ether. */
  pathFee?: bigint;
}

/** Default escape-hatch delay: a week without an epoch (or a path answer) lets anyone freeze. */
export const DEFAULT_MAX_EPOCH_DELAY = 7 * 24 * 3600;
/** Default path-request fee: 0.02 ether, the gas of an answer on a depth-20 tree (665,987, `npm run gas`) at up to 30 gwei. */
export const DEFAULT_PATH_FEE = 20_000_000_000_000_000n;

export interface DeployedContract {
  /** Artifact name, e.g. "RiskSharingPool", "MarginTestVerifier". */
  name: string;
  address: string;
  gasUsed: bigint;
}

export interface PoolDeployment {
  pool: RiskSharingPoolClient;
  token: string;
  marginVerifier: string;
  solvencyVerifier: string;
  liquidationVerifier: string;
  riskTableVerifier: string;
  exitVerifier: string;
  poseidon2: string;
  /** Every contract this call deployed, with its deployment gas from the receipt. */
  deployed: DeployedContract[];
}

export const REFERENCE_CIRCUITS: PoolCircuits = CIRCUIT_SETS.reference;
export const TEST_CIRCUITS: PoolCircuits = CIRCUIT_SETS.test;

/** Artifact name of a circuit's generated verifier ("margin_test" -> "MarginTestVerifier"). */
export function verifierArtifact(circuit: string): string {
  return verifierName(circuit);
}

/** Deploys an artifact and returns its address and deployment gas (from the receipt). */
export async function deployArtifact(name: string, signer: Signer, ...args: unknown[]): Promise<DeployedContract> {
  const contract: BaseContract = await retryStaleNonce(() => deployContract(name, signer, ...args));
  const receipt = await contract.deploymentTransaction()?.wait();
  if (!receipt) throw new Error(`deployment of ${name} has no receipt`);
  return { name, address: await contract.getAddress(), gasUsed: receipt.gasUsed };
}

/**
 * Deploys a RiskSharingPool and whatever it needs that was not given: a TestToken and the
 * margin / solvency verifiers of `circuits` (reference circuits by default).
 */
export async function deployPool(options: DeployPoolOptions): Promise<PoolDeployment> {
  const { signer } = options;
  const circuits = options.circuits ?? REFERENCE_CIRCUITS;
  const me = await signer.getAddress();
  const deployed: DeployedContract[] = [];
  const need = async (given: string | undefined, name: string, ...args: unknown[]): Promise<string> => {
    if (given) return given;
    const d = await deployArtifact(name, signer, ...args);
    deployed.push(d);
    return d.address;
  };
  const token = await need(options.token, "TestToken", "Test USD", "tUSD", 6);
  const marginVerifier = await need(options.marginVerifier, verifierArtifact(circuits.margin));
  const solvencyVerifier = await need(options.solvencyVerifier, verifierArtifact(circuits.solvency));
  const liquidationVerifier = await need(options.liquidationVerifier, verifierArtifact(circuits.liquidation));
  const riskTableVerifier = await need(options.riskTableVerifier, verifierArtifact(circuits.riskTable));
  const exitVerifier = await need(options.exitVerifier, verifierArtifact(circuits.exit));
  let poseidon2 = options.poseidon2;
  if (!poseidon2) {
    const d = await retryStaleNonce(() => deployPoseidon2(signer));
    deployed.push(d);
    poseidon2 = d.address;
  }
  const margin = findCircuit(circuits.margin);
  const accountsDepth = margin.kind === "riskTable" ? 0 : margin.params.depth;
  const config = {
    token, marginVerifier, solvencyVerifier, liquidationVerifier, riskTableVerifier, exitVerifier, poseidon2,
    riskOracle: options.oracle ?? me, operator: options.operator ?? me,
    maxEpochDelay: options.maxEpochDelay ?? DEFAULT_MAX_EPOCH_DELAY, pathFee: options.pathFee ?? DEFAULT_PATH_FEE, accountsDepth,
  };
  let pool: DeployedContract;
  try {
    pool = await deployArtifact("RiskSharingPool", signer, config);
  } catch (err) {
    throw decodePoolError(poolInterface(), "constructor", err);
  }
  deployed.push(pool);
  return {
    pool: new RiskSharingPoolClient(pool.address, signer), token, marginVerifier, solvencyVerifier, liquidationVerifier, riskTableVerifier, exitVerifier, poseidon2, deployed,
  };
}

/** The id of the LP request a requestDeposit / requestWithdraw transaction made. */
export function requestIdOf(result: TxResult): bigint {
  const e = result.events.find((x) => x.name === "LpRequested");
  if (e?.name !== "LpRequested") throw new Error(`transaction ${result.hash} made no LP request`);
  return e.args.requestId;
}
