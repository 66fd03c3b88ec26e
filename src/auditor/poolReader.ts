import { Contract, Interface, type InterfaceAbi, isAddress, type Provider, type Result } from "ethers";
import type { Groth16Proof } from "snarkjs";
import { fromSolidityProof } from "../protocol/solidityProof.js";
import { AuditError } from "./auditErrors.js";
import { EPOCH_STATUSES, type EpochStatus, type PoolEvent, readPoolEvents } from "../protocol/poolEvents.js";

/** The pool's public state at one block, as the auditor needs it. */
export interface PoolSnapshot {
  blockNumber: number;
  poolBalance: bigint;
  /** Latest epoch whose solvency was accepted, or undefined. */
  latestAcceptedEpoch: number | undefined;
  unboundDeposits: bigint;
  /** The LPs' NAV after the last opening (docs/design.md §11; book value on pools before it). */
  lpCapital: bigint;
  /** LP shares outstanding. */
  totalShares: bigint;
  /** Undefined on a pool without the loss waterfall (docs/design.md §9). */
  insuranceFund: bigint | undefined;
  lockedBalance: bigint;
}

/** An epoch's status as the contract stored it (waterfall pools only). */
export interface EpochStatusView {
  status: EpochStatus;
  haircutNum: bigint;
  haircutDen: bigint;
}

/**
 * Read-only access to a deployed RiskSharingPool through any ethers provider — a Node
 * JsonRpcProvider for the CLI, the same class in the browser — and the pool's ABI, injected
 * (the CLI reads it from the build manifest, the page fetches it beside itself).
 */
export class PoolReader {
  readonly iface: Interface;
  private readonly contract: Contract;

  private constructor(readonly provider: Provider, readonly address: string, abi: InterfaceAbi | Interface) {
    this.iface = abi instanceof Interface ? abi : new Interface(abi);
    this.contract = new Contract(address, this.iface, provider);
  }

  /**
   * Opens the pool at `address`, refusing clearly a malformed address, an address with no
   * contract and a contract that is not a RiskSharingPool (its views do not answer).
   */
  static async open(provider: Provider, address: string, abi: InterfaceAbi | Interface): Promise<PoolReader> {
    if (!isAddress(address)) throw new AuditError("bad-address", `pool address "${address}" is not an address (0x followed by 40 hex digits)`);
    const code = await provider.getCode(address);
    if (code === "0x") {
      const { chainId } = await provider.getNetwork();
      throw new AuditError("no-contract", `no contract at ${address} on chain ${chainId}: wrong address, or wrong chain?`);
    }
    const reader = new PoolReader(provider, address, abi);
    try {
      await Promise.all([reader.view<string>("token"), reader.view<bigint>("poolBalance"), reader.view<boolean>("anyAccepted")]);
    } catch (err) {
      throw new AuditError("not-a-pool", `the contract at ${address} is not a RiskSharingPool (its views token/poolBalance/anyAccepted do not answer)`, { cause: err });
    }
    return reader;
  }

  /** The LPs' NAV view: `navAtOpening`, or `lpCapital` (book value) on pools before LP shares at NAV. */
  private get lpView(): string {
    return this.has("navAtOpening") ? "navAtOpening" : "lpCapital";
  }

  private has(method: string): boolean {
    return this.iface.getFunction(method) !== null;
  }

  private async view<T>(method: string, blockTag?: number, ...args: unknown[]): Promise<T> {
    return (await this.contract.getFunction(method).staticCall(...args, blockTag === undefined ? {} : { blockTag })) as T;
  }

  /** Every figure the auditor needs, read at one block. */
  async snapshot(): Promise<PoolSnapshot> {
    const blockNumber = await this.provider.getBlockNumber();
    const at = <T>(m: string): Promise<T> => this.view<T>(m, blockNumber);
    const [poolBalance, anyAccepted, latest, unboundDeposits, lpCapital, lockedBalance, insuranceFund, totalShares] = await Promise.all([
      at<bigint>("poolBalance"), at<boolean>("anyAccepted"), at<bigint>("latestAcceptedEpoch"), at<bigint>("unboundDeposits"),
      at<bigint>(this.lpView), at<bigint>("lockedBalance"), this.has("insuranceFund") ? at<bigint>("insuranceFund") : Promise.resolve(undefined),
      at<bigint>("totalShares"),
    ]);
    return { blockNumber, poolBalance, latestAcceptedEpoch: anyAccepted ? Number(latest) : undefined, unboundDeposits, lpCapital, totalShares, lockedBalance, insuranceFund };
  }

  /** The insurance fund, LP NAV and shares at the end of `block` (the waterfall replay's starting point). */
  async fundsAt(block: number): Promise<{ insuranceFund: bigint; lpCapital: bigint; totalShares: bigint }> {
    // Before the pool existed (the usual case: scanning from its deployment block), all were 0.
    if (block < 0 || (await this.provider.getCode(this.address, block)) === "0x") return { insuranceFund: 0n, lpCapital: 0n, totalShares: 0n };
    const [insuranceFund, lpCapital, totalShares] = await Promise.all([
      this.has("insuranceFund") ? this.view<bigint>("insuranceFund", block) : Promise.resolve(0n), this.view<bigint>(this.lpView, block),
      this.view<bigint>("totalShares", block),
    ]);
    return { insuranceFund, lpCapital, totalShares };
  }

  /** The stored status and haircut of an epoch, or undefined on a pool without them. */
  async epochStatus(epoch: number): Promise<EpochStatusView | undefined> {
    if (!this.has("epochStatus")) return undefined;
    const [status, haircutNum, haircutDen] = await this.view<[bigint, bigint, bigint]>("epochStatus", undefined, epoch);
    return { status: EPOCH_STATUSES[Number(status)], haircutNum, haircutDen };
  }

  events(fromBlock = 0): Promise<PoolEvent[]> {
    return readPoolEvents(this.provider, this.iface, this.address, fromBlock);
  }

  /**
   * The proof a direct pool call carried, read back from its calldata (no operator data
   * needed); a string says why it cannot be.
   */
  async proofFromCalldata(hash: string, method: string): Promise<Groth16Proof | string> {
    const tx = await this.provider.getTransaction(hash);
    if (!tx) return `transaction ${hash} is not available from the node`;
    const direct = tx.to?.toLowerCase() === this.address.toLowerCase();
    const parsed = direct ? this.iface.parseTransaction({ data: tx.data, value: tx.value }) : null;
    if (parsed?.name !== method) return `transaction ${hash} is not a direct ${method} call to the pool (sent through another contract?): its proof is not in the calldata`;
    const [a, b, c] = parsed.args.getValue("proof") as Result;
    const pair = (x: Result): [bigint, bigint] => [BigInt(x[0] as bigint), BigInt(x[1] as bigint)];
    return fromSolidityProof({ a: pair(a as Result), b: [pair((b as Result)[0] as Result), pair((b as Result)[1] as Result)], c: pair(c as Result) });
  }
}
