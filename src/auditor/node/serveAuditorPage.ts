import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, resolve, sep } from "node:path";
import { CIRCUITS } from "../../protocol/circuitCatalog.js";
import { readManifest } from "../../artifacts/manifest.js";
import type { AuditCircuits } from "../epochAudit.js";
import { AUDITOR_PAGE_DIR } from "./buildAuditorPage.js";
import { FORMATS } from "../../io/json.js";

export interface AuditorServerOptions {
  /** Port on 127.0.0.1 (default 0: a free one). */
  port?: number;
  /** Prefilled in the page (the auditor can change them there). */
  rpcUrl?: string;
  pool?: string;
  fromBlock?: number;
  /** "test" or "reference" (default reference). */
  circuits?: string;
  /** Published risk table files (zkrs/risk-table@2), or directories of them, served at tables/<epoch>.json. */
  tables?: string[];
  /** Published leaf-hash files (zkrs/leaf-hashes@1), or directories of them, served at leaf-hashes/<epoch>.json. */
  leafHashes?: string[];
  /** The built page (default build/auditor-page). */
  pageDir?: string;
}

export interface AuditorServer {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
  ".json": "application/json", ".svg": "image/svg+xml", ".png": "image/png", ".wasm": "application/wasm",
};

/** The circuit sets the catalog defines, each with its liquidation and risk-table circuits when there are. */
function circuitSets(): Record<string, AuditCircuits> {
  const sets: Record<string, AuditCircuits> = {};
  for (const set of ["test", "reference"] as const) {
    const of = (kind: string): string | undefined => CIRCUITS.find((c) => c.set === set && c.kind === kind)?.name;
    const margin = of("margin");
    const solvency = of("solvency");
    const liquidation = of("liquidation");
    const riskTable = of("riskTable");
    const exit = of("exit");
    if (margin && solvency) sets[set] = { margin, solvency, ...(liquidation ? { liquidation } : {}), ...(riskTable ? { riskTable } : {}), ...(exit ? { exit } : {}) };
  }
  return sets;
}

/** A Host header naming a loopback host (any port): 127.0.0.1, localhost or [::1]. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (host === undefined) return false;
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:]+)(?::([0-9]{1,5}))?$/.exec(host);
  if (!m) return false;
  const name = m[1].toLowerCase();
  return name === "127.0.0.1" || name === "localhost" || name === "[::1]";
}

/**
 * Epoch -> file of one format (risk tables, leaf hashes), from the given files and directories
 * (read each time: new epochs' files show up).
 */
function epochFiles(paths: readonly string[], format: string): Map<number, string> {
  const out = new Map<number, string>();
  const consider = (file: string): void => {
    try {
      const data = JSON.parse(readFileSync(file, "utf8")) as { format?: unknown; epoch?: unknown };
      if (data.format === format && Number.isInteger(data.epoch)) out.set(data.epoch as number, file);
    } catch {
      // not a table file: skipped
    }
  };
  for (const p of paths) {
    if (!existsSync(p)) continue;
    if (statSync(p).isDirectory()) for (const f of readdirSync(p)) { if (f.endsWith(".json")) consider(join(p, f)); }
    else consider(p);
  }
  return out;
}

/**
 * Serves the auditor's page on 127.0.0.1, beside what it needs and nothing else: the
 * verification keys of the built circuits (keys/<circuit>.json), the pool's ABI, the published
 * risk tables and leaf-hash files, config.json (the prefilled RPC URL, pool and circuits) and, for
 * the trader's page (trader.html), the margin circuits' wasm and zkey. Read-only, GET only. The
 * pages talk to the chain themselves; this server never sees the trader's files.
 */
