/**
 * What the on-chain commands share: the --rpc-url / --private-key / --pool options, connecting,
 * opening the pool, loading a proof file checked off-chain first, and the epoch status wording.
 */
import { getAddress, isAddress, JsonRpcProvider, NonceManager, Wallet } from "ethers";
import { connectChain } from "../chain/localChain.js";
import type { EpochStanding, RiskSharingPoolClient } from "../chain/riskSharingPool.js";
import { Fields, InputError } from "../io/json.js";
import { readTagged } from "../io/jsonFile.js";
import { CIRCUIT_SETS as POOL_CIRCUIT_SETS, type PoolCircuits } from "../protocol/circuitCatalog.js";
import { type EpochStatus, haircutRatio } from "../protocol/poolEvents.js";
import { verifyProofFile } from "./commands/verify.js";
import { type Args, type Context, UsageError } from "./framework.js";
import { type LoadedProof, loadProof } from "./inputs.js";


export const RPC_OPTION = { "rpc-url": { type: "string", arg: "url", description: "JSON-RPC endpoint (or env ZKRS_RPC_URL)" } } as const;
export const KEY_OPTION = { "private-key": { type: "string", arg: "0x...", description: "sender's key (or env ZKRS_PRIVATE_KEY; prefer the env variable)" } } as const;
export const POOL_OPTION = {
  pool: { type: "string", arg: "0x...|pool.json", description: "the pool: its address, or the deployment file `zkrs deploy --out` wrote", required: true },
  circuits: { type: "string", arg: "test|reference", description: "the pool's circuits (default: from the deployment file, else reference)" },
} as const;

/** The pool circuits of each --circuits value. */
export const CIRCUIT_SETS: Readonly<Record<string, PoolCircuits>> = POOL_CIRCUIT_SETS;

export function rpcUrl(args: Args): string {
  const url = args.optionalString("rpc-url") ?? args.env.ZKRS_RPC_URL;
  if (!url) throw new UsageError("missing --rpc-url (or env ZKRS_RPC_URL): on-chain commands need a JSON-RPC endpoint", args.command);
  if (!/^(https?|wss?):\/\/./.test(url)) throw new InputError(`--rpc-url "${url}" is not an http(s):// or ws(s):// URL`);
  return url;
}

export function privateKey(args: Args): string {
  const key = args.optionalString("private-key") ?? args.env.ZKRS_PRIVATE_KEY;
  if (!key) throw new UsageError("missing --private-key (or env ZKRS_PRIVATE_KEY): this command sends a transaction", args.command);
  const hex = key.startsWith("0x") ? key : `0x${key}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new InputError("--private-key is not a 32-byte hex key (0x + 64 hex digits)");
  return hex;
}

export interface PoolRef {
  address: string;
  circuits: PoolCircuits;
  /** Chain id recorded in the deployment file. */
  chainId?: bigint;
  /** Block the deployment file recorded (events start after it). */
  block?: number;
  file?: string;
}

export function poolRef(args: Args): PoolRef {
  const value = args.string("pool");
  let ref: PoolRef;
  if (/^0x[0-9a-fA-F]*$/.test(value)) {
    if (!isAddress(value)) throw new InputError(`--pool "${value}" is not an address (0x followed by 40 hex digits, valid checksum)`);
    ref = { address: getAddress(value), circuits: CIRCUIT_SETS.reference };
  } else {
    const f = new Fields(value, readTagged(value, ["deployment"], "--pool").data);
    const c = f.object("circuits");
    const address = f.string("pool", /^0x[0-9a-fA-F]{40}$/, "an address");
    ref = { address: getAddress(address.toLowerCase()), circuits: { margin: c.string("margin"), solvency: c.string("solvency"), liquidation: c.string("liquidation"), riskTable: c.string("riskTable"), exit: c.string("exit") }, chainId: f.bigint("chainId", { min: 0n }), file: value,
      block: f.has("block") ? f.int("block", 0, Number.MAX_SAFE_INTEGER) : undefined };
  }
  if (args.has("circuits")) {
    const set = CIRCUIT_SETS[args.string("circuits")];
    if (!set) throw new UsageError(`--circuits must be "test" or "reference", got "${args.string("circuits")}"`, args.command);
    ref.circuits = set;
  }
  return ref;
}

// ------------------------------------------------------------------------------ connecting

interface Conn {
  rpcUrl: string;
  provider: JsonRpcProvider;
}

/**
 * Connects (with the library's clear "RPC ... is unreachable" error), then talks through a
 * provider without ethers' 250 ms request cache, so a read right after a transaction, or the
 * next nonce, is never stale.
 */
export async function onChain<T>(_ctx: Context, url: string, fn: (chain: Conn) => Promise<T>): Promise<T> {
  const probe = await connectChain(url);
  await probe.stop();
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1, pollingInterval: 100 });
  try {
    return await fn({ rpcUrl: url, provider });
  } finally {
    provider.destroy();
  }
}

export async function openPool(_ctx: Context, chain: Conn, ref: PoolRef, key?: string): Promise<{ pool: RiskSharingPoolClient; signer?: NonceManager; chainId: bigint }> {
  const { chainId } = await chain.provider.getNetwork();
  if (ref.chainId !== undefined && ref.chainId !== chainId) {
    throw new InputError(`${ref.file}: the pool was deployed on chain ${ref.chainId}, ${chain.rpcUrl} is chain ${chainId}`);
  }
  const code = await chain.provider.getCode(ref.address);
  if (code === "0x") throw new InputError(`--pool ${ref.address}: no contract at this address on chain ${chainId} (${chain.rpcUrl})`);
  const { RiskSharingPoolClient } = await import("../chain/riskSharingPool.js");
  const signer = key ? new NonceManager(new Wallet(key, chain.provider)) : undefined;
  const pool = new RiskSharingPoolClient(ref.address, signer ?? chain.provider);
  return { pool, signer, chainId };
}

export function gas(results: readonly { gasUsed: bigint }[]): bigint {
  return results.reduce((a, r) => a + r.gasUsed, 0n);
}

/**
 * Loads a proof file of one kind, checks it was made with the circuit the pool verifies, and
 * verifies it off-chain, so a bad file fails here with its reason instead of as a revert.
 */
export async function loadVerifiedProof<K extends LoadedProof["kind"]>(ctx: Context, file: string, kind: K, poolCircuit: string): Promise<Extract<LoadedProof, { kind: K }>> {
  const loaded = loadProof(file, "--proof", [kind]);
  if (loaded.kind !== kind) throw new Error(`${file}: expected a ${kind} file`);
  if (loaded.proof.circuit !== poolCircuit) throw new InputError(`${file} was proven with circuit ${loaded.proof.circuit}, the pool verifies ${poolCircuit} (see --circuits)`);
  const verdict = await ctx.step(`checking ${file} off-chain`, () => verifyProofFile(loaded));
  if (!verdict.valid) throw new InputError(`${file}: invalid ${kind} proof: ${verdict.reason}`);
  return loaded as Extract<LoadedProof, { kind: K }>;
}

/** An accepted epoch's status for people: solvent / stressed: LP withdrawals frozen / haircut: ratio. */
export function describeStatus(status: EpochStatus, standing: Pick<EpochStanding, "haircutNum" | "haircutDen">): string {
  if (status === "stressed") return "stressed: LP withdrawals frozen";
  if (status === "haircut") return `haircut: ${haircutRatio(standing.haircutNum, standing.haircutDen)} (settlements pay amount * ${standing.haircutNum} / ${standing.haircutDen}; LP withdrawals frozen)`;
  return "solvent";
}
