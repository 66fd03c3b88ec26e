import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { HDNodeWallet, JsonRpcProvider, Mnemonic, type Wallet } from "ethers";

const require = createRequire(import.meta.url);

/** anvil's default dev mnemonic: its accounts are funded with 10,000 ETH. Public: dev only. */
/** anvil's default chain id: the local development chain, the only one insecure dev keys may go to by default. */
export const ANVIL_CHAIN_ID = 31337n;

export const ANVIL_MNEMONIC = "test test test test test test test test test test test junk";

/** The binary shipped by the @foundry-rs/anvil-linux-amd64 npm package. */
export function anvilBinary(): string {
  return join(dirname(require.resolve("@foundry-rs/anvil-linux-amd64/package.json")), "bin", "anvil");
}

/** A chain to talk to: the embedded anvil or any JSON-RPC endpoint. */
export interface Chain {
  rpcUrl: string;
  provider: JsonRpcProvider;
  /** True when this process started the node (and will stop it). */
  embedded: boolean;
  stop(): Promise<void>;
}

export function devWallet(index: number, provider: JsonRpcProvider): HDNodeWallet {
  return HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(ANVIL_MNEMONIC), `m/44'/60'/0'/0/${index}`).connect(provider);
}

export type Signer = HDNodeWallet | Wallet;

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function rpcAnswers(rpcUrl: string): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
      signal: AbortSignal.timeout(5000), // generous: a loaded machine can hold an answer up for seconds
    });
    return res.ok;
  } catch {
    return false;
  }
}

const running = new Set<ChildProcess>();
let exitHooksInstalled = false;

/** Kill every node this process started when it exits, also on Ctrl-C and SIGTERM. */
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on("exit", () => { for (const child of running) child.kill("SIGKILL"); });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      for (const child of running) child.kill("SIGKILL");
      process.exit(signal === "SIGINT" ? 130 : 143);
    });
  }
}

export interface StartAnvilOptions {
  /** Milliseconds to wait for the node to answer (default 20 s). */
  timeoutMs?: number;
  /** Extra anvil arguments. */
  args?: string[];
}

/**
 * Starts anvil on a free 127.0.0.1 port and waits until it answers JSON-RPC. The node is
 * stopped by `stop()`, and in any case when this process exits or is interrupted.
 */
export async function startAnvil(options: StartAnvilOptions = {}): Promise<Chain> {
  installExitHooks();
  const timeoutMs = options.timeoutMs ?? 20_000;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(anvilBinary(), ["--host", "127.0.0.1", "--port", String(port), "--silent", ...(options.args ?? [])], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    running.add(child);
    let stderr = "";
    child.stderr?.on("data", (d: Buffer) => { stderr += d.toString(); });
    let exited = false;
    child.on("exit", () => { exited = true; running.delete(child); });
    const rpcUrl = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + timeoutMs;
    while (!exited && Date.now() < deadline && !(await rpcAnswers(rpcUrl))) await new Promise((r) => setTimeout(r, 100));
    if (exited) {
      if (/address already in use/i.test(stderr)) continue; // lost the port race: try another
      throw new Error(`anvil exited at start: ${stderr.trim() || "no output"}`);
    }
    if (Date.now() >= deadline) {
      child.kill("SIGKILL");
      throw new Error(`anvil did not answer on ${rpcUrl} within ${timeoutMs} ms`);
    }
    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, pollingInterval: 50, cacheTimeout: -1 });
    return {
      rpcUrl,
      provider,
      embedded: true,
      stop: async () => {
        provider.destroy();
        if (exited) return;
        const gone = new Promise<void>((r) => child.once("exit", () => r()));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await gone;
        clearTimeout(timer);
      },
    };
  }
  throw new Error("could not find a free port for anvil");
}

/** Connects to an existing JSON-RPC endpoint, failing with a clear message when it does not answer. */
export async function connectChain(rpcUrl: string): Promise<Chain> {
  if (!(await rpcAnswers(rpcUrl))) throw new Error(`RPC ${rpcUrl} is unreachable (no answer to eth_chainId)`);
  const provider = new JsonRpcProvider(rpcUrl, undefined, { pollingInterval: 200, cacheTimeout: -1 });
  return { rpcUrl, provider, embedded: false, stop: async () => provider.destroy() };
}

/**
 * Runs `fn` on a chain: the given RPC URL, or an embedded anvil that is always stopped
 * afterwards, also when `fn` throws.
 */
export async function withChain<T>(rpcUrl: string | undefined, fn: (chain: Chain) => Promise<T>): Promise<T> {
  const chain = rpcUrl ? await connectChain(rpcUrl) : await startAnvil();
  try {
    return await fn(chain);
  } finally {
    await chain.stop();
  }
}
