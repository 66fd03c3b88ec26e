import type { AccountOpening } from "../../accounts/account.js";
import { loadCircuitArtifacts } from "../../artifacts/manifest.js";
import type { RiskTable } from "../../risk/riskEngine.js";
import type { ProveSolvencyOptions, SolvencyResult } from "../proveSolvency.js";
import { planSolvencyBatches } from "../solvencyBatches.js";
import { checkExpectedFigures } from "../solvencyTotals.js";
import { type BatchJobReport, collectSolvencyBatches } from "./collectSolvencyBatches.js";
import type { QueueProgress } from "./progress.js";
import { redactRedisUrl, type RedisConnectionSettings } from "./redisConnection.js";
import { openSolvencyQueue } from "./solvencyQueue.js";

export interface QueueProveOptions extends Omit<ProveSolvencyOptions, "concurrency" | "onProgress"> {
  /** Where the queue lives (from parseRedisUrl). */
  connection: RedisConnectionSettings;
  /** The queue URL as given, for messages (printed redacted). */
  url: string;
  queueName?: string;
  onProgress?: (progress: QueueProgress) => void;
  log?: (line: string) => void;
  /** Blinding source for the running totals (tests pass a fixed one to compare runs). */
  randomBlinding?: () => bigint;
  /** Tries per job for ordinary errors (default 3; a bad witness fails at once). */
  attempts?: number;
  /** Jobs on the queue at once (default 256); more are added as results come in. */
  window?: number;
  pollMs?: number;
  keepJobs?: boolean;
}

export interface QueueSolvencyResult extends SolvencyResult {
  /** Per batch: which worker proved it, and how often its job was started. */
  jobs: BatchJobReport[];
}

/**
 * The operator's solvency proof (docs/design.md §4.2) with the batches proven by `zkrs worker`
 * processes on any number of machines. As in the in-process path, the totals are computed
 * in TypeScript first and a bound that is too low fails before anything is enqueued; then one
 * job per planned batch goes on the queue (a window at a time), and the collector checks every proof and the
 * chaining before returning the same SolvencyProof the in-process prover makes.
 */
export async function proveSolvencyOnQueue(accounts: readonly AccountOpening[], riskTable: RiskTable, options: QueueProveOptions): Promise<QueueSolvencyResult> {
  const circuit = options.circuit ?? "solvency";
  const artifacts = loadCircuitArtifacts(circuit);
  if (artifacts.instance.kind !== "solvency") throw new Error(`circuit ${circuit} is not a solvency circuit`);
  const epoch = options.epoch ?? riskTable.epoch;
  const plan = planSolvencyBatches(accounts, riskTable, epoch, artifacts.instance.params, {
    batchCount: options.batchCount, ...(options.randomBlinding ? { randomBlinding: options.randomBlinding } : {}),
  });
  checkExpectedFigures(plan.totals, options.expect ?? {});
  const { batchIndex: _k, isLast: _l, prevTotalsCommitment: _p, totalsCommitment: _t, ...common } = plan.batches[plan.batches.length - 1].statement;

  const label = redactRedisUrl(options.url);
  const queue = await openSolvencyQueue(options.connection, label, options.queueName);
  try {
    const started = Date.now();
    options.log?.(`proving ${plan.batches.length} batch(es) through queue ${queue.name} at ${label}`);
    const { batches, jobs } = await collectSolvencyBatches(queue, plan, circuit, artifacts.keys.zkeySha256, {
      pollMs: options.pollMs, onProgress: options.onProgress, log: options.log, keepJobs: options.keepJobs, attempts: options.attempts, window: options.window,
    });
    const seconds = (Date.now() - started) / 1000;
    return {
      proof: { circuit, ...common, batches },
      totals: plan.totals,
      accountsPerSecond: accounts.length / Math.max(seconds, 1e-9),
      jobs,
    };
  } finally {
    await queue.close();
  }
}
