/**
 * `trader.browserProveMs`: the reference MarginCompliance proof made the way the trader's page
 * makes it — snarkjs in the page's Web Worker (assets/proveWorker.js), in headless Debian
 * Chromium, the wasm and zkey fetched from the loopback server. One warm-up proof (it downloads
 * and compiles), then `runs` proofs; prints one JSON line: medians of witness, Groth16 and their
 * sum inside the worker, the wall time per proof seen by the page, the first proof with its
 * download, and the CPU time Chromium spent per timed proof (all its processes, from /proc).
 *   tsx scripts/bench/browserProve.ts [runs] [circuit]      (default 3, margin)
 * Each proof is checked with the circuit's verification key in Node.
 */
import { readdirSync, readFileSync } from "node:fs";
import { loadCircuitArtifacts } from "../../src/artifacts/manifest.js";
import { buildAuditorPage } from "../../src/auditor/node/buildAuditorPage.js";
import { serveAuditorPage } from "../../src/auditor/node/serveAuditorPage.js";
import { releaseProverThreads, verifyGroth16 } from "../../src/proof/groth16Prover.js";
import { launchChromium } from "../../src/testbed/chromium.js";
import type { ProveMessage, ProveRequest } from "../../web/src/trader/proveProtocol.js";
import { buildInput } from "./benchInputs.js";

export interface BrowserProveFigures {
  circuit: string;
  constraints: number;
  runs: number;
  /** Median witness + Groth16 inside the worker (the figure tracked as trader.browserProveMs). */
  browserProveMs: number;
  browserWitnessMs: number;
  browserGroth16Ms: number;
  /** Median wall time of one proof as the page sees it (post to answer). */
  browserProofWallMs: number;
  /** The first proof: downloading the wasm and zkey, compiling, witness and Groth16. */
  browserFirstProofMs: number;
  /** The longest the page's own thread went without running a 50 ms timer during a timed proof (the page stays responsive). */
  browserMainThreadMaxStallMs: number;
  /** CPU time (user + system) of every Chromium process per timed proof. */
  browserCpuMsPerProof: number;
  /** 1-minute load average when the runs ended (others' jobs on the cores make the figures "loaded"). */
  loadAverage: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** user + system CPU time (ms) of every living descendant of this process (Chromium's processes). */
function descendantsCpuMs(): number {
  const stat = new Map<number, { ppid: number; ticks: number }>();
  for (const d of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(d)) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
      stat.set(Number(d), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // gone meanwhile
    }
  }
  const mine = (pid: number): boolean => {
    for (let p = stat.get(pid)?.ppid; p !== undefined && p > 1; p = stat.get(p)?.ppid) if (p === process.pid) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, s] of stat) if (mine(pid)) ticks += s.ticks;
  return ticks * 10; // USER_HZ = 100
}

function stringify(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringify);
  return typeof value === "bigint" || typeof value === "number" ? value.toString() : value;
}

export async function measureBrowserProve(runs = 3, circuit = "margin"): Promise<BrowserProveFigures> {
  const artifacts = loadCircuitArtifacts(circuit);
  if (artifacts.instance.kind !== "margin") throw new Error(`${circuit} is not a margin circuit`);
  const input = Object.fromEntries(Object.entries(buildInput(circuit)).map(([k, v]) => [k, stringify(v)]));
  await buildAuditorPage();
  const server = await serveAuditorPage({ circuits: artifacts.instance.set });
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.goto(`${server.url}trader.html`);
    await page.waitForSelector("body[data-ready=true]");
    const request: ProveRequest = { input, wasmUrl: `${server.url}circuits/${circuit}.wasm`, zkeyUrl: `${server.url}circuits/${circuit}.zkey` };
    const proveOnce = (): Promise<{ wallMs: number; stallMs: number; done: Extract<ProveMessage, { type: "done" }> }> => page.evaluate(async (req) => {
      const w = ((globalThis as unknown as { benchWorker?: Worker }).benchWorker ??= new Worker("assets/proveWorker.js", { type: "module" }));
      const t = performance.now();
      // The page's own thread while the worker proves: the longest gap between 50 ms ticks.
      let last = t, stall = 0;
      const beat = setInterval(() => { const now = performance.now(); stall = Math.max(stall, now - last); last = now; }, 50);
      const done = await new Promise<Extract<ProveMessage, { type: "done" }>>((ok, fail) => {
        w.onmessage = (e: MessageEvent<ProveMessage>) => {
          if (e.data.type === "done") ok(e.data);
          else if (e.data.type === "error") fail(new Error(e.data.message));
        };
        w.postMessage(req);
      });
      clearInterval(beat);
      return { wallMs: Math.round(performance.now() - t), stallMs: Math.round(stall), done };
    }, request);
    const check = async (d: Extract<ProveMessage, { type: "done" }>): Promise<void> => {
      if (!(await verifyGroth16(circuit, d.publicSignals, d.proof))) throw new Error(`${circuit}: the browser's proof does not verify`);
    };
    const first = await proveOnce();
    await check(first.done);
    console.error(`  warm-up (download + compile + proof): ${first.wallMs} ms`);
    const witness: number[] = [], groth16: number[] = [], total: number[] = [], wall: number[] = [], stall: number[] = [];
    const cpu0 = descendantsCpuMs();
    for (let i = 0; i < runs; i++) {
      const r = await proveOnce();
      await check(r.done);
      witness.push(r.done.timings.witnessMs);
      groth16.push(r.done.timings.proveMs);
      total.push(r.done.timings.witnessMs + r.done.timings.proveMs);
      wall.push(r.wallMs);
      stall.push(r.stallMs);
      console.error(`  proof ${i + 1}/${runs}: witness ${r.done.timings.witnessMs} ms, Groth16 ${r.done.timings.proveMs} ms (page: ${r.wallMs} ms, its thread's longest stall ${r.stallMs} ms)`);
    }
    const cpuMs = descendantsCpuMs() - cpu0;
    return {
      circuit, constraints: artifacts.circuit.constraints, runs,
      browserProveMs: median(total), browserWitnessMs: median(witness), browserGroth16Ms: median(groth16), browserProofWallMs: median(wall),
      browserFirstProofMs: first.wallMs, browserCpuMsPerProof: Math.round(cpuMs / runs), browserMainThreadMaxStallMs: Math.max(...stall),
      loadAverage: Number(readFileSync("/proc/loadavg", "utf8").split(" ")[0]),
    };
  } finally {
    await browser.close();
    await server.close();
    await releaseProverThreads();
  }
}

if (process.argv[1] && /browserProve\.ts$/.test(process.argv[1])) {
  const [runs, circuit] = process.argv.slice(2);
  measureBrowserProve(runs === undefined ? 3 : Number(runs), circuit ?? "margin").then((f) => console.log(JSON.stringify(f)), (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  });
}
