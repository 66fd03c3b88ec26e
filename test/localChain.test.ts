import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connectChain, startAnvil, withChain } from "../src/chain/localChain.js";

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }), signal: AbortSignal.timeout(1000) });
    return res.ok;
  } catch {
    return false;
  }
}

describe("embedded chain (anvil on loopback)", () => {
  it("starts on a free 127.0.0.1 port, answers JSON-RPC, and stops", async () => {
    const chain = await startAnvil();
    assert.match(chain.rpcUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await chain.provider.getNetwork()).chainId, 31337n);
    await chain.stop();
    assert.equal(await answers(chain.rpcUrl), false);
  });

  it("two chains run side by side on different ports", async () => {
    const [a, b] = await Promise.all([startAnvil(), startAnvil()]);
    try {
      assert.notEqual(a.rpcUrl, b.rpcUrl);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it("withChain stops the node when the work throws", async () => {
    let url = "";
    await assert.rejects(withChain(undefined, async (chain) => { url = chain.rpcUrl; throw new Error("boom"); }), /boom/);
    assert.equal(await answers(url), false);
  });

  it("an unreachable --rpc-url fails with a clear message", async () => {
    await assert.rejects(connectChain("http://127.0.0.1:9"), /RPC http:\/\/127\.0\.0\.1:9 is unreachable/);
  });

  it("Ctrl-C (SIGINT) on the owning process stops the node", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "-e",
      "import('./src/chain/localChain.ts').then(async (m) => { const c = await m.startAnvil(); console.log(c.rpcUrl); setInterval(() => {}, 1000); })"], { stdio: ["ignore", "pipe", "inherit"] });
    const url = await new Promise<string>((resolve) => child.stdout.once("data", (d: Buffer) => resolve(d.toString().trim())));
    assert.equal(await answers(url), true);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGINT");
    assert.equal(await exited, 130);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(await answers(url), false);
  });
});
