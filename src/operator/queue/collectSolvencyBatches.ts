import type { Groth16Proof, VerificationKey } from "snarkjs";
import { printable } from "../../io/printable.js";
import { toSolidityProof } from "../../protocol/solidityProof.js";
import { verifyGroth16, verificationKey } from "../../proof/groth16Prover.js";
import type { BatchProof } from "../proveSolvency.js";
import { batchChainProblem, batchStatement } from "../../protocol/solvency.js";
import type { PlannedBatch, SolvencyPlan } from "../solvencyBatches.js";
import { expectedSignals } from "./batchSignals.js";
import { type EnqueuedBatch, type EnqueueOptions, enqueueSolvencyBatches } from "./enqueueSolvencyBatches.js";
import { measureProgress, type QueueProgress } from "./progress.js";
import type { SolvencyJobResult } from "./solvencyJob.js";
import type { SolvencyQueue } from "./solvencyQueue.js";

/** How one batch's job went: who proved it and how many times it was started. */
export interface BatchJobReport {
  batchIndex: number;
  jobId: string;
  worker: string;
  /** Times a worker started the job (more than 1 after a crash or a retry). */
  attemptsStarted: number;
  /** Times the job was found stalled (its worker stopped renewing the lock) and put back. */
  stalledCount: number;
}

export interface CollectOptions extends Pick<EnqueueOptions, "attempts"> {
  /**
   * Jobs on the queue at once (default 256). More are enqueued as results come in, which bounds
   * Redis memory (a reference batch's input is ~90 KB) and how much private data sits in Redis.
   */
  window?: number;
  /** How often to look for finished jobs. Default 500 ms. */
  pollMs?: number;
  onProgress?: (progress: QueueProgress) => void;
  /** Status lines for a person (never job payloads). */
  log?: (line: string) => void;
  /** Leave finished jobs in Redis (default: remove each one once its proof is checked: it holds private inputs). */
  keepJobs?: boolean;
  /** After a failure, how long to wait for jobs still being proven so they can be removed too. Default 60 s. */
  drainMs?: number;
  /**
   * How often, while no batch finishes, to check that every pending job still exists in Redis
   * (default 5 s). A Redis that restarted empty (or was flushed) loses them: each lost job is
   * enqueued again, at most `maxRequeues` times in all (default 3), then the run fails saying so.
   */
  lostCheckMs?: number;
  maxRequeues?: number;
}

export interface CollectedBatches {
  batches: BatchProof[];
  jobs: BatchJobReport[];
}

