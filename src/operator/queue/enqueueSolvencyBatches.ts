import type { SolvencyPlan } from "../solvencyBatches.js";
import { encodeCircuitInput, inputHash, SOLVENCY_JOB_NAME, type SolvencyJobData, solvencyJobId } from "./solvencyJob.js";
import type { SolvencyQueue } from "./solvencyQueue.js";

export interface EnqueuedBatch {
  jobId: string;
  batchIndex: number;
}

export interface EnqueueOptions {
  /** Tries per job for ordinary errors (a bad witness fails at once). Default 3. */
  attempts?: number;
  /** Enqueue only batches [from, to) (default: all). */
  from?: number;
  to?: number;
}

/**
 * Backstop for finished jobs no collector removed (it died): BullMQ drops them once they are
 * this old (checked whenever another job finishes). A running collector removes each job as
 * soon as it has checked it, so this never races it.
 */
const ORPHAN_SECONDS = 24 * 3600;

/** Jobs added per round trip. */
const CHUNK = 500;

/**
 * Adds one job per planned batch (or per batch of a range). Each job id is (epoch, batch index, input hash): adding a
 * batch that is already queued, running or done is a no-op, so a duplicated enqueue never
 * creates a second job, let alone a second answer. Jobs are kept after they finish until the
 * collector has read and removed them (at most a day if it never does): they hold private inputs.
 */
export async function enqueueSolvencyBatches(queue: SolvencyQueue, plan: SolvencyPlan, circuit: string, zkeySha256: string, options: EnqueueOptions = {}): Promise<EnqueuedBatch[]> {
  const attempts = options.attempts ?? 3;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError(`attempts must be a positive integer, got ${attempts}`);
  if (!/^[0-9a-f]{64}$/.test(zkeySha256)) throw new RangeError(`zkeySha256 must be 64 hex digits, got "${zkeySha256}"`);
  const from = options.from ?? 0;
  const to = options.to ?? plan.batches.length;
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > plan.batches.length || from > to) {
    throw new RangeError(`batch range [${from}, ${to}) is not within the plan's ${plan.batches.length} batches`);
  }
  const jobs = plan.batches.slice(from, to).map((b) => {
    const input = encodeCircuitInput(b.input);
    const hash = inputHash(input);
    const s = b.statement;
    const data: SolvencyJobData = { version: 1, epoch: s.epoch, batchIndex: s.batchIndex, batchCount: plan.batches.length, circuit, zkeySha256, inputHash: hash, input };
    return { jobId: solvencyJobId(s.epoch, s.batchIndex, hash), data };
  });
  for (let i = 0; i < jobs.length; i += CHUNK) {
    await queue.addBulk(jobs.slice(i, i + CHUNK).map(({ jobId, data }) => ({
      name: SOLVENCY_JOB_NAME,
      data,
      opts: { jobId, attempts, backoff: { type: "exponential", delay: 1000 }, removeOnComplete: { age: ORPHAN_SECONDS }, removeOnFail: { age: ORPHAN_SECONDS } },
    })));
  }
  return jobs.map(({ jobId, data }) => ({ jobId, batchIndex: data.batchIndex }));
}
