/**
 * Distributed solvency proving, measured: accounts per second with the in-process prover and
 * with 1 and 2 local `zkrs worker` processes on a BullMQ queue (a redis-server started here, in a
 * temporary directory, on a free 127.0.0.1 port, and always stopped).
 *
 *   tsx scripts/bench/distributed.ts [--circuit solvency] [--batches 8] [--workers 1,2] [--out bench/results.json] [--json] [--verbose] [--skip-in-process]
 *
 * Each distributed run starts its workers first (process start and snarkjs warm-up are not
 * timed), then times `proveSolvencyOnQueue` from planning to the last batch checked — enqueue,
 * proving, and the collector's verification of every proof and of the chaining. The in-process
 * figure is `proveSolvency` (two batches in flight) on the same accounts.
 * `--out` merges the figures into that JSON file under "distributed" (default: bench/results.json
 * for the reference circuit, no file for others); `--json` prints them as one line (for bench.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeJsonAtomic } from "../../src/io/atomicWrite.js";
import { loadCircuitArtifacts } from "../../src/artifacts/manifest.js";
import { PROJECT_ROOT } from "../../src/artifacts/paths.js";
import { demoSnapshot, smallSnapshot, syntheticAccounts } from "../../src/demo/demoMarket.js";
import { proveSolvency } from "../../src/operator/proveSolvency.js";
import { proveSolvencyOnQueue } from "../../src/operator/queue/proveSolvencyOnQueue.js";
import { parseRedisUrl } from "../../src/operator/queue/redisConnection.js";
import { liabilityTotals } from "../../src/operator/solvencyTotals.js";
import { verifySolvency } from "../../src/operator/verifySolvency.js";
import { releaseProverThreads } from "../../src/proof/groth16Prover.js";
import { commitRiskTable } from "../../src/risk/riskCommitment.js";
import { computeRiskTable } from "../../src/risk/riskEngine.js";
import { startRedisServer } from "../../src/testbed/redisServer.js";

export interface DistributedRun {
  workers: number | "in-process";
  totalMs: number;
  accountsPerSecond: number;
  /** Wall time per batch (totalMs / batches). */
  msPerBatch: number;
}

export interface DistributedFigures {
  circuit: string;
  accounts: number;
  batches: number;
  batchSize: number;
  runs: DistributedRun[];
  accountsPerSecondInProcess?: number;
  accountsPerSecond1?: number;
  accountsPerSecond2?: number;
}

const BIN = join(PROJECT_ROOT, "bin", "zkrs.js");

/** Starts `zkrs worker` processes on the queue and resolves once each waits for jobs. */
async function startWorkers(url: string, count: number, verbose: boolean): Promise<ChildProcess[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => new Promise<ChildProcess>((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, "worker", "--queue", url, "--name", `bench-${i + 1}`], { cwd: PROJECT_ROOT, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
      if (verbose) for (const l of d.toString().split("\n").filter(Boolean)) process.stderr.write(`    [${new Date().toISOString().slice(11, 23)} bench-${i + 1}] ${l}\n`);
      if (/waiting for jobs on queue/.test(err)) resolve(child);
    });
    child.once("exit", (code) => reject(new Error(`worker ${i + 1} exited (${code}) before it was ready:\n${err}`)));
  })));
}

async function stopWorkers(children: ChildProcess[]): Promise<void> {
  await Promise.all(children.map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once("exit", () => resolve());
    c.kill("SIGTERM");
  })));
}

