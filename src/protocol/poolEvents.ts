/**
 * The pool's events, decoded once for everyone (the chain client, `zkrs audit`, the auditor's
 * page): parsed with the pool's ABI, uint32 and uint24 as numbers, the contract's enums (role, epoch
 * status, waterfall stage) as names. Also the enums' display and the one haircut formatter.
 * Browser-safe: ethers only, the ABI's Interface is injected.
 */
import type { Interface, Log, LogDescription, Provider } from "ethers";

/** The pool's roles, in the contract's `Role` enum order. */
export const POOL_ROLES = ["admin", "riskOracle", "operator"] as const;
export type PoolRole = (typeof POOL_ROLES)[number];

/**
 * An accepted epoch's standing against the pool's balance, in the contract's `EpochStatus`
 * order (docs/design.md §9): solvent when the balance covers the stress bound, stressed (LP
 * withdrawals frozen) when it covers only the mark bound, haircut when not even that.
 */
export const EPOCH_STATUSES = ["solvent", "stressed", "haircut"] as const;
export type EpochStatus = (typeof EPOCH_STATUSES)[number];

/** The loss waterfall's steps, in the contract's `WaterfallStage` order (docs/design.md §9). */
export const WATERFALL_STAGES = ["penalty", "insuranceFund", "lpCapital", "haircut"] as const;
export type WaterfallStage = (typeof WATERFALL_STAGES)[number];

/** Each waterfall stage for people. */
export const STAGE_LABELS: Record<WaterfallStage, string> = {
  penalty: "penalty into the insurance fund",
  insuranceFund: "insurance fund drawn",
  lpCapital: "borne by the LPs (in the NAV)",
  haircut: "left to the haircut",
};

/**
 * NAV per share as the pool prices requests, (nav + 1) / (supply + 1) token units per share
 * (the virtual share and unit of docs/design.md §11), rounded down to 6 places.
 */
export function navPerShare(nav: bigint, supply: bigint): string {
  const scaled = ((nav + 1n) * 1_000_000n) / (supply + 1n);
  return `${scaled / 1_000_000n}.${(scaled % 1_000_000n).toString().padStart(6, "0")}`;
}

/** A haircut num / den as a decimal ratio rounded down to 6 places (what a settlement pays per unit); "1" when there is none. */
export function haircutRatio(num: bigint, den: bigint): string {
  if (den === 0n) return "1";
  const scaled = (num * 1_000_000n) / den;
  return `${scaled / 1_000_000n}.${(scaled % 1_000_000n).toString().padStart(6, "0")}`;
}

interface PoolEventBase<N extends string, A> {
  name: N;
  args: A;
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
}

