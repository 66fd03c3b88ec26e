import { InputError } from "../../io/json.js";
import { type Command, JSON_OPTION } from "../framework.js";
import { markProverLoaded } from "../lazy.js";

/** The queue options `zkrs worker` and `zkrs prove solvency --queue` share. */
export const QUEUE_NAME_OPTION = {
  "queue-name": { type: "string", arg: "name", description: "BullMQ queue name (default zkrs-solvency; operator and workers must agree)" },
} as const;

/** Connection settings from --queue (password from the URL or ZKRS_REDIS_PASSWORD; CA from ZKRS_REDIS_CA). */
export async function queueConnection(url: string): Promise<import("../../operator/queue/redisConnection.js").RedisConnectionSettings> {
  const { parseRedisUrl, redisEnvironment } = await import("../../operator/queue/redisConnection.js");
  try {
    return parseRedisUrl(url, redisEnvironment());
  } catch (err) {
    throw new InputError(`--queue: ${(err as Error).message}`);
  }
}

function milliseconds(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^[1-9][0-9]*$/.test(value) || Number(value) < 100 || Number(value) > 3_600_000) throw new InputError(`--${flag} must be a whole number of milliseconds from 100 to 3600000, got "${value}"`);
  return Number(value);
}

export const workerCommands: Command[] = [
  {
    path: ["worker"],
    summary: "Operator: prove solvency batch jobs from a Redis queue (BullMQ) until stopped; run any number, on any machine.",
    details: [
      "Each job is one batch enqueued by `zkrs prove solvency --queue`. The worker needs the same build/",
      "(circuit and zkey) as the operator: a job made with other keys is refused with the reason. One job at a",
      "time (snarkjs uses every core). SIGINT or SIGTERM finishes the job in hand, then stops; a worker killed",
      "outright leaves its job to another worker once the lock expires (--lock-ms).",
      "SECURITY: jobs hold the accounts' private openings. Use a password (in the URL, or ZKRS_REDIS_PASSWORD",
      "to keep it out of the process list) and rediss:// (TLS; private CA in ZKRS_REDIS_CA) off a private host.",
    ],
    options: {
      queue: { type: "string", arg: "redis-url", description: "redis://[:password@]host[:port][/db] or rediss://... (TLS)", required: true },
      ...QUEUE_NAME_OPTION,
      name: { type: "string", arg: "name", description: "worker name in logs and results (default host:pid)" },
      "lock-ms": { type: "string", arg: "ms", description: "job lock duration: a dead worker's job is free again after this (default 60000)" },
      "stalled-ms": { type: "string", arg: "ms", description: "how often to look for jobs of dead workers (default 30000)" },
      ...JSON_OPTION,
    },
    async run(ctx, args) {
      const url = args.string("queue");
      const connection = await queueConnection(url);
      const lockDurationMs = milliseconds(args.optionalString("lock-ms"), "lock-ms", 60_000);
      const stalledIntervalMs = milliseconds(args.optionalString("stalled-ms"), "stalled-ms", 30_000);
      markProverLoaded();
      const { startSolvencyWorker } = await import("../../operator/queue/runSolvencyWorker.js");
      const running = await startSolvencyWorker({
        connection, url, queueName: args.optionalString("queue-name"), name: args.optionalString("name"), lockDurationMs, stalledIntervalMs, log: ctx.log,
      });
      const summary = await new Promise<{ proven: number; failed: number }>((resolve, reject) => {
        const stop = (signal: NodeJS.Signals): void => {
          ctx.log(`${signal}: finishing the job in hand, then stopping (send it again to abort at once)`);
          process.once(signal, () => process.exit(signal === "SIGINT" ? 130 : 143));
          running.stop().then(resolve, reject);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      return {
        json: { worker: running.name, proven: summary.proven, failed: summary.failed },
        human: [`worker ${running.name} stopped: ${summary.proven} job(s) proven, ${summary.failed} failed`],
      };
    },
  },
];
