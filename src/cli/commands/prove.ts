import { readManifest } from "../../artifacts/manifest.js";
import type { CircuitInstance } from "../../protocol/circuitCatalog.js";
import { marginProofFile } from "../../protocol/margin.js";
import { solvencyProofFile } from "../../protocol/solvency.js";
import { InputError } from "../../io/json.js";
import { jsonOutput, writeOutputs } from "../../io/output.js";
import { MAX_BOUND, MAX_COLLATERAL } from "../../crypto/bounds.js";
import { columnLabel } from "../../risk/scenarios.js";
import { type Command, JSON_OPTION, UsageError } from "../framework.js";
import { catalogCircuit, checkOpeningsFor, loadAccount, loadLedger, loadOpenings, loadPath, loadTable, type NamedOpening } from "../inputs.js";
import { proverModules } from "../lazy.js";
import { checkMarginFiles, checkShape } from "../../trader/marginFiles.js";
import { QUEUE_NAME_OPTION, queueConnection } from "./worker.js";

export { checkShape };

/** sha256 of the built zkey of a circuit, recorded in proof files. */
export function zkeySha256(circuit: string): string | undefined {
  return readManifest().circuits[circuit]?.keys.zkeySha256;
}

export const proveCommands: Command[] = [
  {
    path: ["prove", "margin"],
    summary: "Trader: prove locally that the account survives every scenario after paying --amount to --recipient.",
    details: [
      "Inputs: your account file, the inclusion path the operator gave you (it names the epoch and the",
      "accountsRoot) and the epoch's risk table. A portfolio that is not compliant fails before proving,",
      "naming the worst scenario and the shortfall. --amount 0 makes a plain compliance attestation.",
    ],
    options: {
      account: { type: "string", arg: "acct.json", description: "your account (zkrs/account@1)", required: true },
      path: { type: "string", arg: "path.json", description: "your inclusion path from the operator (zkrs/path@1)", required: true },
      table: { type: "string", arg: "table.json", description: "the epoch's risk table (zkrs/risk-table@2)", required: true },
      recipient: { type: "string", arg: "0x...", description: "address the settlement pays", required: true },
      amount: { type: "string", arg: "n", description: "amount to settle, in token base units (default 0)" },
      circuit: { type: "string", arg: "name", description: "margin circuit (default: margin)" },
      out: { type: "string", arg: "proof.json", description: "proof file to write (zkrs/margin-proof@1)", required: true },
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const circuit = catalogCircuit(args.optionalString("circuit") ?? "margin", "margin");
      const accountFile = args.string("account");
      const pathFile = args.string("path");
      const tableFile = args.string("table");
      const out = args.outFile("out");
      const recipient = args.address("recipient");
      const amount = args.bigint("amount", { min: 0n, max: MAX_COLLATERAL }, 0n);
      const account = loadAccount(accountFile, ctx.log);
      const path = loadPath(pathFile);
      const { table } = loadTable(tableFile);
      checkMarginFiles({ account: accountFile, path: pathFile, table: tableFile }, account, path, table, circuit);
      const { margin, prover } = await proverModules();
      const request = { account, accountPath: path.path, accountsRoot: path.accountsRoot, riskTable: table, epoch: path.epoch, recipient, amount };
      await prover.warmUpProver();
      const proof = await ctx.step(`proving margin compliance (${circuit.name}, epoch ${path.epoch})`, () => margin.proveMargin(request, circuit.name));
      writeOutputs([jsonOutput(out, marginProofFile.encode(proof, zkeySha256(circuit.name)))]);
      const s = proof.statement;
      return {
        json: {
          out, circuit: proof.circuit, epoch: s.epoch, riskRoot: s.riskRoot.toString(), accountsRoot: s.accountsRoot.toString(),
          nullifier: s.nullifier.toString(), recipient: s.recipient, amount: s.amount.toString(), timings: proof.timings,
        },
        human: [
          `margin proof for epoch ${s.epoch}: pay ${s.amount} to ${s.recipient}`,
          `  nullifier ${s.nullifier}`,
          `  witness ${proof.timings.witnessMs} ms, proof ${proof.timings.proveMs} ms`,
          `wrote ${out}`,
        ],
      };
    },
  },
  {
    path: ["prove", "solvency"],
    summary: "Operator: prove the pool's exact liabilities at mark (markTotal) and their largest total over mark and every scenario (stressTotal).",
    details: [
      "Accounts come from the ledger written by `zkrs tree` (--ledger), or straight from opening files",
      "(--openings, leaf order as given). The two figures are exact and public: the pool sets the epoch's",
      "status, haircut and the LPs' NAV from them, so there is no bound to choose. --bound / --mark-bound",
      "are checks: a figure that differs from the exact one is refused before proving. The per-scenario",
      "totals are printed for the operator only.",
    ],
    positionals: "opening.json|folder ...",
    options: {
      ledger: { type: "string", arg: "ledger.json", description: "the epoch's ledger from `zkrs tree` (zkrs/ledger@1)" },
      openings: { type: "string", multiple: true, arg: "file|folder", description: "account openings instead of a ledger" },
      table: { type: "string", arg: "table.json", description: "the epoch's risk table (zkrs/risk-table@2)", required: true },
      bound: { type: "string", arg: "n", description: "check: the stress total (max over mark and every scenario) must be exactly n, in token base units" },
      "mark-bound": { type: "string", arg: "n", description: "check: the mark total must be exactly n" },
      epoch: { type: "string", arg: "n", description: "epoch (with --openings; default: the table's)" },
      circuit: { type: "string", arg: "name", description: "solvency circuit (default: solvency)" },
      concurrency: { type: "string", arg: "n", description: "batches proven at once (default 2)" },
      queue: { type: "string", arg: "redis-url", description: "prove the batches on `zkrs worker` processes through this Redis queue (redis:// or rediss://; see zkrs worker --help)" },
      ...QUEUE_NAME_OPTION,
      out: { type: "string", arg: "solvency.json", description: "proof file to write (zkrs/solvency-proof@3)", required: true },
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const circuit = catalogCircuit(args.optionalString("circuit") ?? "solvency", "solvency");
      const tableFile = args.string("table");
      const out = args.outFile("out");
      const expect = {
        stressTotal: args.has("bound") ? args.bigint("bound", { min: 0n, max: MAX_BOUND }) : undefined,
        markTotal: args.has("mark-bound") ? args.bigint("mark-bound", { min: 0n, max: MAX_BOUND }) : undefined,
      };
      const concurrency = args.int("concurrency", 1, 16, 2);
      const fromOpenings = [...args.list("openings"), ...args.positionals];
      if (args.has("ledger") === fromOpenings.length > 0) throw new UsageError("give either --ledger or --openings", args.command);
      const { table } = loadTable(tableFile);
      let openings: NamedOpening[];
      let epoch: number;
      let expectedRoot: bigint | undefined;
      if (args.has("ledger")) {
        const ledgerFile = args.string("ledger");
        if (args.has("epoch")) throw new UsageError("--epoch comes from the ledger; it is only for --openings", args.command);
        const ledger = loadLedger(ledgerFile);
        checkShape(ledgerFile, ledger, circuit);
        openings = ledger.accounts.map((a) => ({ name: a.name, file: `${ledgerFile} (${a.name})`, opening: a.opening }));
        epoch = ledger.epoch;
        expectedRoot = ledger.accountsRoot;
        if (table.epoch !== epoch) throw new InputError(`${tableFile} is the risk table of epoch ${table.epoch}, but ${ledgerFile} is for epoch ${epoch}`);
      } else {
        openings = loadOpenings(fromOpenings, ctx.log);
        epoch = args.int("epoch", 0, 2 ** 32 - 1, table.epoch);
        if (table.epoch !== epoch) throw new InputError(`${tableFile} is the risk table of epoch ${table.epoch}, not of --epoch ${epoch}`);
      }
      checkOpeningsFor(openings, circuit);
      const { solvency, prover } = await proverModules();
      await prover.warmUpProver();
      const batches = Math.max(1, Math.ceil(openings.length / 2 ** circuit.params.logBatch));
      const queueUrl = args.optionalString("queue");
      if (queueUrl !== undefined && args.has("concurrency")) throw new UsageError("--concurrency is for in-process proving; with --queue, start more `zkrs worker` processes", args.command);
      const result = queueUrl === undefined
        ? await ctx.step(`proving solvency of ${openings.length} accounts in ${batches} batch(es) (${circuit.name}, epoch ${epoch})`, () =>
          solvency.proveSolvency(openings.map((o) => o.opening), table, {
            circuit: circuit.name, epoch, concurrency, expect,
            onProgress: (done, total) => ctx.log(`  batch ${done}/${total} proven`),
          }))
        : await (async () => {
          const connection = await queueConnection(queueUrl);
          const { proveSolvencyOnQueue } = await import("../../operator/queue/proveSolvencyOnQueue.js");
          const { formatProgress } = await import("../../operator/queue/progress.js");
          const done = await ctx.step(`proving solvency of ${openings.length} accounts on the queue (${circuit.name}, epoch ${epoch})`, () =>
            proveSolvencyOnQueue(openings.map((o) => o.opening), table, {
              circuit: circuit.name, epoch, expect, connection, url: queueUrl, queueName: args.optionalString("queue-name"), log: ctx.log,
              onProgress: (p) => ctx.log(`  ${formatProgress(p, 2 ** circuit.params.logBatch)}`),
            }));
          const byWorker = new Map<string, number>();
          for (const j of done.jobs) byWorker.set(j.worker, (byWorker.get(j.worker) ?? 0) + 1);
          const restarted = done.jobs.filter((j) => j.attemptsStarted > 1).length;
          ctx.log(`  proven by ${[...byWorker].map(([w, n]) => `${w} (${n})`).join(", ")}${restarted ? `; ${restarted} batch(es) restarted after a worker stopped or failed` : ""}`);
          return done;
        })();
      const proof = result.proof;
      if (expectedRoot !== undefined && proof.accountsRoot !== expectedRoot) throw new Error("internal: the proof's accountsRoot differs from the ledger's");
      writeOutputs([jsonOutput(out, solvencyProofFile.encode(proof, zkeySha256(circuit.name)))]);
      let worst = 0;
      result.totals.forEach((t, s) => { if (t > result.totals[worst]) worst = s; });
      return {
        json: {
          out, circuit: proof.circuit, epoch: proof.epoch, riskRoot: proof.riskRoot.toString(), accountsRoot: proof.accountsRoot.toString(),
          stressTotal: proof.stressTotal.toString(), markTotal: proof.markTotal.toString(), batches: proof.batches.length,
          privateTotals: { mark: result.totals[0].toString(), worst: result.totals[worst].toString(), worstScenario: columnLabel(worst) },
        },
        human: [
          `solvency proof for epoch ${proof.epoch}: liabilities at mark ${proof.markTotal}, stress total ${proof.stressTotal} (${columnLabel(worst)}), exact, in ${proof.batches.length} batch proof(s)`,
          `  accountsRoot ${proof.accountsRoot}`,
          `  riskRoot     ${proof.riskRoot}`,
          `  (private, do not publish) the other scenario totals: ${result.totals.map((t, s) => `${columnLabel(s)} ${t}`).slice(1).join(", ")}`,
          `wrote ${out}`,
        ],
      };
    },
  },
];