/** Every event of RiskSharingPool, decoded. An auditor can rebuild the pool's history from these. */
export type PoolEvent =
  | PoolEventBase<"RoleTransferred", { role: PoolRole; previousAccount: string; newAccount: string }>
  | PoolEventBase<"RiskPublished", { epoch: number; riskRoot: bigint }>
  | PoolEventBase<"SolvencyBatchAccepted", {
    epoch: number; batchIndex: number; isLast: boolean; accountsRoot: bigint; stressTotal: bigint; markTotal: bigint;
    prevTotalsCommitment: bigint; totalsCommitment: bigint;
  }>
  | PoolEventBase<"EpochOpened", {
    epoch: number; riskRoot: bigint; accountsRoot: bigint; stressTotal: bigint; markTotal: bigint; poolBalance: bigint; status: EpochStatus;
  }>
  | PoolEventBase<"LpWithdrawalsFrozen", { epoch: number; stressTotal: bigint; poolBalance: bigint }>
  | PoolEventBase<"HaircutSet", { epoch: number; poolBalance: bigint; markTotal: bigint }>
  | PoolEventBase<"EpochClosed", { epoch: number }>
  | PoolEventBase<"Settled", { epoch: number; nullifier: bigint; recipient: string; amount: bigint; paid: bigint }>
  | PoolEventBase<"Liquidated", { epoch: number; tag: bigint; penalty: bigint; deficit: bigint }>
  | PoolEventBase<"WaterfallStep", {
    epoch: number; tag: bigint; stage: WaterfallStage; amount: bigint; insuranceFundAfter: bigint; lpCapitalAfter: bigint;
  }>
  | PoolEventBase<"InsuranceFunded", { from: string; amount: bigint; insuranceFundAfter: bigint }>
  | PoolEventBase<"CollateralDeposited", { depositor: string; amount: bigint; depositId: bigint; creditEpoch: number }>
  | PoolEventBase<"LiquidityDeposited", { provider: string; amount: bigint; shares: bigint }>
  | PoolEventBase<"LpRequested", { requestId: bigint; owner: string; batch: number; withdrawal: boolean; amount: bigint }>
  | PoolEventBase<"LpRequestCancelled", { requestId: bigint; owner: string; withdrawal: boolean; amount: bigint }>
  | PoolEventBase<"NavPerShare", { epoch: number; nav: bigint; supply: bigint }>
  | PoolEventBase<"LpDepositsExecuted", { epoch: number; batch: number; assets: bigint; shares: bigint }>
  | PoolEventBase<"LpWithdrawalsExecuted", { epoch: number; batch: number; shares: bigint; burned: bigint; tokens: bigint }>
  | PoolEventBase<"ShareEraStarted", { era: number; nav: bigint; supply: bigint }>
  | PoolEventBase<"LpClaimed", { requestId: bigint; owner: string; shares: bigint; tokens: bigint }>
  | PoolEventBase<"Frozen", { epoch: number; accountsRoot: bigint; markTotal: bigint; pot: bigint; uncredited: bigint; requestId: bigint }>
  | PoolEventBase<"Exited", { epoch: number; nullifier: bigint; recipient: string; amount: bigint; taken: bigint; paid: bigint }>
  | PoolEventBase<"SettlementNoted", { nullifier: bigint; taken: bigint; claimsNoted: bigint }>
  | PoolEventBase<"DepositRefunded", { depositId: bigint; depositor: string; amount: bigint }>
  | PoolEventBase<"LpExited", { provider: string; shares: bigint; paid: bigint }>
  | PoolEventBase<"FundExited", { admin: string; paid: bigint }>;

/** The `requestId` of a Frozen event when the freeze was for want of an opening, not a path request. */
export const FROZEN_BY_DELAY = (1n << 256n) - 1n;

export type PoolEventName = PoolEvent["name"];
export type EventOf<N extends PoolEventName> = Extract<PoolEvent, { name: N }>;

/** Enum-typed event arguments, by argument name. */
const ENUMS: Record<string, readonly string[]> = { role: POOL_ROLES, status: EPOCH_STATUSES, stage: WATERFALL_STAGES };

/** One log decoded, or undefined when it is not one of the pool's events. */
export function decodePoolEvent(iface: Interface, log: Log): PoolEvent | undefined {
  let parsed: LogDescription | null;
  try {
    parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
  } catch {
    return undefined;
  }
  if (!parsed) return undefined;
  const args: Record<string, bigint | number | string | boolean> = {};
  parsed.fragment.inputs.forEach((input, i) => {
    const v: unknown = parsed.args[i];
    const names = ENUMS[input.name];
    if (names && input.type === "uint8") args[input.name] = names[Number(v)] ?? `unknown ${input.name} ${String(v)}`;
    else if (input.type === "uint32" || input.type === "uint24") args[input.name] = Number(v);
    else if (typeof v === "bigint" || typeof v === "string" || typeof v === "boolean") args[input.name] = v;
    else if (typeof v === "number") args[input.name] = BigInt(v);
  });
  return { name: parsed.name, args, blockNumber: log.blockNumber, logIndex: log.index, transactionHash: log.transactionHash } as PoolEvent;
}

/** Decoded pool events of these logs, in chain order. */
export function decodePoolEvents(iface: Interface, logs: readonly Log[]): PoolEvent[] {
  return logs
    .map((l) => decodePoolEvent(iface, l))
    .filter((e): e is PoolEvent => e !== undefined)
    .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}

/** The pool's events from `fromBlock` to the latest block, in chain order. */
export async function readPoolEvents(provider: Provider, iface: Interface, address: string, fromBlock = 0): Promise<PoolEvent[]> {
  return decodePoolEvents(iface, await provider.getLogs({ address, fromBlock, toBlock: "latest" }));
}

/** The events of one kind (optionally of one epoch). */
export function eventsNamed<N extends PoolEventName>(events: readonly PoolEvent[], name: N, epoch?: number): EventOf<N>[] {
  return events.filter((e): e is EventOf<N> => e.name === name && (epoch === undefined || ("epoch" in e.args && e.args.epoch === epoch)));
}