/** A failed batch job: the reason its worker gave (a bad witness fails once, with the constraint). */
export class BatchJobError extends Error {
  constructor(readonly batchIndex: number, readonly jobId: string, readonly reason: string, readonly attemptsMade: number) {
    super(`batch ${batchIndex} failed after ${attemptsMade} attempt(s): ${reason}`);
    this.name = "BatchJobError";
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Workers connected to the queue, or undefined when Redis will not say (CLIENT LIST disabled on managed Redis). */
async function workerCount(queue: SolvencyQueue): Promise<number | undefined> {
  try {
    return await queue.getWorkersCount();
  } catch {
    return undefined;
  }
}

function workersLine(queue: SolvencyQueue, workers: number | undefined): string {
  if (workers === undefined) return `worker count unknown on queue ${queue.name}`;
  if (workers === 0) return `no worker is connected to queue ${queue.name}: start \`zkrs worker --queue <url>\` on the prover machines`;
  return `${workers} worker(s) connected to queue ${queue.name}`;
}

/** The job's return value checked for shape (it comes back from Redis, written by any worker). */
function readResult(value: unknown): SolvencyJobResult | string {
  if (typeof value !== "object" || value === null) return "the worker returned no result";
  const r = value as Partial<SolvencyJobResult>;
  if (!Array.isArray(r.publicSignals) || r.publicSignals.some((s) => typeof s !== "string" || !/^(0|[1-9][0-9]*)$/.test(s))) return "the result's publicSignals are not decimal strings";
  const p = r.proof as Partial<Groth16Proof> | undefined;
  if (!p || !Array.isArray(p.pi_a) || !Array.isArray(p.pi_b) || !Array.isArray(p.pi_c)) return "the result has no Groth16 proof";
  const timings = r.timings ?? { witnessMs: 0, proveMs: 0 };
  return { publicSignals: r.publicSignals, proof: p as Groth16Proof, timings, worker: typeof r.worker === "string" ? r.worker : "?" };
}

/** Why a worker's answer for a planned batch is not acceptable, or undefined when it is. */
async function answerProblem(planned: PlannedBatch, result: SolvencyJobResult, vk: VerificationKey): Promise<string | undefined> {
  const expected = expectedSignals(planned.input);
  if (result.publicSignals.length !== expected.length || expected.some((v, i) => v !== result.publicSignals[i])) {
    return `worker ${result.worker} proved other public signals than the batch's input`;
  }
  const mismatch = batchStatement.mismatch(planned.statement, result.publicSignals);
  if (mismatch) return `the proof's ${mismatch}`;
  if (!(await verifyGroth16(vk, result.publicSignals, result.proof))) return `worker ${result.worker}'s Groth16 proof does not verify (other keys?)`;
  return undefined;
}

/**
 * Enqueues the plan's batches (a window at a time; batches already on the queue collapse into
 * their existing jobs), waits for them and checks each answer as it arrives: its public signals
 * must be the planned input's (by name) and the Groth16 proof must verify; at the end the
 * batches must chain. A job that failed for good rejects with its worker's reason
 * (BatchJobError) after removing this run's other jobs (waiting for those being proven, at
 * most `drainMs`). Checked jobs are
 * removed from Redis (they hold private inputs) unless `keepJobs`.
 */
export async function collectSolvencyBatches(
  queue: SolvencyQueue, plan: SolvencyPlan, circuit: string, zkeySha256: string, options: CollectOptions = {},
): Promise<CollectedBatches> {
  const pollMs = options.pollMs ?? 500;
  const window = options.window ?? 256;
  if (!Number.isInteger(pollMs) || pollMs < 10) throw new RangeError(`pollMs must be an integer >= 10, got ${pollMs}`);
  if (!Number.isInteger(window) || window < 1) throw new RangeError(`window must be a positive integer, got ${window}`);
  const total = plan.batches.length;
  const vk = verificationKey(circuit);
  const pending = new Map<string, number>();
  let enqueuedUpTo = 0;
  /** Keeps `window` jobs on the queue while batches remain. */
  const topUp = async (): Promise<void> => {
    const to = Math.min(total, enqueuedUpTo + window - pending.size);
    if (to <= enqueuedUpTo) return;
    const added: EnqueuedBatch[] = await enqueueSolvencyBatches(queue, plan, circuit, zkeySha256, { attempts: options.attempts, from: enqueuedUpTo, to });
    for (const e of added) pending.set(e.jobId, e.batchIndex);
    enqueuedUpTo = to;
  };
  await topUp();
  options.log?.(`enqueued ${enqueuedUpTo} of ${total} batch job(s) on queue ${queue.name}${enqueuedUpTo < total ? ` (at most ${window} at a time)` : ""}`);
  if (options.log) options.log(workersLine(queue, await workerCount(queue)));
  const batches: BatchProof[] = new Array(total);
  const jobs: BatchJobReport[] = new Array(total);
  const started = Date.now();
  let done = 0;
  let lastProgress = Date.now();
  let warnedIdle = false;
  const lostCheckMs = options.lostCheckMs ?? 5_000;
  const maxRequeues = options.maxRequeues ?? 3;
  let lastLostCheck = Date.now();
  let requeues = 0;
  /**
   * Jobs that vanished from Redis (it restarted without persistence, or was flushed: a worker
   * then logs "Missing key for job") would be waited for forever: enqueue them again.
   */
  const requeueLost = async (): Promise<void> => {
    const lost: [string, number][] = [];
    for (const [id, k] of pending) if ((await queue.getJobState(id)) === "unknown") lost.push([id, k]);
    if (lost.length === 0) return;
    requeues++;
    const which = lost.map(([, k]) => k).sort((a, b) => a - b);
    if (requeues > maxRequeues) {
      await abandon();
      throw new Error(`the jobs of batch(es) ${which.join(", ")} vanished from the Redis queue ${requeues} times (is the server restarting, or flushed by someone else?); stopped`);
    }
    options.log?.(`the jobs of batch(es) ${which.join(", ")} vanished from Redis (restarted without persistence, or flushed?): enqueued again`);
    for (const [id, k] of lost) {
      pending.delete(id);
      const [again] = await enqueueSolvencyBatches(queue, plan, circuit, zkeySha256, { attempts: options.attempts, from: k, to: k + 1 });
      pending.set(again.jobId, k);
    }
  };
  options.onProgress?.(measureProgress(0, total, started));

  /** True when the job is gone (removed now or before); false while a worker holds its lock. */
  const removeQuietly = async (jobId: string): Promise<boolean> => {
    try {
      return (await queue.remove(jobId)) === 1 || (await queue.getJobState(jobId)) === "unknown";
    } catch {
      return false;
    }
  };
  /**
   * After a failure: take this run's other jobs off the queue (they hold private inputs). A
   * job a worker is proving is locked; wait for it to finish (at most `drainMs`), then remove it.
   */
  const abandon = async (): Promise<void> => {
    if (options.keepJobs) return;
    const deadline = Date.now() + (options.drainMs ?? 60_000);
    let left = [...pending.keys()];
    for (;;) {
      const still: string[] = [];
      for (const id of left) if (!(await removeQuietly(id))) still.push(id);
      left = still;
      if (left.length === 0 || Date.now() > deadline) break;
      await sleep(pollMs);
    }
    if (left.length > 0) options.log?.(`${left.length} job(s) still being proven stay in Redis until a day after they finish`);
  };

  while (pending.size > 0) {
    const [completed, failed] = await Promise.all([queue.getJobs(["completed"], 0, 999), queue.getJobs(["failed"], 0, 999)]);
    for (const job of failed) {
      const k = job?.id === undefined ? undefined : pending.get(job.id);
      if (k === undefined || !job.id) continue;
      // The reason comes from Redis (any worker, or anyone who can write there): printed escaped.
      const err = new BatchJobError(k, job.id, printable(job.failedReason || "no reason given", 400), job.attemptsMade);
      pending.delete(job.id);
      if (!options.keepJobs) await removeQuietly(job.id);
      await abandon();
      throw err;
    }
    let progressed = false;
    for (const job of completed) {
      const k = job?.id === undefined ? undefined : pending.get(job.id);
      if (k === undefined || !job.id) continue;
      const planned = plan.batches[k];
      const result = readResult(job.returnvalue);
      const problem = typeof result === "string" ? result : await answerProblem(planned, result, vk);
      if (problem !== undefined || typeof result === "string") {
        pending.delete(job.id);
        if (!options.keepJobs) await removeQuietly(job.id);
        await abandon();
        throw new BatchJobError(k, job.id, problem ?? "invalid result", job.attemptsMade);
      }
      batches[k] = { circuit, proof: result.proof, publicSignals: result.publicSignals, solidity: toSolidityProof(result.proof), timings: result.timings, statement: planned.statement };
      jobs[k] = { batchIndex: k, jobId: job.id, worker: result.worker, attemptsStarted: job.attemptsStarted ?? job.attemptsMade, stalledCount: job.stalledCounter ?? 0 };
      pending.delete(job.id);
      if (!options.keepJobs) await removeQuietly(job.id);
      done++;
      progressed = true;
    }
    if (progressed) {
      await topUp();
      lastProgress = Date.now();
      options.onProgress?.(measureProgress(done, total, started));
      continue;
    }
    if (Date.now() - lastLostCheck >= lostCheckMs) {
      lastLostCheck = Date.now();
      await requeueLost();
    }
    if (!warnedIdle && Date.now() - lastProgress > 30_000) {
      warnedIdle = true;
      if (options.log) options.log(`no batch finished in the last 30 s; ${workersLine(queue, await workerCount(queue))}`);
    }
    await sleep(pollMs);
  }
  const problem = batchChainProblem(batches.map((b) => b.statement));
  if (problem) throw new Error(`the collected batches do not form a valid chain: ${problem}`);
  return { batches, jobs };
}
