import { hostname } from "node:os";
import { UnrecoverableError, Worker } from "bullmq";
import { warmUpProver } from "../../proof/groth16Prover.js";
import { printable } from "../../io/printable.js";
import { proveSolvencyJob, readSolvencyJob } from "./proveSolvencyJob.js";
import { checkRedisReachable, redactRedisUrl, type RedisConnectionSettings } from "./redisConnection.js";
import { checkQueueName, DEFAULT_QUEUE_NAME, type SolvencyJobData, type SolvencyJobResult } from "./solvencyJob.js";

export interface SolvencyWorkerOptions {
  connection: RedisConnectionSettings;
  /** The queue URL as given, for messages (printed redacted). */
  url: string;
  queueName?: string;
  /** Shown in logs and recorded in each result (default host:pid). */
  name?: string;
  /**
   * How long a job stays locked to this worker without a renewal (default 60 s). BullMQ renews
   * it from a timer on the event loop, which the prover's synchronous parts (the witness) can
   * hold up for seconds on a loaded machine: keep it well above that. If this process dies, the
   * job is free again after at most this long.
   */
  lockDurationMs?: number;
  /** How often this worker looks for jobs whose worker died (default 30 s). */
  stalledIntervalMs?: number;
  /** Times a job may be found stalled and put back before it fails (default 3). */
  maxStalledCount?: number;
  log?: (line: string) => void;
}

export interface WorkerSummary {
  proven: number;
  failed: number;
}

export interface RunningSolvencyWorker {
  name: string;
  /** Finish the job in hand, then stop. */
  stop(): Promise<WorkerSummary>;
}

function positiveMs(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 100) throw new RangeError(`${name} must be an integer number of milliseconds >= 100, got ${v}`);
  return v;
}

/**
 * A prover for the solvency job queue: takes one batch at a time (snarkjs already uses every
 * core), proves it and hands the proof back through BullMQ, until stopped. Start any number,
 * on any machine that has the same build/ keys. Logs job ids, batch numbers and times, never
 * a job's input.
 */
export async function startSolvencyWorker(options: SolvencyWorkerOptions): Promise<RunningSolvencyWorker> {
  const log = options.log ?? (() => {});
  const name = options.name ?? `${hostname()}:${process.pid}`;
  const lockDuration = positiveMs("lockDurationMs", options.lockDurationMs, 60_000);
  const stalledInterval = positiveMs("stalledIntervalMs", options.stalledIntervalMs, 30_000);
  const maxStalledCount = options.maxStalledCount ?? 3;
  if (!Number.isInteger(maxStalledCount) || maxStalledCount < 0) throw new RangeError(`maxStalledCount must be a non-negative integer, got ${maxStalledCount}`);
  const queueName = checkQueueName(options.queueName ?? DEFAULT_QUEUE_NAME);
  const label = redactRedisUrl(options.url);
  await checkRedisReachable(options.connection, label);
  await warmUpProver();

  const summary: WorkerSummary = { proven: 0, failed: 0 };
  // Job ids and fields come from Redis: anyone who can write to it can put a newline or an ANSI
  // escape there, so they are checked before use and printed only through printable().
  const short = (id: string | undefined): string => printable((id ?? "?").slice(0, 24));
  const worker = new Worker<SolvencyJobData, SolvencyJobResult>(queueName, async (job) => {
    const d = readSolvencyJob(job.data); // a malformed job fails here, before anything of it is printed
    log(`job ${short(job.id)} (epoch ${d.epoch}, batch ${d.batchIndex + 1}/${d.batchCount}): proving, attempt ${job.attemptsStarted}`);
    return proveSolvencyJob(job.id, job.data, name);
  }, { connection: { ...options.connection }, name, concurrency: 1, lockDuration, stalledInterval, maxStalledCount, autorun: false });

  let lastError = "";
  worker.on("error", (err) => {
    if (err.message !== lastError) log(`queue error: ${printable(err.message, 400)}`);
    lastError = err.message;
  });
  worker.on("completed", (job, result) => {
    summary.proven++;
    log(`job ${short(job.id)}: proven in ${((result.timings.witnessMs + result.timings.proveMs) / 1000).toFixed(1)} s`);
  });
  worker.on("failed", (job, err) => {
    const retried = job !== undefined && !(err instanceof UnrecoverableError) && job.attemptsMade < (job.opts.attempts ?? 1);
    if (!retried) summary.failed++;
    log(`job ${short(job?.id)}: ${retried ? `attempt ${job?.attemptsMade} failed, to be retried` : "failed"}: ${printable(err.message, 400)}`);
  });
  worker.on("stalled", (jobId) => log(`job ${short(jobId)}: its worker stopped answering; put back on the queue`));
  worker.on("lockRenewalFailed", (ids) => log(`could not renew the lock of ${ids.length} job(s); another worker may take them over`));

  worker.run().catch((err: unknown) => log(`worker stopped: ${err instanceof Error ? err.message : String(err)}`));
  await worker.waitUntilReady();
  log(`worker ${name} waiting for jobs on queue ${queueName} at ${label}`);
  return {
    name,
    async stop() {
      await worker.close();
      return summary;
    },
  };
}
