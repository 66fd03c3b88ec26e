import { existsSync } from "node:fs";
import { getAddress, isAddress, JsonRpcProvider, NonceManager, Wallet } from "ethers";
import type { AccountOpening } from "../../accounts/account.js";
import { findCircuit } from "../../protocol/circuitCatalog.js";
import { ANVIL_CHAIN_ID, connectChain } from "../../chain/localChain.js";
import { expectedStatus, haircutPayment } from "../../auditor/epochStatus.js";
import type { EpochStanding, PoolCircuits, RiskSharingPoolClient } from "../../chain/riskSharingPool.js";
import { type EpochStatus, haircutRatio } from "../../protocol/poolEvents.js";
import { decodeAccount, decodeOpening } from "../../io/formats.js";
import { Fields, FORMATS, InputError } from "../../io/json.js";
import { readTagged } from "../../io/jsonFile.js";
import { jsonOutput, writeOutputs } from "../../io/output.js";
import { commitRiskTable } from "../../risk/riskCommitment.js";
import { type Args, type Command, type CommandResult, type Context, JSON_OPTION, UsageError } from "../framework.js";
import { type LoadedProof, loadPath, loadProof, loadTable, warnIfShared } from "../inputs.js";
import { markProverLoaded } from "../lazy.js";
import { verifyProofFile } from "./verify.js";

// ------------------------------------------------------------------------------ options

export const RPC_OPTION = { "rpc-url": { type: "string", arg: "url", description: "JSON-RPC endpoint (or env ZKRS_RPC_URL)" } } as const;
export const KEY_OPTION = { "private-key": { type: "string", arg: "0x...", description: "sender's key (or env ZKRS_PRIVATE_KEY; prefer the env variable)" } } as const;
export const POOL_OPTION = {
  pool: { type: "string", arg: "0x...|pool.json", description: "the pool: its address, or the deployment file `zkrs deploy --out` wrote", required: true },
  circuits: { type: "string", arg: "test|reference", description: "the pool's circuits (default: from the deployment file, else reference)" },
} as const;

const CIRCUIT_SETS: Record<string, PoolCircuits> = {
  test: { margin: "margin_test", solvency: "solvency_test", liquidation: "liquidation_test" },
  reference: { margin: "margin", solvency: "solvency", liquidation: "liquidation" },
};

export function rpcUrl(args: Args): string {
  const url = args.optionalString("rpc-url") ?? process.env.ZKRS_RPC_URL;
  if (!url) throw new UsageError("missing --rpc-url (or env ZKRS_RPC_URL): on-chain commands need a JSON-RPC endpoint", args.command);
  if (!/^(https?|wss?):\/\/./.test(url)) throw new InputError(`--rpc-url "${url}" is not an http(s):// or ws(s):// URL`);
  return url;
}

