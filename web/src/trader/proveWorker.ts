/**
 * The trader's prover, in a Web Worker so the page stays responsive: fetches the margin
 * circuit's wasm and zkey from beside the page (kept for the next proof), computes the witness
 * and the Groth16 proof with snarkjs (which spreads the multi-exponentiations over its own
 * workers), and reports progress from snarkjs' log lines.
 */
import * as snarkjs from "snarkjs";
import type { ProveMessage, ProveRequest } from "./proveProtocol.js";

/** The worker's global scope, as much of it as is used (the page's tsconfig has the DOM types, not the worker's). */
const scope = self as unknown as { postMessage(m: ProveMessage): void; onmessage: ((e: MessageEvent<ProveRequest>) => void) | null };
const post = (m: ProveMessage): void => scope.postMessage(m);

/** snarkjs' groth16.prove log lines, in order, and how far along each one is (fractions of the whole). */
const MILESTONES: [string, number, string][] = [
  ["Reading Wtns", 0.3, "reading the witness"], ["Reading Coeffs", 0.32, "reading the key's coefficients"],
  ["Building ABC", 0.36, "evaluating A, B, C"], ["IFFT_A", 0.42, "FFTs"], ["FFT_A", 0.46, "FFTs"], ["IFFT_B", 0.5, "FFTs"],
  ["FFT_B", 0.53, "FFTs"], ["IFFT_C", 0.56, "FFTs"], ["FFT_C", 0.59, "FFTs"], ["Join ABC", 0.62, "joining A·B − C"],
  ["Reading A Points", 0.64, "multi-exponentiation A"], ["Reading B1 Points", 0.72, "multi-exponentiation B1"],
  ["Reading B2 Points", 0.78, "multi-exponentiation B2"], ["Reading C Points", 0.88, "multi-exponentiation C"],
  ["Reading H Points", 0.93, "multi-exponentiation H"],
];

let reached = 0;
function progress(fraction: number, step: string): void {
  if (fraction <= reached) return;
  reached = fraction;
  post({ type: "progress", fraction, step });
}

const files = new Map<string, Promise<Uint8Array>>();

/** A public file beside the page, streamed (progress between `from` and `to`), kept for the next proof. */
function download(url: string, label: string, from: number, to: number): Promise<Uint8Array> {
  let file = files.get(url);
  if (!file) {
    file = (async () => {
      const res = await fetch(url);
      if (!res.ok) throw new Error(`${label} ${url}: HTTP ${res.status} ${(await res.text()).trim()}`);
      const total = Number(res.headers.get("content-length") ?? 0);
      if (!res.body) return new Uint8Array(await res.arrayBuffer());
      const reader = res.body.getReader();
      const chunks: Uint8Array[] = [];
      let loaded = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        loaded += value.length;
        if (total > 0) progress(from + ((to - from) * loaded) / total, `downloading the ${label}`);
      }
      const out = new Uint8Array(loaded);
      let at = 0;
      for (const c of chunks) { out.set(c, at); at += c.length; }
      return out;
    })();
    files.set(url, file);
    file.catch(() => files.delete(url));
  }
  return file;
}

async function prove(req: ProveRequest): Promise<void> {
  reached = 0;
  const t0 = performance.now();
  const [wasm, zkey] = await Promise.all([download(req.wasmUrl, "witness generator", 0, 0.05), download(req.zkeyUrl, "proving key", 0.05, 0.2)]);
  const t1 = performance.now();
  progress(0.22, "computing the witness");
  const wtns: { type: string; data?: Uint8Array } = { type: "mem" };
  try {
    await snarkjs.wtns.calculate(req.input, wasm, wtns);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const line = msg.split("\n").find((l) => /Assert Failed|Error in template/.test(l)) ?? msg.split("\n")[0];
    throw new Error(`the witness violates a circuit constraint (${line.trim()})`);
  }
  if (!wtns.data) throw new Error("snarkjs returned no witness");
  const t2 = performance.now();
  const logger = {
    debug: (...a: unknown[]) => {
      const line = String(a[0] ?? "");
      for (const [prefix, fraction, step] of MILESTONES) if (line.startsWith(prefix)) progress(fraction, step);
    },
    info: () => undefined, warn: () => undefined, error: () => undefined,
  };
  const { proof, publicSignals } = await snarkjs.groth16.prove(zkey, wtns, logger);
  const t3 = performance.now();
  progress(1, "proof ready");
  post({ type: "done", proof, publicSignals, timings: { downloadMs: Math.round(t1 - t0), witnessMs: Math.round(t2 - t1), proveMs: Math.round(t3 - t2) } });
}

scope.onmessage = (e) => {
  prove(e.data).catch((err: unknown) => post({ type: "error", message: err instanceof Error ? err.message : String(err) }));
};
