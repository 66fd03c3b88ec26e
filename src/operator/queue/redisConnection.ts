/**
 * Where the solvency job queue lives: a Redis server named by a `redis://` or `rediss://` URL.
 * Job payloads hold private account openings, so the connection is the operator's secret
 * channel: use a password (in the URL or, kept out of the process list, in
 * `ZKRS_REDIS_PASSWORD`) and TLS (`rediss://`) whenever Redis is not on a private host.
 * Only `redactRedisUrl` output is ever printed.
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { connect as tlsConnect } from "node:tls";

/** Connection settings handed to BullMQ / ioredis. */
export interface RedisConnectionSettings {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** Present for `rediss://`: TLS with server-certificate checking (optionally a private CA). */
  tls?: { servername?: string; ca?: string };
  /** BullMQ workers block on Redis: commands must wait for a reconnect instead of failing. */
  maxRetriesPerRequest: null;
}

export interface RedisEnvironment {
  /** Password when the URL carries none (`ZKRS_REDIS_PASSWORD`). */
  password?: string;
  /** PEM file of a private CA for `rediss://` (`ZKRS_REDIS_CA`). */
  caFile?: string;
}

/** The environment variables the queue connection reads. */
export function redisEnvironment(env: NodeJS.ProcessEnv = process.env): RedisEnvironment {
  return { password: env.ZKRS_REDIS_PASSWORD || undefined, caFile: env.ZKRS_REDIS_CA || undefined };
}

/**
 * Parses `redis[s]://[[user]:password@]host[:port][/db]`. Errors name the part that is wrong and
 * never repeat the password.
 */
export function parseRedisUrl(text: string, env: RedisEnvironment = {}): RedisConnectionSettings {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RangeError("queue URL is not a URL (expected redis://[:password@]host[:port][/db] or rediss://...)");
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new RangeError(`queue URL scheme must be redis:// or rediss:// (TLS), got ${url.protocol}//`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  if (!host) throw new RangeError("queue URL has no host");
  const port = url.port ? Number(url.port) : 6379;
  const dbText = url.pathname.replace(/^\//, "");
  if (dbText !== "" && !/^(0|[1-9][0-9]?)$/.test(dbText)) throw new RangeError(`queue URL database must be a number from 0 to 99, got "/${dbText}"`);
  if (url.search || url.hash) throw new RangeError("queue URL takes no query or fragment");
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : env.password;
  const settings: RedisConnectionSettings = { host, port, db: dbText === "" ? 0 : Number(dbText), maxRetriesPerRequest: null };
  if (username) settings.username = username;
  if (password) settings.password = password;
  if (url.protocol === "rediss:") {
    settings.tls = isIP(host) === 0 ? { servername: host } : {}; // SNI takes host names only (RFC 6066)
    if (env.caFile) {
      try {
        settings.tls.ca = readFileSync(env.caFile, "utf8");
      } catch (err) {
        throw new RangeError(`ZKRS_REDIS_CA ${env.caFile}: cannot read (${(err as Error).message})`);
      }
    }
  }
  return settings;
}

/** The URL with any password replaced by `***`: the only form of it that may be printed. */
export function redactRedisUrl(text: string): string {
  return text.replace(/^([a-z]+:\/\/)(.*)@/i, (_all, scheme: string, credentials: string) => {
    const colon = credentials.indexOf(":");
    return `${scheme}${colon < 0 ? "***" : `${credentials.slice(0, colon)}:***`}@`;
  });
}

/**
 * Connects once, fail-fast, and PINGs: a wrong password, host or TLS setting becomes one clear
 * error here instead of BullMQ reconnecting forever. The message shows the redacted URL only.
 */
export async function checkRedisReachable(settings: RedisConnectionSettings, label: string): Promise<void> {
  if (settings.tls) await checkTlsHandshake(settings, label);
  const { Redis } = await import("ioredis");
  const client = new Redis({ ...settings, lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: 10_000 });
  let first: Error | undefined; // the cause (WRONGPASS, ECONNREFUSED, TLS), before "Connection is closed"
  client.on("error", (err: Error) => { first ??= err; });
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    const reason = first?.message ?? (err instanceof Error ? err.message : String(err));
    throw new Error(`cannot use the Redis queue at ${label}: ${reason}`);
  } finally {
    client.disconnect();
  }
}

/**
 * For `rediss://`: one TLS handshake before Redis is spoken, so a plain (non-TLS) server, which
 * never answers a TLS hello, or a certificate that does not check, is one clear "TLS failed"
 * error instead of a connect timeout.
 */
export function checkTlsHandshake(settings: RedisConnectionSettings, label: string, timeoutMs = 5_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let tcpUp = false;
    const socket = tlsConnect({ host: settings.host, port: settings.port, ...settings.tls });
    const fail = (reason: string): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`cannot use the Redis queue at ${label}: TLS failed: ${reason}`));
    };
    const timer = setTimeout(() => fail(tcpUp
      ? `the server accepted the connection but gave no TLS answer in ${timeoutMs / 1000} s (a plain redis:// server? use redis:// for it, or enable TLS on the server)`
      : `no connection within ${timeoutMs / 1000} s`), timeoutMs);
    socket.once("connect", () => { tcpUp = true; });
    socket.once("secureConnect", () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once("error", (err: Error) => fail(tcpUp ? `${err.message} (a plain redis:// server, or a certificate that does not check?)` : err.message));
  });
}
