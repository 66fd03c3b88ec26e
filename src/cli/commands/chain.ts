import { existsSync } from "node:fs";
import { getAddress, Interface, isAddress, JsonRpcProvider, NonceManager, Wallet } from "ethers";
import type { Groth16Proof } from "snarkjs";
import { accountCommitment, type AccountOpening } from "../../accounts/account.js";
import { rootFromPath } from "../../accounts/merkleTree.js";
import { findCircuit } from "../../build/circuitCatalog.js";
import { connectChain } from "../../chain/localChain.js";
import type { PoolCircuits, PoolEvent, RiskSharingPoolClient } from "../../chain/riskSharingPool.js";
import { decodeAccount, decodeOpening } from "../../io/formats.js";
import { Fields, FORMATS, InputError, readTagged } from "../../io/json.js";
import { jsonOutput, writeOutputs } from "../../io/output.js";
import type { SolidityProof } from "../../proof/solidityProof.js";
import { commitRiskTable } from "../../risk/riskCommitment.js";
import { type Args, type Command, type CommandResult, type Context, JSON_OPTION, UsageError } from "../framework.js";
import { loadPath, loadProof, loadTable } from "../inputs.js";
import { proverModules } from "../lazy.js";
import { verifyProofFile } from "./verify.js";

// ------------------------------------------------------------------------------ options

const RPC_OPTION = { "rpc-url": { type: "string", arg: "url", description: "JSON-RPC endpoint (or env ZKRS_RPC_URL)" } } as const;
const KEY_OPTION = { "private-key": { type: "string", arg: "0x...", description: "sender's key (or env ZKRS_PRIVATE_KEY; prefer the env variable)" } } as const;
const POOL_OPTION = {
  pool: { type: "string", arg: "0x...|pool.json", description: "the pool: its address, or the deployment file `zkrs deploy --out` wrote", required: true },
  circuits: { type: "string", arg: "test|reference", description: "the pool's circuits (default: from the deployment file, else reference)" },
} as const;

const CIRCUIT_SETS: Record<string, PoolCircuits> = {
  test: { margin: "margin_test", solvency: "solvency_test" },
  reference: { margin: "margin", solvency: "solvency" },
};

function rpcUrl(args: Args): string {
  const url = args.optionalString("rpc-url") ?? process.env.ZKRS_RPC_URL;
  if (!url) throw new UsageError("missing --rpc-url (or env ZKRS_RPC_URL): on-chain commands need a JSON-RPC endpoint", args.command);
  if (!/^(https?|wss?):\/\/./.test(url)) throw new InputError(`--rpc-url "${url}" is not an http(s):// or ws(s):// URL`);
  return url;
}

