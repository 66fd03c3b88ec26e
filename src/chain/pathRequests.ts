import { Contract, type ContractRunner, type ContractTransactionResponse, Interface, type InterfaceAbi, type Provider } from "ethers";
import { loadContractArtifact } from "../artifacts/manifest.js";
import type { MerklePath } from "../crypto/merkleTree.js";
import { decodePoolError, retryStaleNonce } from "./riskSharingPool.js";

/** A path request as the contract stores it (undefined once its fee was refunded). */
export interface PathRequestView {
  requester: string;
  leafIndex: number;
  /** Unix seconds: unanswered past this, anyone may freeze the pool. */
  deadline: bigint;
  answered: boolean;
}

/** What a PathRequests transaction did: gas from its receipt, and its events. */
export interface PathTxResult {
  hash: string;
  gasUsed: bigint;
  events: { name: string; args: Record<string, unknown> }[];
}

/** The operator's answer to a request, as logged (PathAnswered): enough to rebuild the trader's path. */
export interface PathAnswer {
  requestId: bigint;
  epoch: number;
  path: MerklePath;
  leaf: bigint;
}

/**
 * A typed client of a pool's PathRequests contract (docs/design.md §12): a trader asks for its
 * inclusion path on-chain with a fee; the operator answers with the path, checked on-chain against
 * the latest accepted accounts root; a request unanswered for the pool's `maxEpochDelay` lets
 * anyone freeze the pool.
 */
export class PathRequestsClient {
  readonly contract: Contract;
  readonly interface: Interface;

  constructor(readonly address: string, readonly runner: ContractRunner) {
    this.interface = new Interface(loadContractArtifact("PathRequests").abi as InterfaceAbi);
    this.contract = new Contract(address, this.interface, runner);
  }

  private async send(method: string, args: readonly unknown[], value?: bigint): Promise<PathTxResult> {
    try {
      const tx = await retryStaleNonce(() => this.contract.getFunction(method).send(...args, ...(value === undefined ? [] : [{ value }])) as Promise<ContractTransactionResponse>);
      const receipt = await tx.wait();
      if (!receipt) throw new Error(`${method}: transaction was dropped`);
      const events = receipt.logs
        .filter((l) => l.address.toLowerCase() === this.address.toLowerCase())
        .flatMap((l) => {
          const parsed = this.interface.parseLog({ topics: [...l.topics], data: l.data });
          return parsed ? [{ name: parsed.name, args: Object.fromEntries(parsed.fragment.inputs.map((input, i) => [input.name, parsed.args[i] as unknown])) }] : [];
        });
      return { hash: receipt.hash, gasUsed: receipt.gasUsed, events };
    } catch (err) {
      throw decodePoolError(this.interface, `PathRequests.${method}`, err);
    }
  }

  private async view<T>(method: string, ...args: unknown[]): Promise<T> {
    try {
      return (await this.contract.getFunction(method).staticCall(...args)) as T;
    } catch (err) {
      throw decodePoolError(this.interface, `PathRequests.${method}`, err);
    }
  }

  fee(): Promise<bigint> {
    return this.view<bigint>("fee");
  }

  /** Asks for the path of `leafIndex`, paying the contract's fee; returns the request id with the result. */
  async request(leafIndex: number): Promise<PathTxResult & { requestId: bigint }> {
    const r = await this.send("request", [leafIndex], await this.fee());
    const e = r.events.find((x) => x.name === "PathRequested");
    if (!e) throw new Error(`request ${r.hash} logged no PathRequested`);
    return { ...r, requestId: e.args.requestId as bigint };
  }

  /** The operator's answer: the leaf hash and its path in the latest accepted accounts tree. */
  answer(requestId: bigint, leaf: bigint, path: MerklePath): Promise<PathTxResult> {
    return this.send("answer", [requestId, leaf, path.siblings]);
  }

  /** Returns an unanswered request's fee to its requester once the pool is frozen (anyone). */
  refundFee(requestId: bigint): Promise<PathTxResult> {
    return this.send("refundFee", [requestId]);
  }

  async requestInfo(requestId: bigint): Promise<PathRequestView | undefined> {
    const [requester, leafIndex, deadline, answered] = await this.view<[string, bigint, bigint, boolean]>("requests", requestId);
    if (/^0x0{40}$/i.test(requester)) return undefined;
    return { requester, leafIndex: Number(leafIndex), deadline, answered };
  }

  /** Every request ever made, with its answer when there is one (from the contract's events). */
  async history(fromBlock = 0): Promise<{ requestId: bigint; requester: string; leafIndex: number; deadline: bigint; answer?: PathAnswer }[]> {
    const provider = this.runner.provider as Provider | null;
    if (!provider) throw new Error("the PathRequests client's runner has no provider");
    const logs = await provider.getLogs({ address: this.address, fromBlock, toBlock: "latest" });
    const out = new Map<bigint, { requestId: bigint; requester: string; leafIndex: number; deadline: bigint; answer?: PathAnswer }>();
    for (const l of logs) {
      const p = this.interface.parseLog({ topics: [...l.topics], data: l.data });
      if (p?.name === "PathRequested") {
        out.set(p.args.requestId as bigint, { requestId: p.args.requestId as bigint, requester: p.args.requester as string, leafIndex: Number(p.args.leafIndex), deadline: p.args.deadline as bigint });
      } else if (p?.name === "PathAnswered") {
        const entry = out.get(p.args.requestId as bigint);
        if (entry) {
          entry.answer = {
            requestId: entry.requestId, epoch: Number(p.args.epoch), leaf: p.args.leaf as bigint,
            path: { index: Number(p.args.leafIndex), siblings: (p.args.siblings as bigint[]).map((x) => BigInt(x)) },
          };
        }
      }
    }
    return [...out.values()];
  }
}