export function privateKey(args: Args): string {
  const key = args.optionalString("private-key") ?? process.env.ZKRS_PRIVATE_KEY;
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
    ref = { address: getAddress(address.toLowerCase()), circuits: { margin: c.string("margin"), solvency: c.string("solvency"), liquidation: c.string("liquidation") }, chainId: f.bigint("chainId", { min: 0n }), file: value,
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
  const { RiskSharingPoolClient } = await import("../../chain/riskSharingPool.js");
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

// ------------------------------------------------------------------------------ commands

export const chainCommands: Command[] = [
  {
    path: ["deploy"],
    summary: "Protocol engineer: deploy a RiskSharingPool (and a test token and the verifiers unless given); write a deployment file.",
    details: ["The sender becomes the admin and, unless --oracle / --operator are given, the risk oracle and the operator."],
    options: {
      ...RPC_OPTION, ...KEY_OPTION,
      circuits: { type: "string", arg: "test|reference", description: "whose verifiers to deploy (default: reference)" },
      token: { type: "string", arg: "0x...", description: "collateral ERC-20 (default: deploy a TestToken)" },
      oracle: { type: "string", arg: "0x...", description: "risk oracle address (default: the sender)" },
      operator: { type: "string", arg: "0x...", description: "operator address (default: the sender)" },
      out: { type: "string", arg: "pool.json", description: "deployment file to write (zkrs/deployment@2), usable as --pool" },
      "allow-insecure-keys": { type: "boolean", description: "deploy verifiers of an insecure development setup on a chain other than anvil's local one (anyone can forge their proofs)" },
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const url = rpcUrl(args);
      const key = privateKey(args);
      const set = args.optionalString("circuits") ?? "reference";
      const circuits = CIRCUIT_SETS[set];
      if (!circuits) throw new UsageError(`--circuits must be "test" or "reference", got "${set}"`, args.command);
      const opt = (name: string): string | undefined => (args.has(name) ? args.address(name) : undefined);
      const token = opt("token");
      const oracle = opt("oracle");
      const operator = opt("operator");
      const out = args.optionalOutFile("out");
      if (out && existsSync(out)) throw new InputError(`${out} exists already (a deployment file is not overwritten; pick another --out)`);
      const { deployPool, verifierArtifact } = await import("../../chain/riskSharingPool.js");
      const { loadContractArtifact, readManifest } = await import("../../artifacts/manifest.js");
      const manifest = readManifest();
      const insecure = [circuits.margin, circuits.solvency, circuits.liquidation].filter((c) => manifest.circuits[c]?.insecure);
      for (const name of ["RiskSharingPool", ...(token ? [] : ["TestToken"]), verifierArtifact(circuits.margin), verifierArtifact(circuits.solvency), verifierArtifact(circuits.liquidation)]) {
        try {
          loadContractArtifact(name);
        } catch (err) {
          throw new InputError(`${(err as Error).message} (run \`zkrs setup${set === "test" ? " --set test" : ""}\`)`);
        }
      }
      return onChain(ctx, url, async (chain) => {
        const { chainId } = await chain.provider.getNetwork();
        if (insecure.length > 0 && chainId !== ANVIL_CHAIN_ID && !args.flag("allow-insecure-keys")) {
          throw new InputError(
            `refusing to deploy on chain ${chainId}: the keys of ${insecure.join(", ")} come from the insecure development setup, whose phase 2 is a public beacon, ` +
            `so anyone can forge proofs and drain the pool; only anvil's local chain ${ANVIL_CHAIN_ID} takes them without --allow-insecure-keys ` +
            "(for money, build keys from a ceremony with secret entropy: README, Production keys)",
          );
        }
        if (insecure.length > 0) ctx.log(`warning: deploying verifiers of an insecure development setup (${insecure.join(", ")}): anyone can forge their proofs`);
        const wallet = new Wallet(key, chain.provider);
        const d = await ctx.step(`deploying RiskSharingPool (${set} circuits) on chain ${chainId}`, () =>
          deployPool({ signer: new NonceManager(wallet), token, oracle, operator, circuits }));
        const block = await chain.provider.getBlockNumber();
        const deployment = {
          format: FORMATS.deployment, chainId: chainId.toString(), pool: d.pool.address, token: d.token,
          marginVerifier: d.marginVerifier, solvencyVerifier: d.solvencyVerifier, liquidationVerifier: d.liquidationVerifier, circuits, deployer: wallet.address, block,
          contracts: d.deployed.map((c) => ({ name: c.name, address: c.address, gasUsed: c.gasUsed.toString() })),
        };
        if (out) writeOutputs([jsonOutput(out, deployment)]);
        return {
          json: { ...deployment, format: undefined, out },
          human: [
            ...d.deployed.map((c) => `  ${c.name.padEnd(22)} ${c.address}  (${c.gasUsed} gas)`),
            `pool ${d.pool.address} on chain ${chainId}${out ? `; wrote ${out}` : ""}`,
          ],
        };
      });
    },
  },
  {
    path: ["publish"],
    summary: "Risk oracle: publish the epoch's riskRoot (re-derived from the risk table) to the pool.",
    options: {
      ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
      table: { type: "string", arg: "table.json", description: "the epoch's risk table (zkrs/risk-table@1)", required: true },
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const url = rpcUrl(args);
      const key = privateKey(args);
      const ref = poolRef(args);
      const { table } = loadTable(args.string("table"));
      const margin = findCircuit(ref.circuits.margin);
      const riskRoot = commitRiskTable(table, margin.params.logInstruments).riskRoot;
      return onChain(ctx, url, async (chain) => {
        const { pool } = await openPool(ctx, chain, ref, key);
        const r = await ctx.step(`publishing riskRoot of epoch ${table.epoch}`, () => pool.publishRisk(table.epoch, riskRoot));
        return {
          json: { pool: ref.address, epoch: table.epoch, riskRoot: riskRoot.toString(), tx: r.hash, gasUsed: r.gasUsed.toString() },
          human: [`published epoch ${table.epoch} riskRoot ${riskRoot}`, `  tx ${r.hash} (${r.gasUsed} gas)`],
        };
      });
    },
  },
  {
    path: ["post"],
    summary: "Operator: post an epoch's solvency proof (every batch, in order) to the pool.",
    details: [
      "The proof is checked off-chain first, and against the pool's published riskRoot. Batches the pool",
      "accepted already (an interrupted post) are skipped. The last batch opens the epoch for settlement.",
    ],
    options: {
      ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
      proof: { type: "string", arg: "solvency.json", description: "solvency proof (zkrs/solvency-proof@3)", required: true },
      "accept-haircut": { type: "boolean", description: "open the epoch even though the pool's assets are below the proven mark liabilities (a haircut on every settlement)" },
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const url = rpcUrl(args);
      const key = privateKey(args);
      const ref = poolRef(args);
      const file = args.string("proof");
      const { proof } = await loadVerifiedProof(ctx, file, "solvency", ref.circuits.solvency);
      return onChain(ctx, url, async (chain) => {
        const { pool } = await openPool(ctx, chain, ref, key);
        const info = await pool.epochInfo(proof.epoch);
        if (info.riskRoot === 0n) throw new InputError(`epoch ${proof.epoch} has no published riskRoot on the pool (run \`zkrs publish\` first)`);
        const state = await pool.state();
        if (state.currentEpoch !== proof.epoch) {
          throw new InputError(`${file} is for epoch ${proof.epoch}, which is closed: the pool's current epoch is ${state.currentEpoch} (only the current epoch takes a solvency proof)`);
        }
        if (info.riskRoot !== proof.riskRoot) throw new InputError(`${file} is against riskRoot ${proof.riskRoot}, the pool's epoch ${proof.epoch} has ${info.riskRoot}`);
        if (info.settleable) throw new InputError(`the pool accepted epoch ${proof.epoch}'s solvency already (accountsRoot ${info.openAccountsRoot})`);
        const cursor = await pool.solvencyCursor(proof.epoch);
        const start = cursor.nextBatch > 0 && cursor.accountsRoot === proof.accountsRoot ? cursor.nextBatch : 0;
        if (start > 0) ctx.log(`  batches 0..${start - 1} were accepted already: resuming at batch ${start}`);
        // The last batch opens the epoch against the assets at that moment (the balance less the trader
        // deposits made since the risk was published): say what a haircut means before it happens.
        const assets = state.poolBalance > state.depositsSinceRisk ? state.poolBalance - state.depositsSinceRisk : 0n;
        if (expectedStatus(assets, proof.stressTotal, proof.markTotal) === "haircut") {
          const what = `the pool holds ${assets}, less than the proven mark liabilities ${proof.markTotal}: every settlement of epoch ${proof.epoch} ` +
            `would pay amount * ${assets} / ${proof.markTotal} (${haircutRatio(assets, proof.markTotal)}), and the insurance fund (${state.insuranceFund}) ` +
            `and the LP capital (${state.lpCapital}) would be written off`;
          if (!args.flag("accept-haircut")) throw new InputError(`posting ${file} would open epoch ${proof.epoch} with a haircut: ${what}; pass --accept-haircut to open it anyway`);
          ctx.log(`opening epoch ${proof.epoch} with a haircut (--accept-haircut): ${what}`);
        }
        const results = await ctx.step(`posting ${proof.batches.length - start} solvency batch(es) of epoch ${proof.epoch}`, async () => {
          const out = [];
          for (let k = start; k < proof.batches.length; k++) {
            const r = await pool.postSolvency(proof.batches[k]);
            ctx.log(`  batch ${k + 1}/${proof.batches.length} accepted (${r.gasUsed} gas)`);
            out.push(r);
          }
          return out;
        });
        const opened = results.flatMap((r) => r.events).find((e) => e.name === "EpochOpened");
        const balance = opened?.name === "EpochOpened" ? opened.args.poolBalance : await pool.poolBalance();
        const standing = await pool.epochStanding(proof.epoch);
        const status = opened?.name === "EpochOpened" ? opened.args.status : standing.status;
        return {
          json: {
            pool: ref.address, epoch: proof.epoch, accountsRoot: proof.accountsRoot.toString(), stressTotal: proof.stressTotal.toString(),
            markTotal: proof.markTotal.toString(), poolBalance: balance.toString(), status,
            ...(status === "haircut" ? { haircut: { num: standing.haircutNum.toString(), den: standing.haircutDen.toString() } } : {}),
            batches: results.map((r) => ({ tx: r.hash, gasUsed: r.gasUsed.toString() })), gasUsed: gas(results).toString(),
          },
          human: [
            `epoch ${proof.epoch} solvency accepted: liabilities at mark ${proof.markTotal}, stress total ${proof.stressTotal} (both exact), pool assets ${balance} (stress headroom ${balance - proof.stressTotal})`,
            `  status: ${describeStatus(status, standing)}`,
            `  ${results.length} transaction(s), ${gas(results)} gas; epoch open for settlement`,
          ],
        };
      });
    },
  },
  {
    path: ["settle"],
    summary: "Trader (or anyone): settle a margin proof: the pool pays its amount to its recipient.",
    options: {
      ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
      proof: { type: "string", arg: "proof.json", description: "margin proof (zkrs/margin-proof@1)", required: true },
      "accept-haircut": { type: "boolean", description: "settle in a haircut epoch: receive less than the amount (the account's nullifier for the epoch is spent all the same)" },
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const url = rpcUrl(args);
      const key = privateKey(args);
      const ref = poolRef(args);
      const file = args.string("proof");
      const { proof } = await loadVerifiedProof(ctx, file, "margin", ref.circuits.margin);
      const s = proof.statement;
      return onChain(ctx, url, async (chain) => {
        const { pool } = await openPool(ctx, chain, ref, key);
        const info = await pool.epochInfo(s.epoch);
        if (!info.settleable) throw new InputError(`epoch ${s.epoch} is not open for settlement on the pool (no accepted solvency proof yet, or a later epoch was published)`);
        if (info.riskRoot !== s.riskRoot) throw new InputError(`${file} is against riskRoot ${s.riskRoot}, the pool's epoch ${s.epoch} has ${info.riskRoot}`);
        if (info.openAccountsRoot !== s.accountsRoot) throw new InputError(`${file} is against accountsRoot ${s.accountsRoot}, the pool's epoch ${s.epoch} has ${info.openAccountsRoot}`);
        if (await pool.nullifierUsed(s.nullifier)) throw new InputError(`${file}: this account settled in epoch ${s.epoch} already (nullifier used)`);
        const standing = await pool.epochStanding(s.epoch);
        if (standing.status === "haircut") {
          const due = haircutPayment(s.amount, { num: standing.haircutNum, den: standing.haircutDen });
          const what = `epoch ${s.epoch} pays a haircut of ${haircutRatio(standing.haircutNum, standing.haircutDen)}: this settlement would pay ${due} of ${s.amount} ` +
            `and spend the account's nullifier for epoch ${s.epoch} (no second settlement this epoch)`;
          if (!args.flag("accept-haircut")) throw new InputError(`${what}; pass --accept-haircut to settle anyway`);
          ctx.log(`${what} (--accept-haircut)`);
        }
        const r = await ctx.step(`settling ${s.amount} to ${s.recipient} (epoch ${s.epoch})`, () => pool.settle(proof));
        const settled = r.events.find((e) => e.name === "Settled");
        const paid = settled?.name === "Settled" ? settled.args.paid : s.amount;
        return {
          json: {
            pool: ref.address, epoch: s.epoch, nullifier: s.nullifier.toString(), recipient: s.recipient, amount: s.amount.toString(), paid: paid.toString(),
            tx: r.hash, gasUsed: r.gasUsed.toString(),
          },
          human: [
            paid === s.amount
              ? `settled: paid ${s.amount} to ${s.recipient} (epoch ${s.epoch})`
              : `settled: paid ${paid} of ${s.amount} to ${s.recipient} (epoch ${s.epoch}, haircut)`,
            `  tx ${r.hash} (${r.gasUsed} gas)`,
          ],
        };
      });
    },
  },
  {
    path: ["deposit"],
    summary: "Trader or LP: approve and deposit collateral tokens into the pool (--lp for liquidity, for pool shares).",
    details: ["A trader's deposit is credited to their account by the operator in its ledger; an LP deposit mints pool shares."],
    options: {
      ...RPC_OPTION, ...KEY_OPTION, ...POOL_OPTION,
      amount: { type: "string", arg: "n", description: "token base units to deposit", required: true },
      lp: { type: "boolean", description: "deposit as a liquidity provider (default: trader collateral)" },
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const url = rpcUrl(args);
      const key = privateKey(args);
      const ref = poolRef(args);
      const amount = args.bigint("amount", { min: 1n, max: (1n << 128n) - 1n });
      const lp = args.flag("lp");
      return onChain(ctx, url, async (chain) => {
        const { pool, signer } = await openPool(ctx, chain, ref, key);
        const holder = await (signer as NonceManager).getAddress();
        const have = await pool.tokenBalanceOf(holder);
        if (have < amount) throw new InputError(`${holder} holds ${have} of the pool's token, less than --amount ${amount}`);
        const results = await ctx.step(`depositing ${amount} ${lp ? "as LP" : "as trader collateral"}`, async () => {
          const approve = await pool.approveToken(amount);
          const deposit = lp ? await pool.depositLiquidity(amount) : await pool.depositCollateral(amount);
          return [approve, deposit];
        });
        const balance = await pool.poolBalance();
        return {
          json: { pool: ref.address, from: holder, amount: amount.toString(), lp, poolBalance: balance.toString(), txs: results.map((r) => r.hash), gasUsed: gas(results).toString() },
          human: [`deposited ${amount} ${lp ? "as LP" : "as trader collateral"} from ${holder}; pool balance ${balance}`],
        };
      });
    },
  },
  {
    path: ["audit"],
    summary: "Auditor: a solvency report for an epoch from the chain alone (plus, optionally, the table and your account).",
    details: [
      "Re-derives riskRoot from --table and compares it with the published one; re-verifies off-chain every",
      "solvency batch proof and every settlement proof from the pool's transactions; checks the batches",
      "chain; checks the balance covered the bound when accepted and, for the latest accepted epoch, covers",
      "now the bound less the epoch's settlements plus deposits no bound covers (headroom); with --account",
      "and --path, checks your account is in the epoch's accountsRoot. Exit 1 when any check fails. Reads only.",
    ],
    options: {
      ...RPC_OPTION, ...POOL_OPTION,
      pool: { ...POOL_OPTION.pool, required: false, description: "the pool: its address, or the deployment file (required unless --serve)" },
      epoch: { type: "string", arg: "n", description: "epoch to audit (required unless --serve)" },
      serve: { type: "boolean", description: "serve the auditor's page on 127.0.0.1 instead: every epoch audited in your browser (Ctrl-C stops)" },
      port: { type: "string", arg: "n", description: "with --serve: the port (default: a free one)" },
      tables: { type: "string", arg: "file|dir", multiple: true, description: "with --serve: published risk tables (files or folders) served beside the page" },
      table: { type: "string", arg: "table.json", description: "the published risk table, to re-derive riskRoot" },
      account: { type: "string", arg: "acct.json", description: "your account (or its opening), to check inclusion" },
      path: { type: "string", arg: "path.json", description: "your inclusion path (with --account)" },
      "from-block": { type: "string", arg: "n", description: "first block to scan for events (default: the deployment's, else 0)" },
      ...JSON_OPTION,
    },
    async run(ctx, args): Promise<CommandResult> {
      if (args.flag("serve")) {
        const ref = args.has("pool") ? poolRef(args) : undefined;
        const { serveAuditorCommand } = await import("../../auditor/node/serveCommand.js");
        const set = args.optionalString("circuits") ?? (ref?.circuits.margin === CIRCUIT_SETS.test.margin ? "test" : "reference");
        const served = await serveAuditorCommand({
          rpcUrl: args.optionalString("rpc-url") ?? process.env.ZKRS_RPC_URL, pool: ref?.address, circuits: set,
          fromBlock: args.has("from-block") ? args.int("from-block", 0, Number.MAX_SAFE_INTEGER) : ref?.block === undefined ? undefined : Math.max(0, ref.block - 16),
          tables: [...args.list("tables"), ...(args.has("table") ? [args.string("table")] : [])], port: args.int("port", 0, 65535, 0),
          log: (line) => ctx.log(line), step: (label, fn) => ctx.step(label, fn),
        });
        return { json: { served: served.url }, human: [] };
      }
      const url = rpcUrl(args);
      const ref = poolRef(args);
      const epoch = args.int("epoch", 0, 2 ** 32 - 1);
      if (args.has("account") !== args.has("path")) throw new UsageError("--account and --path go together", args.command);
      const tableFile = args.optionalString("table");
      const table = tableFile ? loadTable(tableFile).table : undefined;
      let account: AccountOpening | undefined;
      const accountFile = args.optionalString("account");
      const pathFile = args.optionalString("path");
      if (accountFile) {
        const { kind, data } = readTagged(accountFile, ["account", "opening"], "--account");
        account = kind === "account" ? decodeAccount(accountFile, data) : decodeOpening(accountFile, data);
        if (kind === "account") warnIfShared(accountFile, ctx.log);
      }
      const path = pathFile ? loadPath(pathFile) : undefined;
      const fromBlock = args.int("from-block", 0, Number.MAX_SAFE_INTEGER, ref.block !== undefined ? Math.max(0, ref.block - 16) : 0);

      return onChain(ctx, url, async (chain) => {
        const { pool } = await openPool(ctx, chain, ref);
        markProverLoaded();
        const { auditEpoch, formatAuditReport } = await import("../../auditor/auditEpoch.js");
        const report = await ctx.step(`auditing epoch ${epoch} of pool ${ref.address} (events, then every proof re-verified off-chain)`, () => auditEpoch({
          pool, provider: chain.provider, epoch, circuits: ref.circuits, riskTable: table, fromBlock,
          account: account && path ? { opening: account, path: path.path, leaf: path.leaf, epoch: path.epoch } : undefined,
        }));
        const json = { ...report };
        const human = formatAuditReport(report).split("\n");
        const failed = report.checks.find((c) => !c.ok);
        if (failed) return { json, human, exitCode: 1, message: `audit of epoch ${epoch} failed: ${failed.what}${failed.detail ? ` (${failed.detail})` : ""}` };
        return { json, human };
      });
    },
  },
];
