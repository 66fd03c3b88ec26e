import { AuditError } from "./auditErrors.js";

/** A fetch function (the browser's, or Node's global one): injected so tests and the page share this code. */
export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; json(): Promise<unknown> }>;

/**
 * Asks the node for its chain id once, with a deadline, before any provider is made: ethers'
 * provider retries an unreachable node forever, and an auditor should read "unreachable" at
 * once instead. Returns the chain id.
 */
export async function probeRpc(url: string, fetchFn: FetchLike, timeoutMs = 5000): Promise<bigint> {
  if (!/^https?:\/\/./.test(url)) throw new AuditError("bad-rpc-url", `RPC URL "${url}" is not an http(s):// URL`);
  const controller = typeof AbortController === "undefined" ? undefined : new AbortController();
  const timer = controller ? setTimeout(() => controller.abort(), timeoutMs) : undefined;
  let body: unknown;
  try {
    const res = await fetchFn(url, {
      method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }), signal: controller?.signal,
    });
    if (!res.ok) throw new AuditError("rpc-unreachable", `RPC ${url} answered HTTP ${res.status}, not JSON-RPC`);
    body = await res.json();
  } catch (err) {
    if (err instanceof AuditError) throw err;
    const why = controller?.signal.aborted ? `no answer within ${timeoutMs / 1000} s` : (err as Error).message || String(err);
    throw new AuditError("rpc-unreachable", `RPC ${url} is unreachable (${why}): is the node running, and does it allow this page's origin (CORS)?`, { cause: err });
  } finally {
    if (timer) clearTimeout(timer);
  }
  const result = (body as { result?: unknown } | null)?.result;
  if (typeof result !== "string" || !/^0x[0-9a-fA-F]+$/.test(result)) {
    throw new AuditError("rpc-unreachable", `RPC ${url} did not answer eth_chainId (got ${JSON.stringify(body)?.slice(0, 120)})`);
  }
  return BigInt(result);
}
