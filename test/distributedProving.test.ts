import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type AccountOpening, newTraderAccount } from "../src/accounts/account.js";
import type { SolvencyInstance } from "../src/protocol/circuitCatalog.js";
import { type CircuitArtifacts, loadCircuitArtifacts } from "../src/artifacts/manifest.js";
import { PROJECT_ROOT } from "../src/artifacts/paths.js";
import { encodeOpening, encodeTable } from "../src/io/formats.js";
import { batchChainProblem, type BatchStatement, batchStatement, solvencyProofFile } from "../src/protocol/solvency.js";
import { toJsonText } from "../src/io/json.js";
import { printable } from "../src/io/printable.js";
import { BatchJobError, collectSolvencyBatches } from "../src/operator/queue/collectSolvencyBatches.js";
import { enqueueSolvencyBatches } from "../src/operator/queue/enqueueSolvencyBatches.js";
import { formatProgress, type QueueProgress } from "../src/operator/queue/progress.js";
import { proveSolvencyOnQueue } from "../src/operator/queue/proveSolvencyOnQueue.js";
import { parseRedisUrl, redactRedisUrl } from "../src/operator/queue/redisConnection.js";
import { canonicalJson, inputHash, type SolvencyJobData } from "../src/operator/queue/solvencyJob.js";
import { openSolvencyQueue, type SolvencyQueue } from "../src/operator/queue/solvencyQueue.js";
import { planSolvencyBatches } from "../src/operator/solvencyBatches.js";
import { liabilityTotals } from "../src/operator/solvencyTotals.js";
import { verifySolvency } from "../src/operator/verifySolvency.js";
import { proveCircuit, releaseProverThreads } from "../src/proof/groth16Prover.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { computeRiskTable, type RiskTable } from "../src/risk/riskEngine.js";
import { testSnapshot } from "./helpers/market.js";
import { type RedisServer, startRedisServer } from "../src/testbed/redisServer.js";

// Solvency batches proven by real `zkrs worker` processes through a real redis-server (BullMQ).

const CIRCUIT = "solvency_test";
const EPOCH = 11;
const PASSWORD = "pool s3cret/@:pw";
const BIN = join(PROJECT_ROOT, "bin", "zkrs.js");
/** Short locks so a killed worker's job is taken over within seconds. */
const FAST_STALL = ["--lock-ms", "5000", "--stalled-ms", "500"];