export async function measureDistributed(circuit: string, batches: number, workerCounts: number[], log: (line: string) => void, opts: { verbose?: boolean; inProcess?: boolean } = {}): Promise<DistributedFigures> {
  const verbose = opts.verbose ?? false;
  const artifacts = loadCircuitArtifacts(circuit);
  if (artifacts.instance.kind !== "solvency") throw new Error(`${circuit} is not a solvency circuit`);
  const params = artifacts.instance.params;
  const batchSize = 2 ** params.logBatch;
  const snapshot = demoSnapshot(1).instruments.length <= 2 ** params.logInstruments ? demoSnapshot(1) : smallSnapshot(1);
  const table = computeRiskTable(snapshot);
  const n = batches * batchSize;
  const accounts = syntheticAccounts(n, params.positions, snapshot.instruments.length, n);
  const totals = liabilityTotals(accounts, commitRiskTable(table, params.logInstruments).rows, params.scenarios);
  const bound = totals.reduce((m, t) => (t > m ? t : m), 0n);
  const runs: DistributedRun[] = [];
  const record = (workers: DistributedRun["workers"], totalMs: number): void => {
    const run = { workers, totalMs, accountsPerSecond: Number((n / (totalMs / 1000)).toFixed(3)), msPerBatch: Math.round(totalMs / batches) };
    runs.push(run);
    log(`  ${workers === "in-process" ? "in-process" : `${workers} worker(s)`}: ${n} accounts in ${(totalMs / 1000).toFixed(1)} s, ${run.accountsPerSecond} accounts/s, ${(run.msPerBatch / 1000).toFixed(2)} s per batch`);
  };

  let t = Date.now();
  if (opts.inProcess ?? true) {
    log(`— in-process: ${n} accounts, ${batches} batches of ${batchSize} (${circuit})`);
    await proveSolvency(accounts, table, { circuit, batchCount: batches });
    record("in-process", Date.now() - t);
  }

  const redis = await startRedisServer({ password: `bench-${process.pid}-${Date.now()}` });
  try {
    for (const k of workerCounts) {
      log(`— ${k} local worker(s) on a BullMQ queue`);
      const children = await startWorkers(redis.url, k, verbose);
      try {
        t = Date.now();
        const result = await proveSolvencyOnQueue(accounts, table, { circuit, batchCount: batches, connection: parseRedisUrl(redis.url), url: redis.url });
        const totalMs = Date.now() - t;
        const verdict = await verifySolvency(result.proof);
        if (!verdict.valid) throw new Error(`the distributed proof does not verify: ${verdict.reason}`);
        record(k, totalMs);
      } finally {
        await stopWorkers(children);
      }
    }
  } finally {
    await redis.stop();
  }
  const aps = (w: DistributedRun["workers"]): number | undefined => runs.find((r) => r.workers === w)?.accountsPerSecond;
  return {
    circuit, accounts: n, batches, batchSize, runs,
    ...(aps("in-process") !== undefined ? { accountsPerSecondInProcess: aps("in-process") } : {}),
    ...(aps(1) !== undefined ? { accountsPerSecond1: aps(1) } : {}),
    ...(aps(2) !== undefined ? { accountsPerSecond2: aps(2) } : {}),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      circuit: { type: "string", default: "solvency" },
      batches: { type: "string", default: "8" },
      workers: { type: "string", default: "1,2" },
      out: { type: "string" },
      json: { type: "boolean" },
      verbose: { type: "boolean" },
      "skip-in-process": { type: "boolean" },
    },
  });
  const batches = Number(values.batches);
  const workerCounts = values.workers.split(",").map(Number);
  if (!Number.isInteger(batches) || batches < 1) throw new Error(`--batches must be a positive integer, got ${values.batches}`);
  if (workerCounts.some((k) => !Number.isInteger(k) || k < 1 || k > 16)) throw new Error(`--workers must list integers from 1 to 16, got ${values.workers}`);
  const log = (line: string): void => { process.stderr.write(`${line}\n`); };
  const figures = await measureDistributed(values.circuit, batches, workerCounts, log, { verbose: values.verbose, inProcess: !values["skip-in-process"] });
  await releaseProverThreads();
  const out = values.out ?? (values.circuit === "solvency" && !values.json ? join(PROJECT_ROOT, "bench", "results.json") : undefined);
  if (out) {
    const current = existsSync(out) ? (JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>) : {};
    writeJsonAtomic(out, { ...current, distributed: { date: new Date().toISOString(), ...figures } });
    log(`wrote "distributed" into ${out}`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(figures)}\n`);
}

if (process.argv[1] && /distributed\.ts$/.test(process.argv[1])) {
  main().catch(async (err: unknown) => {
    process.stderr.write(`distributed bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
    await releaseProverThreads();
    process.exit(1);
  });
}
