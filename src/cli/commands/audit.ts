import type { AccountOpening } from "../../accounts/account.js";
import { decodeAccount, decodeOpening } from "../../io/formats.js";
import { readTagged } from "../../io/jsonFile.js";
import { type Command, type CommandResult, JSON_OPTION, UsageError } from "../framework.js";
import { loadPath, loadTable, warnIfShared } from "../inputs.js";
import { markProverLoaded } from "../lazy.js";
import { CIRCUIT_SETS, onChain, openPool, POOL_OPTION, poolRef, RPC_OPTION, rpcUrl } from "../onChain.js";

export const auditCommand: Command = {
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
    serve: { type: "boolean", description: "serve the auditor's page on 127.0.0.1 instead: every epoch audited in your browser; the trader's page (trader.html) beside it (Ctrl-C stops)" },
    port: { type: "string", arg: "n", description: "with --serve: the port (default: a free one)" },
    tables: { type: "string", arg: "file|dir", multiple: true, description: "with --serve: published risk tables (files or folders) served beside the page" },
    "leaf-hashes": { type: "string", arg: "file|dir", multiple: true, description: "with --serve: published leaf-hash files (files or folders, from `zkrs tree`) served beside the page" },
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
        rpcUrl: args.optionalString("rpc-url") ?? args.env.ZKRS_RPC_URL, pool: ref?.address, circuits: set,
        fromBlock: args.has("from-block") ? args.int("from-block", 0, Number.MAX_SAFE_INTEGER) : ref?.block === undefined ? undefined : Math.max(0, ref.block - 16),
        tables: [...args.list("tables"), ...(args.has("table") ? [args.string("table")] : [])], port: args.int("port", 0, 65535, 0),
        leafHashes: args.list("leaf-hashes"),
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
};