interface Proc {
  child: ChildProcess;
  /** Everything printed on stderr so far. */
  stderr: () => string;
  stdout: () => string;
  /** Resolves when a stderr line matches (rejects if the process ends first). */
  waitFor: (pattern: RegExp, guardMs?: number) => Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();

function zkrs(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let err = "";
  let out = "";
  const watchers: { pattern: RegExp; resolve: (l: string) => void }[] = [];
  child.stdout?.on("data", (d: Buffer) => { out += d.toString(); });
  child.stderr?.on("data", (d: Buffer) => {
    err += d.toString();
    for (const w of [...watchers]) {
      const line = err.split("\n").find((l) => w.pattern.test(l));
      if (line) {
        watchers.splice(watchers.indexOf(w), 1);
        w.resolve(line);
      }
    }
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => { children.delete(child); resolve({ code, signal }); });
  });
  const waitFor = (pattern: RegExp, guardMs = 120_000): Promise<string> => {
    const seen = err.split("\n").find((l) => pattern.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const guard = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${guardMs} ms:\n${err}`)), guardMs);
      watchers.push({ pattern, resolve: (l) => { clearTimeout(guard); resolve(l); } });
      void exited.then(({ code, signal }) => { clearTimeout(guard); reject(new Error(`zkrs ${args[0]} exited (${code ?? signal}) before printing ${pattern}:\n${err}`)); });
    });
  };
  return { child, stderr: () => err, stdout: () => out, waitFor, exited };
}

/** A `zkrs worker` on the test server, password from the environment, ready for jobs. */
async function startWorker(redis: RedisServer, name: string, extra: string[] = []): Promise<Proc> {
  const w = zkrs(["worker", "--queue", redis.bareUrl, "--name", name, ...extra], { ZKRS_REDIS_PASSWORD: PASSWORD });
  await w.waitFor(/waiting for jobs on queue/);
  return w;
}

/** The batches' public signals, read back as statements, form one chain (src/protocol/solvency.ts). */
const chainOk = (signals: string[][]): boolean => {
  const statements = signals.map((s) => batchStatement.fromSignals(s));
  return statements.every((s): s is BatchStatement => typeof s !== "string") && batchChainProblem(statements) === undefined;
};

/** Deterministic blindings, so two plans of the same accounts are the same batches. */
function seededBlinding(): () => bigint {
  let i = 0n;
  return () => 1_000_003n * ++i + 77n;
}

describe("distributed solvency proving (BullMQ on a real redis-server)", function () {
  let redis: RedisServer;
  let artifacts: CircuitArtifacts;
  let params: SolvencyInstance["params"];
  let table: RiskTable;
  let accounts: AccountOpening[];
  let bound: bigint;
  let dir: string;
  const workers: Proc[] = [];

  before(async function () {
    artifacts = loadCircuitArtifacts(CIRCUIT);
    if (artifacts.instance.kind !== "solvency") throw new Error("expected a solvency circuit");
    params = artifacts.instance.params;
    table = computeRiskTable(testSnapshot(EPOCH));
    // Six accounts: two batches of four slots.
    accounts = Array.from({ length: 6 }, (_, j) => newTraderAccount(BigInt(1 + j) * 1_000_000_000n, [
      { instrument: j % 4, quantity: BigInt((j % 3) - 1) * 2n }, { instrument: (j + 1) % 4, quantity: BigInt(j % 2) },
    ]));
    const totals = liabilityTotals(accounts, commitRiskTable(table, params.logInstruments).rows, params.scenarios);
    bound = totals.reduce((m, t) => (t > m ? t : m), 0n);
    dir = mkdtempSync(join(tmpdir(), "zkrs-queue-"));
    redis = await startRedisServer({ password: PASSWORD });
  });

  after(async function () {
    for (const child of children) child.kill("SIGKILL");
    if (redis) await redis.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await releaseProverThreads();
  });

  describe("queue URLs", function () {
    it("parses redis:// and rediss:// with user, password, port and db; the password never shows in messages", function () {
      const plain = parseRedisUrl("redis://:p%40ss%2Fw@10.0.0.5:6380/2");
      assert.deepEqual(plain, { host: "10.0.0.5", port: 6380, db: 2, password: "p@ss/w", maxRetriesPerRequest: null });
      const tls = parseRedisUrl("rediss://prover:pw@redis.example.org");
      assert.deepEqual(tls, { host: "redis.example.org", port: 6379, db: 0, username: "prover", password: "pw", tls: { servername: "redis.example.org" }, maxRetriesPerRequest: null });
      assert.equal(parseRedisUrl("redis://127.0.0.1:7000", { password: "from-env" }).password, "from-env");
      assert.equal(parseRedisUrl("redis://:in-url@127.0.0.1", { password: "from-env" }).password, "in-url");
      assert.throws(() => parseRedisUrl("http://:pw@host"), /scheme must be redis:\/\/ or rediss:\/\//);
      assert.throws(() => parseRedisUrl("redis://host/x"), /database must be a number/);
      assert.throws(() => parseRedisUrl("not a url :hunter2@"), (err: Error) => /is not a URL/.test(err.message) && !err.message.includes("hunter2"));
      assert.equal(redactRedisUrl("rediss://prover:p@ss:w@host:1/0"), "rediss://prover:***@host:1/0");
      assert.equal(redactRedisUrl("redis://127.0.0.1:6379"), "redis://127.0.0.1:6379");
    });

    it("prints text from Redis (job ids, failure reasons) on one line, control characters escaped", function () {
      assert.equal(printable("batch 1\nfake: proven\x1b[2K\r\u009b"), "batch 1\\x0afake: proven\\x1b[2K\\x0d\\x9b");
      assert.equal(printable("x".repeat(10), 4), "xxxx…");
      assert.equal(printable("plain reason (ok)"), "plain reason (ok)");
    });

    it("hashes a job input canonically: the same input in any key order has one hash", function () {
      assert.equal(canonicalJson({ b: ["1", ["2"]], a: "3" }), '{"a":"3","b":["1",["2"]]}');
      assert.equal(inputHash({ x: "1", y: ["2", "3"] }), inputHash({ y: ["2", "3"], x: "1" }));
      assert.notEqual(inputHash({ x: "1" }), inputHash({ x: "2" }));
    });
  });

  describe("with workers", function () {
    let queue: SolvencyQueue;
    before(async function () {
      queue = await openSolvencyQueue(parseRedisUrl(redis.url), redactRedisUrl(redis.url));
    });
    after(async function () {
      if (queue) await queue.close();
    });

    let first: Awaited<ReturnType<typeof proveSolvencyOnQueue>>;

    it("two workers prove an epoch; every batch equals the in-process proof of the same batches", async function () {
      workers.push(...(await Promise.all([startWorker(redis, "w1"), startWorker(redis, "w2")])));
      const progress: QueueProgress[] = [];
      first = await proveSolvencyOnQueue(accounts, table, {
        circuit: CIRCUIT, connection: parseRedisUrl(redis.url), url: redis.url, randomBlinding: seededBlinding(), pollMs: 100, keepJobs: true,
        onProgress: (p) => progress.push(p),
      });
      assert.equal(first.proof.batches.length, 2);
      assert.deepEqual(await verifySolvency(first.proof), { valid: true });
      assert.deepEqual(new Set(first.jobs.map((j) => j.worker)), new Set(["w1", "w2"]), "both workers proved a batch");

      // In process, the same plan (same blindings): the same public signals, batch by batch.
      const plan = planSolvencyBatches(accounts, table, EPOCH, params, { randomBlinding: seededBlinding() });
      for (const [k, batch] of plan.batches.entries()) {
        const local = await proveCircuit(artifacts, batch.input);
        assert.deepEqual(first.proof.batches[k].publicSignals, local.publicSignals, `batch ${k}`);
        assert.deepEqual(first.proof.batches[k].statement, batch.statement);
      }
      assert.deepEqual(first.totals, plan.totals);
      assert.equal(first.proof.accountsRoot, plan.tree.root);
      assert.equal(first.proof.riskRoot, plan.risk.riskRoot);

      assert.equal(progress[0].done, 0);
      assert.ok(progress.every((p, i) => i === 0 || p.done > progress[i - 1].done), "progress only moves forward");
      const last = progress[progress.length - 1];
      assert.deepEqual([last.done, last.total], [2, 2]);
      assert.match(formatProgress(last, 4), /^batch 2\/2 proven \(100%\), [0-9.]+ batches\/s \([0-9.]+ accounts\/s\), done in /);
      assert.match(formatProgress({ ...last, done: 1, etaMs: 4000 }, 4), /^batch 1\/2 proven \(50%\), .*, ETA 4 s$/);
    });

    it("enqueueing the same batches again makes no new job and returns the same answer, not a second proof", async function () {
      const plan = planSolvencyBatches(accounts, table, EPOCH, params, { randomBlinding: seededBlinding() });
      const zkey = artifacts.keys.zkeySha256;
      const once = await enqueueSolvencyBatches(queue, plan, CIRCUIT, zkey);
      const twice = await enqueueSolvencyBatches(queue, plan, CIRCUIT, zkey);
      assert.deepEqual(twice, once);
      assert.deepEqual(once.map((e) => e.jobId), first.jobs.map((j) => j.jobId));
      const total = async (): Promise<number> => Object.values(await queue.getJobCounts("waiting", "active", "completed", "failed", "delayed", "prioritized")).reduce((a, b) => a + b, 0);
      assert.equal(await total(), 2);
      const seen: number[] = [];
      // A window of one job: the second batch goes on the queue only once the first is collected.
      const again = await collectSolvencyBatches(queue, plan, CIRCUIT, zkey, { pollMs: 100, window: 1, onProgress: (p) => seen.push(p.done) });
      assert.deepEqual(seen, [0, 1, 2]);
      // Groth16 proofs are randomised: an identical proof means the job was not proven twice.
      assert.deepEqual(again.batches.map((b) => b.proof), first.proof.batches.map((b) => b.proof));
      assert.equal(await total(), 0, "collected jobs (private inputs) are removed from Redis");
    });

    it("jobs lost by a Redis that restarted empty (flushed mid-run) are enqueued again; the run still returns a valid proof (issue 16 item 9)", async function () {
      const plan = planSolvencyBatches(accounts, table, EPOCH, params);
      const provingLines = (): number => workers.map((w) => w.stderr().split("\n").filter((l) => /: proving, attempt/.test(l)).length).reduce((a, b) => a + b, 0);
      const before = provingLines();
      const lines: string[] = [];
      const collecting = collectSolvencyBatches(queue, plan, CIRCUIT, artifacts.keys.zkeySha256, { pollMs: 100, lostCheckMs: 300, log: (l) => lines.push(l) });
      for (let i = 0; i < 1200 && provingLines() === before; i++) await new Promise((r) => setTimeout(r, 50));
      assert.ok(provingLines() > before, "a worker started a job");
      const { Redis } = await import("ioredis");
      const admin = new Redis({ ...parseRedisUrl(redis.url), maxRetriesPerRequest: 1 });
      try {
        await admin.flushall(); // what a restart without persistence leaves
      } finally {
        admin.disconnect();
      }
      const got = await collecting;
      assert.equal(got.batches.length, 2);
      assert.match(lines.join("\n"), /the jobs of batch\(es\) [0-9, ]+ vanished from Redis \(restarted without persistence, or flushed\?\): enqueued again/);
      assert.equal(chainOk(got.batches.map((b) => b.publicSignals)), true);
      for (const [k, b] of got.batches.entries()) assert.deepEqual(b.statement, plan.batches[k].statement);
    });

    it("a batch whose witness fails (a stress total one unit above the exact one) fails once, with the constraint as its reason", async function () {
      const plan = planSolvencyBatches(accounts, table, EPOCH, params);
      plan.batches[1].input.stressTotal = bound + 1n;
      await assert.rejects(collectSolvencyBatches(queue, plan, CIRCUIT, artifacts.keys.zkeySha256, { pollMs: 100, attempts: 3, window: 1 }), (err: unknown) => {
        assert.ok(err instanceof BatchJobError, String(err));
        assert.equal(err.batchIndex, 1, "the last batch carries the figures");
        assert.equal(err.attemptsMade, 1, "not retried");
        assert.match(err.reason, /batch 1: solvency_test: the witness violates a circuit constraint \(.*Assert Failed/);
        return true;
      });
      assert.deepEqual(await queue.getJobCounts("waiting", "active", "completed", "failed", "delayed"), { waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 });
      // The workers saw the same reason, and logged no private input (no salt, no collateral).
      assert.ok(workers.some((w) => /failed: batch 1: solvency_test: the witness violates/.test(w.stderr())), "a worker logged the reason");
      const logs = workers.map((w) => w.stderr()).join("\n");
      for (const a of accounts) {
        assert.equal(logs.includes(a.salt.toString()), false, "a salt was logged");
        assert.equal(logs.includes(a.accountKey.toString()), false, "an account key was logged");
      }
    });

    it("a job made with other keys than the workers' is refused at once, naming the mismatch", async function () {
      const plan = planSolvencyBatches(accounts, table, EPOCH, params);
      await assert.rejects(collectSolvencyBatches(queue, plan, CIRCUIT, "ab".repeat(32), { pollMs: 100, window: 1 }), (err: unknown) => {
        assert.ok(err instanceof BatchJobError, String(err));
        assert.equal(err.batchIndex, 0);
        assert.equal(err.attemptsMade, 1);
        assert.match(err.reason, /^worker w[12] has other keys for solvency_test \(zkey sha256 [0-9a-f]{12}…, the operator's is abababababab…\)/);
        return true;
      });
    });

    it("a job whose id and fields carry a newline or an ANSI escape fails before anything of it is printed; the worker prints it escaped (issue 16 item 12)", async function () {
      const jobId = "e7-evil\x1b[2K\rjob\nfake"; // BullMQ refuses ":" in an id
      const data = {
        version: 1, epoch: "7\nfake: proven in 0.1 s", batchIndex: 0, batchCount: 1, circuit: CIRCUIT, zkeySha256: artifacts.keys.zkeySha256, inputHash: "0".repeat(64), input: {},
      } as unknown as SolvencyJobData;
      await queue.add("solvency-batch", data, { jobId, attempts: 1 });
      const failed = async (): Promise<boolean> => (await queue.getJob(jobId))?.failedReason !== undefined;
      for (let i = 0; i < 600 && !(await failed()); i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal((await queue.getJob(jobId))?.failedReason, "job field epoch is not a non-negative integer");
      await (await queue.getJob(jobId))?.remove();
      const logs = workers.map((w) => w.stderr()).join("\n");
      assert.doesNotMatch(logs, /^fake/m, "a job field started a line of its own");
      assert.equal(logs.includes("\x1b"), false, "an ANSI escape reached the log");
      assert.match(logs, /^job e7-evil\\x1b\[2K\\x0djob\\x0afake: failed: job field epoch is not a non-negative integer$/m);
    });

    it("SIGTERM stops a worker cleanly (exit 0) with what it proved", async function () {
      for (const w of workers.splice(0)) {
        w.child.kill("SIGTERM");
        assert.deepEqual(await w.exited, { code: 0, signal: null }, w.stderr());
        assert.match(w.stdout(), /^worker w[12] stopped: \d+ job\(s\) proven, \d+ failed/);
      }
    });
  });

  describe("from the command line", function () {
    it("a worker killed (SIGKILL) while proving: another worker takes its job over and `zkrs prove solvency --queue` still returns a valid proof", async function () {
      mkdirSync(join(dir, "openings"));
      accounts.forEach((a, j) => writeFileSync(join(dir, "openings", `acct${String(j).padStart(2, "0")}.json`), toJsonText(encodeOpening(a))));
      const risk = commitRiskTable(table, params.logInstruments);
      writeFileSync(join(dir, "table.json"), toJsonText(encodeTable(table, params.logInstruments, risk.riskRoot)));

      const doomed = await startWorker(redis, "doomed", FAST_STALL);
      const out = join(dir, "solvency.json");
      const operator = zkrs(["prove", "solvency", "--openings", join(dir, "openings"), "--table", join(dir, "table.json"), "--bound", bound.toString(),
        "--circuit", CIRCUIT, "--queue", redis.url, "--out", out]);
      await doomed.waitFor(/: proving, attempt 1/);
      doomed.child.kill("SIGKILL");
      assert.deepEqual(await doomed.exited, { code: null, signal: "SIGKILL" });
      assert.doesNotMatch(doomed.stderr(), /proven in/, "killed before it finished its first job");

      const rescuer = await startWorker(redis, "rescuer", FAST_STALL);
      const { code } = await operator.exited;
      assert.equal(code, 0, operator.stderr());
      // The rescuer proved both batches, the killed worker's one on its second start.
      const provenJobs = new Set(rescuer.stderr().split("\n").filter((l) => /: proven in/.test(l)).map((l) => l.split(":")[0]));
      assert.equal(provenJobs.size, 2, rescuer.stderr());
      assert.match(rescuer.stderr(), /: proving, attempt 2/);
      const proof = solvencyProofFile.decode(out, JSON.parse(readFileSync(out, "utf8")));
      assert.equal(proof.batches.length, 2);
      assert.deepEqual(await verifySolvency(proof), { valid: true });
      // Progress was shown while it ran, and the password never was.
      assert.match(operator.stderr(), /batch 2\/2 proven \(100%\)/);
      assert.match(operator.stderr(), /ETA /);
      assert.match(operator.stderr(), /1 worker\(s\) connected to queue zkrs-solvency/, "the doomed worker was connected when the jobs went in");
      // (The other batch is normally proven at its first start; on a heavily loaded machine a 5 s lock can lapse and restart it too.)
      assert.match(operator.stderr(), /proven by rescuer \(2\); [12] batch\(es\) restarted after a worker stopped or failed/);
      assert.equal(operator.stderr().includes(PASSWORD) || operator.stderr().includes(encodeURIComponent(PASSWORD)), false);
      assert.match(operator.stderr(), /redis:\/\/:\*\*\*@127\.0\.0\.1/);
      rescuer.child.kill("SIGTERM");
      assert.equal((await rescuer.exited).code, 0);
    });

    it("a wrong password is one clear error (exit 1), without the password", async function () {
      const w = zkrs(["worker", "--queue", `redis://:not-the-password@127.0.0.1:${redis.port}`]);
      const { code } = await w.exited;
      assert.equal(code, 1);
      const errors = w.stderr().split("\n").filter((l) => l.startsWith("zkrs: "));
      assert.equal(errors.length, 1, w.stderr());
      assert.match(errors[0], /^zkrs: cannot use the Redis queue at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: WRONGPASS/);
      assert.equal(w.stderr().includes("not-the-password"), false);
    });

    it("rediss:// against a plain (non-TLS) server says TLS failed, at once rather than a connect timeout (issue 16 item 9)", async function () {
      const started = Date.now();
      const w = zkrs(["worker", "--queue", `rediss://127.0.0.1:${redis.port}`], { ZKRS_REDIS_PASSWORD: PASSWORD });
      const { code } = await w.exited;
      assert.equal(code, 1);
      const errors = w.stderr().split("\n").filter((l) => l.startsWith("zkrs: "));
      assert.equal(errors.length, 1, w.stderr());
      assert.match(errors[0], /^zkrs: cannot use the Redis queue at rediss:\/\/127\.0\.0\.1:\d+: TLS failed: the server accepted the connection but gave no TLS answer in 5 s \(a plain redis:\/\/ server\?/);
      assert.ok(Date.now() - started < 60_000);
    });
  });
});
