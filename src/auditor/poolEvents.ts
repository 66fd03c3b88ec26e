import type { Interface, Log, LogDescription, Provider } from "ethers";

/**
 * The pool's events as the auditor reads them: decoded from raw logs with the pool's ABI
 * (browser-safe: ethers only, the ABI is injected). Fields the waterfall contract added
 * (DESIGN §9: markTotal, status, paid) are optional, so a pool of the earlier contract still
 * audits, with what it does not have left out.
 */
interface EventBase<N extends string, A> {
  name: N;
  args: A;
  blockNumber: number;
  logIndex: number;
  transactionHash: string;
}

export type AuditEvent =
  | EventBase<"RiskPublished", { epoch: number; riskRoot: bigint }>
  | EventBase<"SolvencyBatchAccepted", {
    epoch: number; batchIndex: number; isLast: boolean; accountsRoot: bigint; stressTotal: bigint; markTotal?: bigint;
    prevTotalsCommitment: bigint; totalsCommitment: bigint;
  }>
  | EventBase<"EpochOpened", { epoch: number; riskRoot: bigint; accountsRoot: bigint; stressTotal: bigint; markTotal?: bigint; poolBalance: bigint; status?: number }>
  | EventBase<"EpochClosed", { epoch: number }>
  | EventBase<"LpWithdrawalsFrozen", { epoch: number; stressTotal: bigint; poolBalance: bigint }>
  | EventBase<"HaircutSet", { epoch: number; poolBalance: bigint; markTotal: bigint }>
  | EventBase<"Settled", { epoch: number; nullifier: bigint; recipient: string; amount: bigint; paid?: bigint }>
  | EventBase<"Liquidated", { epoch: number; tag: bigint; penalty: bigint; deficit: bigint }>
  | EventBase<"WaterfallStep", { epoch: number; tag: bigint; stage: number; amount: bigint; insuranceFundAfter: bigint; lpCapitalAfter: bigint }>
  | EventBase<"InsuranceFunded", { from: string; amount: bigint; insuranceFundAfter: bigint }>
  | EventBase<"CollateralDeposited", { depositor: string; amount: bigint }>
  | EventBase<"LiquidityDeposited", { provider: string; amount: bigint; shares: bigint }>
  | EventBase<"LiquidityWithdrawn", { provider: string; shares: bigint; amount: bigint }>;

export type AuditEventName = AuditEvent["name"];
export type EventOf<N extends AuditEventName> = Extract<AuditEvent, { name: N }>;

const KNOWN = new Set<string>([
  "RiskPublished", "SolvencyBatchAccepted", "EpochOpened", "EpochClosed", "LpWithdrawalsFrozen", "HaircutSet", "Settled",
  "Liquidated", "WaterfallStep", "InsuranceFunded", "CollateralDeposited", "LiquidityDeposited", "LiquidityWithdrawn",
]);

/** One log decoded (uint32 / uint8 as numbers, other integers as bigints), or undefined when it is not an audited pool event. */
export function decodeAuditEvent(iface: Interface, log: Log): AuditEvent | undefined {
  let parsed: LogDescription | null;
  try {
    parsed = iface.parseLog({ topics: [...log.topics], data: log.data });
  } catch {
    return undefined;
  }
  if (!parsed || !KNOWN.has(parsed.name)) return undefined;
  const args: Record<string, bigint | number | string | boolean> = {};
  parsed.fragment.inputs.forEach((input, i) => {
    const v: unknown = parsed.args[i];
    if (input.type === "uint32" || input.type === "uint8") args[input.name] = Number(v);
    else if (typeof v === "bigint" || typeof v === "string" || typeof v === "boolean") args[input.name] = v;
    else if (typeof v === "number") args[input.name] = BigInt(v);
  });
  return { name: parsed.name, args, blockNumber: log.blockNumber, logIndex: log.index, transactionHash: log.transactionHash } as AuditEvent;
}

/** The pool's audited events from `fromBlock` to the latest block, in chain order. */
export async function readPoolEvents(provider: Provider, iface: Interface, address: string, fromBlock = 0): Promise<AuditEvent[]> {
  const logs = await provider.getLogs({ address, fromBlock, toBlock: "latest" });
  return logs
    .map((l) => decodeAuditEvent(iface, l))
    .filter((e): e is AuditEvent => e !== undefined)
    .sort((a, b) => a.blockNumber - b.blockNumber || a.logIndex - b.logIndex);
}

/** The events of one kind (optionally of one epoch). */
export function eventsNamed<N extends AuditEventName>(events: readonly AuditEvent[], name: N, epoch?: number): EventOf<N>[] {
  return events.filter((e): e is EventOf<N> => e.name === name && (epoch === undefined || ("epoch" in e.args && e.args.epoch === epoch)));
}