function privateKey(args: Args): string {
  const key = args.optionalString("private-key") ?? process.env.ZKRS_PRIVATE_KEY;
  if (!key) throw new UsageError("missing --private-key (or env ZKRS_PRIVATE_KEY): this command sends a transaction", args.command);
  const hex = key.startsWith("0x") ? key : `0x${key}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) throw new InputError("--private-key is not a 32-byte hex key (0x + 64 hex digits)");
  return hex;
}

interface PoolRef {
  address: string;
  circuits: PoolCircuits;
  /** Chain id recorded in the deployment file. */
  chainId?: bigint;
  /** Block the deployment file recorded (events start after it). */
  block?: number;
  file?: string;
}

function poolRef(args: Args): PoolRef {
  const value = args.string("pool");
  let ref: PoolRef;
  if (/^0x[0-9a-fA-F]*$/.test(value)) {
    if (!isAddress(value)) throw new InputError(`--pool "${value}" is not an address (0x followed by 40 hex digits, valid checksum)`);
    ref = { address: getAddress(value), circuits: CIRCUIT_SETS.reference };
  } else {
    const f = new Fields(value, readTagged(value, ["deployment"], "--pool").data);
    const c = f.object("circuits");
    const address = f.string("pool", /^0x[0-9a-fA-F]{40}$/, "an address");
    ref = { address: getAddress(address.toLowerCase()), circuits: { margin: c.string("margin"), solvency: c.string("solvency") }, chainId: f.bigint("chainId", { min: 0n }), file: value,
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
async function onChain<T>(_ctx: Context, url: string, fn: (chain: Conn) => Promise<T>): Promise<T> {
  const probe = await connectChain(url);
  await probe.stop();
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1, pollingInterval: 100 });
  try {
    return await fn({ rpcUrl: url, provider });
  } finally {
    provider.destroy();
  }
}

async function openPool(_ctx: Context, chain: Conn, ref: PoolRef, key?: string): Promise<{ pool: RiskSharingPoolClient; signer?: NonceManager; chainId: bigint }> {
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

function gas(results: readonly { gasUsed: bigint }[]): bigint {
  return results.reduce((a, r) => a + r.gasUsed, 0n);
}

// ------------------------------------------------------------------------------ audit helpers

/** A Solidity-layout proof back in snarkjs' layout (G2 coordinates swapped back), for off-chain verification. */
function fromSolidityProof(p: SolidityProof): Groth16Proof {
  const s = (x: bigint): string => x.toString();
  return {
    pi_a: [s(p.a[0]), s(p.a[1]), "1"],
    pi_b: [[s(p.b[0][1]), s(p.b[0][0])], [s(p.b[1][1]), s(p.b[1][0])], ["1", "0"]],
    pi_c: [s(p.c[0]), s(p.c[1]), "1"],
    protocol: "groth16",
    curve: "bn128",
  };
}

interface CallProof {
  proof: Groth16Proof;
  args: readonly unknown[];
}

/** The proof points a pool transaction carried, read back from its calldata. */
async function proofFromTx(provider: JsonRpcProvider, iface: Interface, hash: string, method: string): Promise<CallProof> {
  const tx = await provider.getTransaction(hash);
  if (!tx) throw new Error(`transaction ${hash} is not available from the node`);
  const parsed = iface.parseTransaction({ data: tx.data });
  if (!parsed || parsed.name !== method) throw new Error(`transaction ${hash} is not a direct ${method} call (sent through another contract?)`);
  const raw = parsed.args[parsed.args.length - 1] as { a: bigint[]; b: bigint[][]; c: bigint[] };
  const solidity: SolidityProof = {
    a: [raw.a[0], raw.a[1]], b: [[raw.b[0][0], raw.b[0][1]], [raw.b[1][0], raw.b[1][1]]], c: [raw.c[0], raw.c[1]],
  };
  return { proof: fromSolidityProof(solidity), args: [...parsed.args] };
}

interface Check {
  ok: boolean;
  what: string;
  detail?: string;
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
      out: { type: "string", arg: "pool.json", description: "deployment file to write (zkrs/deployment@1), usable as --pool" },
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
      const out = args.optionalString("out");
      if (out && existsSync(out)) throw new InputError(`${out} exists already (a deployment file is not overwritten; pick another --out)`);
      const { deployPool, verifierArtifact } = await import("../../chain/riskSharingPool.js");
      const { loadContractArtifact } = await import("../../build/manifest.js");
      for (const name of ["RiskSharingPool", ...(token ? [] : ["TestToken"]), verifierArtifact(circuits.margin), verifierArtifact(circuits.solvency)]) {
        try {
          loadContractArtifact(name);
        } catch (err) {
          throw new InputError(`${(err as Error).message} (run \`zkrs setup${set === "test" ? " --set test" : ""}\`)`);
        }
      }
      return onChain(ctx, url, async (chain) => {
        const { chainId } = await chain.provider.getNetwork();
        const wallet = new Wallet(key, chain.provider);
        const d = await ctx.step(`deploying RiskSharingPool (${set} circuits) on chain ${chainId}`, () =>
          deployPool({ signer: new NonceManager(wallet), token, oracle, operator, circuits }));
        const block = await chain.provider.getBlockNumber();
        const deployment = {
          format: FORMATS.deployment, chainId: chainId.toString(), pool: d.pool.address, token: d.token,
          marginVerifier: d.marginVerifier, solvencyVerifier: d.solvencyVerifier, circuits, deployer: wallet.address, block,
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
      proof: { type: "string", arg: "solvency.json", description: "solvency proof (zkrs/solvency-proof@1)", required: true },
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const url = rpcUrl(args);
      const key = privateKey(args);
      const ref = poolRef(args);
      const file = args.string("proof");
      const loaded = loadProof(file, "--proof", ["solvencyProof"]);
      if (loaded.kind !== "solvencyProof") throw new Error("unreachable");
      const proof = loaded.proof;
      if (proof.circuit !== ref.circuits.solvency) throw new InputError(`${file} was proven with circuit ${proof.circuit}, the pool verifies ${ref.circuits.solvency} (see --circuits)`);
      const verdict = await ctx.step(`checking ${file} off-chain`, () => verifyProofFile(loaded));
      if (!verdict.valid) throw new InputError(`${file}: invalid solvency proof: ${verdict.reason}`);
      return onChain(ctx, url, async (chain) => {
        const { pool } = await openPool(ctx, chain, ref, key);
        const info = await pool.epochInfo(proof.epoch);
        if (info.riskRoot === 0n) throw new InputError(`epoch ${proof.epoch} has no published riskRoot on the pool (run \`zkrs publish\` first)`);
        if (info.riskRoot !== proof.riskRoot) throw new InputError(`${file} is against riskRoot ${proof.riskRoot}, the pool's epoch ${proof.epoch} has ${info.riskRoot}`);
        if (info.settleable) throw new InputError(`the pool accepted epoch ${proof.epoch}'s solvency already (accountsRoot ${info.openAccountsRoot})`);
        const cursor = await pool.solvencyCursor(proof.epoch);
        const start = cursor.nextBatch > 0 && cursor.accountsRoot === proof.accountsRoot ? cursor.nextBatch : 0;
        if (start > 0) ctx.log(`  batches 0..${start - 1} were accepted already: resuming at batch ${start}`);
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
        return {
          json: {
            pool: ref.address, epoch: proof.epoch, accountsRoot: proof.accountsRoot.toString(), liabilitiesBound: proof.liabilitiesBound.toString(),
            poolBalance: balance.toString(), batches: results.map((r) => ({ tx: r.hash, gasUsed: r.gasUsed.toString() })), gasUsed: gas(results).toString(),
          },
          human: [
            `epoch ${proof.epoch} solvency accepted: liabilities <= ${proof.liabilitiesBound}, pool balance ${balance} (headroom ${balance - proof.liabilitiesBound})`,
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
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const url = rpcUrl(args);
      const key = privateKey(args);
      const ref = poolRef(args);
      const file = args.string("proof");
      const loaded = loadProof(file, "--proof", ["marginProof"]);
      if (loaded.kind !== "marginProof") throw new Error("unreachable");
      const proof = loaded.proof;
      const s = proof.statement;
      if (proof.circuit !== ref.circuits.margin) throw new InputError(`${file} was proven with circuit ${proof.circuit}, the pool verifies ${ref.circuits.margin} (see --circuits)`);
      const verdict = await ctx.step(`checking ${file} off-chain`, () => verifyProofFile(loaded));
      if (!verdict.valid) throw new InputError(`${file}: invalid margin proof: ${verdict.reason}`);
      return onChain(ctx, url, async (chain) => {
        const { pool } = await openPool(ctx, chain, ref, key);
        const info = await pool.epochInfo(s.epoch);
        if (!info.settleable) throw new InputError(`epoch ${s.epoch} is not open for settlement on the pool (no accepted solvency proof yet, or a later epoch was published)`);
        if (info.riskRoot !== s.riskRoot) throw new InputError(`${file} is against riskRoot ${s.riskRoot}, the pool's epoch ${s.epoch} has ${info.riskRoot}`);
        if (info.openAccountsRoot !== s.accountsRoot) throw new InputError(`${file} is against accountsRoot ${s.accountsRoot}, the pool's epoch ${s.epoch} has ${info.openAccountsRoot}`);
        if (await pool.nullifierUsed(s.nullifier)) throw new InputError(`${file}: this account settled in epoch ${s.epoch} already (nullifier used)`);
        const r = await ctx.step(`settling ${s.amount} to ${s.recipient} (epoch ${s.epoch})`, () => pool.settle(proof));
        return {
          json: { pool: ref.address, epoch: s.epoch, nullifier: s.nullifier.toString(), recipient: s.recipient, amount: s.amount.toString(), tx: r.hash, gasUsed: r.gasUsed.toString() },
          human: [`settled: paid ${s.amount} to ${s.recipient} (epoch ${s.epoch})`, `  tx ${r.hash} (${r.gasUsed} gas)`],
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
      "chain; compares the pool's balance with the accepted bound (headroom); with --account and --path,",
      "checks your account is in the epoch's accountsRoot. Exit 1 when any check fails. Reads only.",
    ],
    options: {
      ...RPC_OPTION, ...POOL_OPTION,
      epoch: { type: "string", arg: "n", description: "epoch to audit", required: true },
      table: { type: "string", arg: "table.json", description: "the published risk table, to re-derive riskRoot" },
      account: { type: "string", arg: "acct.json", description: "your account (or its opening), to check inclusion" },
      path: { type: "string", arg: "path.json", description: "your inclusion path (with --account)" },
      "from-block": { type: "string", arg: "n", description: "first block to scan for events (default: the deployment's, else 0)" },
      ...JSON_OPTION,
    },
    async run(ctx, args): Promise<CommandResult> {
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
      }
      const path = pathFile ? loadPath(pathFile) : undefined;
      const fromBlock = args.int("from-block", 0, Number.MAX_SAFE_INTEGER, ref.block !== undefined ? Math.max(0, ref.block - 16) : 0);
      const margin = findCircuit(ref.circuits.margin);
      const solvency = findCircuit(ref.circuits.solvency);

      return onChain(ctx, url, async (chain) => {
        const { pool } = await openPool(ctx, chain, ref);
        const checks: Check[] = [];
        const check = (ok: boolean, what: string, detail?: string): boolean => {
          checks.push({ ok, what, detail });
          return ok;
        };
        const [state, events] = await ctx.step(`reading pool ${ref.address}`, () => Promise.all([pool.state(), pool.events(fromBlock)]));
        const mine = events.filter((e) => "epoch" in e.args && e.args.epoch === epoch);
        const published = mine.find((e): e is Extract<PoolEvent, { name: "RiskPublished" }> => e.name === "RiskPublished");
        const batches = mine.filter((e): e is Extract<PoolEvent, { name: "SolvencyBatchAccepted" }> => e.name === "SolvencyBatchAccepted");
        const opened = mine.find((e): e is Extract<PoolEvent, { name: "EpochOpened" }> => e.name === "EpochOpened");
        const settled = mine.filter((e): e is Extract<PoolEvent, { name: "Settled" }> => e.name === "Settled");
        const closed = mine.some((e) => e.name === "EpochClosed");

        // 1. risk root
        const riskRoot = published?.args.riskRoot;
        if (check(riskRoot !== undefined, `risk root of epoch ${epoch} published`, riskRoot?.toString()) && table) {
          const derived = commitRiskTable(table, margin.params.logInstruments).riskRoot;
          check(table.epoch === epoch && derived === riskRoot, `riskRoot re-derived from ${tableFile} matches the published one`,
            table.epoch !== epoch ? `${tableFile} is for epoch ${table.epoch}` : derived === riskRoot ? undefined : `derived ${derived}`);
        }

        // 2. solvency batches, re-verified from their transactions
        const { prover } = await proverModules();
        const iface = new Interface(pool.interface.fragments);
        let batchesOk = batches.length > 0;
        check(batches.length > 0, `solvency batches posted for epoch ${epoch}`, `${batches.length}`);
        await ctx.step(`re-verifying ${batches.length} solvency batch proof(s) and ${settled.length} settlement proof(s) off-chain`, async () => {
          for (const [k, b] of batches.entries()) {
            const a = b.args;
            const chained = a.batchIndex === k && (k === 0 || a.prevTotalsCommitment === batches[k - 1].args.totalsCommitment) && a.isLast === (k === batches.length - 1);
            const { proof } = await proofFromTx(chain.provider, iface, b.transactionHash, "postSolvency");
            const signals = [BigInt(epoch), riskRoot ?? 0n, a.accountsRoot, a.liabilitiesBound, BigInt(a.batchIndex), a.isLast ? 1n : 0n, a.prevTotalsCommitment, a.totalsCommitment].map(String);
            const valid = await prover.verifyGroth16(solvency.name, signals, proof);
            batchesOk = batchesOk && chained && valid;
            check(chained && valid, `solvency batch ${a.batchIndex} re-verified (${solvency.name})`, !chained ? "batches out of order or not chained" : valid ? undefined : "proof does not verify");
          }
          for (const s of settled) {
            const { proof } = await proofFromTx(chain.provider, iface, s.transactionHash, "settle");
            const accountsRoot = opened?.args.accountsRoot ?? 0n;
            const signals = [BigInt(epoch), riskRoot ?? 0n, accountsRoot, s.args.nullifier, BigInt(s.args.recipient), s.args.amount].map(String);
            const valid = await prover.verifyGroth16(margin.name, signals, proof);
            check(valid, `settlement of ${s.args.amount} to ${s.args.recipient} re-verified (${margin.name})`, valid ? undefined : "proof does not verify");
          }
        });

        // 3. acceptance and headroom
        const bound = opened?.args.liabilitiesBound;
        if (check(opened !== undefined, `epoch ${epoch} solvency accepted (opened for settlement)`, opened ? `accountsRoot ${opened.args.accountsRoot}` : "no EpochOpened event")) {
          const o = opened as Extract<PoolEvent, { name: "EpochOpened" }>;
          check(o.args.poolBalance >= o.args.liabilitiesBound, "pool balance covered the bound when accepted", `balance ${o.args.poolBalance}, bound ${o.args.liabilitiesBound}`);
        }
        const paid = settled.reduce((t, s) => t + s.args.amount, 0n);
        const isLatest = state.latestAcceptedEpoch === epoch;
        // Each settlement pays a compliant account out of its own equity, so it lowers the proven
        // liabilities by what it pays: what the pool must still hold is the locked amount less that.
        const mustHold = isLatest ? state.lockedBalance - paid : undefined;
        if (bound !== undefined && mustHold !== undefined) {
          check(state.poolBalance >= mustHold, "pool balance now covers the bound (less this epoch's settlements) and uncovered deposits",
            `balance ${state.poolBalance}, must hold ${mustHold}, headroom ${state.poolBalance - mustHold}`);
        }

        // 4. account inclusion
        let inclusion: boolean | undefined;
        if (account && path && pathFile) {
          const accountsRoot = opened?.args.accountsRoot;
          const leaf = accountCommitment(account, path.positionSlots);
          const root = rootFromPath(leaf, path.path);
          inclusion = path.epoch === epoch && accountsRoot !== undefined && root === accountsRoot;
          check(inclusion, `your account (${accountFile}) is in epoch ${epoch}'s accountsRoot`,
            path.epoch !== epoch ? `${pathFile} is for epoch ${path.epoch}` : accountsRoot === undefined ? "no accepted accountsRoot" :
            root === accountsRoot ? `leaf ${path.path.index}` : leaf !== path.leaf ? "your account differs from the leaf the operator put in the tree (altered?)" : "the path leads to another root (omitted?)");
        }

        const failed = checks.filter((c) => !c.ok);
        const json = {
          ok: failed.length === 0, pool: ref.address, epoch,
          riskRoot: riskRoot?.toString(), accountsRoot: opened?.args.accountsRoot.toString(), liabilitiesBound: bound?.toString(),
          poolBalanceAtAcceptance: opened?.args.poolBalance.toString(), poolBalance: state.poolBalance.toString(), lockedBalance: state.lockedBalance.toString(),
          mustHold: mustHold?.toString(), headroom: mustHold !== undefined ? (state.poolBalance - mustHold).toString() : undefined,
          latestAcceptedEpoch: state.latestAcceptedEpoch, settlementOpen: opened !== undefined && !closed,
          batches: batches.length, settlements: settled.length, settledAmount: paid.toString(), accountIncluded: inclusion,
          checks,
        };
        const human = [
          `solvency audit of pool ${ref.address}, epoch ${epoch}`,
          ...checks.map((c) => `  [${c.ok ? "ok" : "FAIL"}] ${c.what}${c.detail ? `: ${c.detail}` : ""}`),
          `  liabilities bound ${bound ?? "-"}; pool balance ${state.poolBalance}${mustHold !== undefined ? `; must hold ${mustHold}; headroom ${json.headroom}` : ` (epoch ${epoch} is not the latest accepted one)`}`,
          `  settlements: ${settled.length} paying ${paid} in total; settlement ${json.settlementOpen ? "open" : "closed"}`,
          failed.length === 0 ? "audit passed" : `audit FAILED (${failed.length} check(s))`,
        ];
        if (failed.length > 0) return { json, human, exitCode: 1, message: `audit of epoch ${epoch} failed: ${failed[0].what}${failed[0].detail ? ` (${failed[0].detail})` : ""}` };
        return { json, human };
      });
    },
  },
];
