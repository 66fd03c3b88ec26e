import { Queue } from "bullmq";
import { checkRedisReachable, type RedisConnectionSettings } from "./redisConnection.js";
import { checkQueueName, DEFAULT_QUEUE_NAME, type SolvencyJobData, type SolvencyJobResult } from "./solvencyJob.js";

export type SolvencyQueue = Queue<SolvencyJobData, SolvencyJobResult>;

/**
 * The operator's handle on the job queue, after checking Redis answers (password, TLS).
 * `label` is the redacted URL used in messages. Close it with `queue.close()`.
 */
export async function openSolvencyQueue(connection: RedisConnectionSettings, label: string, queueName = DEFAULT_QUEUE_NAME): Promise<SolvencyQueue> {
  checkQueueName(queueName);
  await checkRedisReachable(connection, label);
  const queue: SolvencyQueue = new Queue<SolvencyJobData, SolvencyJobResult>(queueName, { connection: { ...connection } });
  queue.on("error", () => {}); // connection errors surface as rejected calls
  await queue.waitUntilReady();
  return queue;
}