export async function serveAuditorPage(options: AuditorServerOptions = {}): Promise<AuditorServer> {
  const pageDir = resolve(options.pageDir ?? AUDITOR_PAGE_DIR);
  if (!existsSync(join(pageDir, "index.html"))) throw new Error(`the auditor's page is not built (${pageDir}): run \`npm run auditor\` or buildAuditorPage()`);
  const tables = options.tables ?? [];
  const leafHashes = options.leafHashes ?? [];
  const realPageDir = realpathSync(pageDir);

  const send = (res: ServerResponse, status: number, body: string | Buffer, type = "text/plain; charset=utf-8"): void => {
    res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff" });
    res.end(body);
  };
  const json = (res: ServerResponse, value: unknown): void => send(res, 200, JSON.stringify(value), TYPES[".json"]);

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    // DNS rebinding: a page of another site whose name now resolves to 127.0.0.1 sends its own
    // host name; only loopback names reach config.json (its RPC URL may carry an API key).
    if (!isLoopbackHost(req.headers.host)) return send(res, 403, "this server answers only requests to 127.0.0.1, localhost or [::1]\n");
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "read-only server\n");
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    } catch {
      return send(res, 400, "malformed URL (bad percent-encoding)\n");
    }
    if (path === "/config.json") {
      const manifest = readManifest();
      const sets = circuitSets();
      return json(res, {
        rpcUrl: options.rpcUrl, pool: options.pool, fromBlock: options.fromBlock, circuits: options.circuits ?? "reference",
        circuitSets: sets, tables: [...epochFiles(tables, FORMATS.table).keys()].sort((a, b) => a - b),
        leafHashes: [...epochFiles(leafHashes, FORMATS.leafHashes).keys()].sort((a, b) => a - b),
        insecureKeys: Object.values(sets).flatMap((s) => Object.values(s)).some((c) => manifest.circuits[c]?.insecure),
      });
    }
    let m = /^\/keys\/([A-Za-z0-9_]+)\.json$/.exec(path);
    if (m) {
      const entry = readManifest().circuits[m[1]];
      if (!entry || !existsSync(entry.keys.vkey)) return send(res, 404, `no verification key for circuit ${m[1]} (not built)\n`);
      return send(res, 200, readFileSync(entry.keys.vkey), TYPES[".json"]);
    }
    if (path === "/contracts/RiskSharingPool.abi.json") {
      const artifact = readManifest().contracts?.artifacts.RiskSharingPool;
      if (!artifact) return send(res, 404, "contracts are not built\n");
      return json(res, artifact.abi);
    }
    // The trader's page proves margin (and, in a frozen pool, exit) in the browser: those circuits'
    // witness generators and proving keys are public (no other circuit's, nothing else of build/).
    m = /^\/circuits\/([A-Za-z0-9_]+)\.(wasm|zkey)$/.exec(path);
    if (m) {
      const entry = readManifest().circuits[m[1]];
      const file = entry?.instance.kind !== "margin" && entry?.instance.kind !== "exit" ? undefined : m[2] === "wasm" ? entry.circuit.wasm : entry.keys.zkey;
      if (!file || !existsSync(file)) return send(res, 404, `no margin or exit circuit ${m[1]} built\n`);
      return send(res, 200, readFileSync(file), m[2] === "wasm" ? TYPES[".wasm"] : "application/octet-stream");
    }
    if (path === "/trader" && existsSync(join(pageDir, "trader.html"))) return send(res, 200, readFileSync(join(pageDir, "trader.html")), TYPES[".html"]);
    m = /^\/tables\/([0-9]+)\.json$/.exec(path);
    if (m) {
      const file = epochFiles(tables, FORMATS.table).get(Number(m[1]));
      if (!file) return send(res, 404, `no published table for epoch ${m[1]}\n`);
      return send(res, 200, readFileSync(file), TYPES[".json"]);
    }
    m = /^\/leaf-hashes\/([0-9]+)\.json$/.exec(path);
    if (m) {
      const file = epochFiles(leafHashes, FORMATS.leafHashes).get(Number(m[1]));
      if (!file) return send(res, 404, `no published leaf hashes for epoch ${m[1]}\n`);
      return send(res, 200, readFileSync(file), TYPES[".json"]);
    }
    const file = normalize(join(pageDir, path === "/" ? "index.html" : path));
    if (!file.startsWith(pageDir + sep) || !existsSync(file)) return send(res, 404, "not found\n");
    // A symlink inside the page folder must not lead out of it.
    const real = realpathSync(file);
    if (!real.startsWith(realPageDir + sep) || !statSync(real).isFile()) return send(res, 404, "not found\n");
    return send(res, 200, readFileSync(real), TYPES[extname(file)] ?? "application/octet-stream");
  };

  const server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      send(res, 500, `${(err as Error).message}\n`);
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once("error", fail);
    server.listen(options.port ?? 0, "127.0.0.1", () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
