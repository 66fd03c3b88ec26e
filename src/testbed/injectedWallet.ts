import type { BrowserContext } from "playwright-core";

/** One request the page made to the wallet. */
export interface WalletCall {
  method: string;
  /** The request's params, as JSON. */
  params: string;
}

export interface InjectedWallet {
  /** Every request the page made to window.ethereum, in order. */
  calls: WalletCall[];
  /** While true, eth_sendTransaction is refused as a user's rejection (EIP-1193 code 4001). */
  rejectSends: boolean;
  /** When set, the chain id the wallet claims to be on (eth_chainId), as a wallet switched to another network would. */
  chainId?: string;
}

/**
 * An EIP-1193 wallet for the trader-page tests and screenshot: `window.ethereum` in every page of
 * the context, answering eth_requestAccounts / eth_accounts with `account` and forwarding every
 * other request to the node at `rpcUrl` (anvil's dev accounts are unlocked there, so
 * eth_sendTransaction is signed by the node).
 */
export async function injectWallet(context: BrowserContext, rpcUrl: string, account: string): Promise<InjectedWallet> {
  const wallet: InjectedWallet = { calls: [], rejectSends: false };
  await context.exposeFunction("zkrsTestWallet", async (method: string, params: unknown[]) => {
    wallet.calls.push({ method, params: JSON.stringify(params) });
    if (method === "eth_requestAccounts" || method === "eth_accounts") return { result: [account] };
    if (method === "eth_chainId" && wallet.chainId !== undefined) return { result: wallet.chainId };
    if (method === "eth_sendTransaction" && wallet.rejectSends) return { error: { code: 4001, message: "User rejected the request." } };
    const res = await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
    const body = (await res.json()) as { result?: unknown; error?: { code: number; message: string } };
    return body.error ? { error: body.error } : { result: body.result };
  });
  await context.addInitScript(() => {
    type Answer = { result?: unknown; error?: { code: number; message: string } };
    const bridge = (window as unknown as { zkrsTestWallet: (m: string, p: unknown[]) => Promise<Answer> }).zkrsTestWallet;
    (window as unknown as { ethereum: unknown }).ethereum = {
      async request({ method, params }: { method: string; params?: unknown[] }) {
        const r = await bridge(method, params ?? []);
        if (r.error) throw Object.assign(new Error(r.error.message), { code: r.error.code });
        return r.result;
      },
    };
  });
  return wallet;
}

