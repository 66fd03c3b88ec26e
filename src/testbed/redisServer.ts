/**
 * A real redis-server for tests: its own temporary directory, a free 127.0.0.1 port, no
 * persistence (`--save ''`, no AOF), an optional password. `stop()` always ends it and removes
 * the directory; a process exit ends it too, so a failing test never leaves one running.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../chain/localChain.js";

export interface RedisServer {
  port: number;
  /** redis://[:password@]127.0.0.1:port */
  url: string;
  /** The URL without the password (for clients that take it from ZKRS_REDIS_PASSWORD). */
  bareUrl: string;
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
process.on("exit", () => { for (const child of running) child.kill("SIGKILL"); });

export async function startRedisServer(options: { password?: string } = {}): Promise<RedisServer> {
  if (spawnSync("redis-server", ["--version"]).status !== 0) throw new Error("redis-server is not installed (Debian: apt-get install -y redis-server)");
  const dir = mkdtempSync(join(tmpdir(), "zkrs-redis-"));
  const port = await freePort();
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"];
  if (options.password) args.push("--requirepass", options.password);
  const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let output = "";
  child.stdout?.on("data", (d: Buffer) => { output += d.toString(); });
  child.stderr?.on("data", (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once("exit", () => { running.delete(child); resolve(); }));
  const stop = async (): Promise<void> => {
    if (running.has(child)) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForPing(port, options.password, () => !running.has(child));
  } catch (err) {
    await stop();
    throw new Error(`redis-server did not start on port ${port}: ${(err as Error).message}\n${output}`);
  }
  const auth = options.password ? `:${encodeURIComponent(options.password)}@` : "";
  return { port, url: `redis://${auth}127.0.0.1:${port}`, bareUrl: `redis://127.0.0.1:${port}`, stop };
}

async function waitForPing(port: number, password: string | undefined, dead: () => boolean): Promise<void> {
  const { Redis } = await import("ioredis");
  for (let i = 0; i < 100; i++) {
    if (dead()) throw new Error("the process exited");
    const client = new Redis({ host: "127.0.0.1", port, password, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    client.on("error", () => {});
    try {
      await client.connect();
      if ((await client.ping()) === "PONG") return;
    } catch {
      // not listening yet
    } finally {
      client.disconnect();
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no PONG after 10 s");
}
