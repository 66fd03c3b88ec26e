import { buildAuditorPage } from "./buildAuditorPage.js";
import { serveAuditorPage } from "./serveAuditorPage.js";

export interface ServeCommandOptions {
  rpcUrl?: string;
  pool?: string;
  circuits?: string;
  fromBlock?: number;
  /** Published risk table files or folders of them. */
  tables: string[];
  /** Published leaf-hash files or folders of them. */
  leafHashes?: string[];
  port: number;
  /** Progress lines (stderr). */
  log: (line: string) => void;
  step: <T>(label: string, fn: () => Promise<T>) => Promise<T>;
  /** Resolves when the server should stop (default: Ctrl-C / SIGTERM). */
  until?: Promise<void>;
}

/**
 * `zkrs audit --serve` and `npm run auditor`: builds the auditor's page if its sources changed,
 * serves it on 127.0.0.1 with the verification keys, the pool's ABI, the published tables and leaf hashes,
 * and waits for Ctrl-C. The audit itself runs in the browser that opens the URL.
 */
export async function serveAuditorCommand(options: ServeCommandOptions): Promise<{ url: string }> {
  const built = await options.step("building the auditor's page (Vite) if its sources changed", () => buildAuditorPage());
  if (built.built) options.log(`  built ${built.dir} in ${(built.ms / 1000).toFixed(1)} s`);
  const server = await serveAuditorPage({
    port: options.port, rpcUrl: options.rpcUrl, pool: options.pool, circuits: options.circuits, fromBlock: options.fromBlock, tables: options.tables, leafHashes: options.leafHashes,
  });
  const query = options.rpcUrl && options.pool ? "" : " (enter the RPC URL and pool address there)";
  options.log(`auditor's page: ${server.url}${query}`);
  options.log(`trader's page:  ${server.url}trader.html (withdraw with a margin proof made in the browser, settled through your wallet)`);
  options.log("  the page reads the chain and verifies every proof in the browser; Ctrl-C stops this server");
  const until = options.until ?? new Promise<void>((done) => {
    process.once("SIGINT", () => done());
    process.once("SIGTERM", () => done());
  });
  await until;
  await server.close();
  return { url: server.url };
}
