/**
 * Where Groth16 proving time goes for one circuit: runs one proof with snarkjs' debug log and
 * prints the time between its phases (witness, reading the zkey, FFTs, multi-exponentiations).
 *   tsx scripts/bench/profileProve.ts margin|solvency
 */
import * as snarkjs from "snarkjs";
import { loadCircuitArtifacts } from "../../src/artifacts/manifest.js";
import { releaseProverThreads } from "../../src/proof/groth16Prover.js";
import { buildInput } from "./benchInputs.js";

async function main(): Promise<void> {
  const name = process.argv[2] ?? "margin";
  const artifacts = loadCircuitArtifacts(name);
  const input = buildInput(name);
  const signals = Object.fromEntries(Object.entries(input).map(([k, v]) => [k, JSON.parse(JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x)))]));
  const wtns = { type: "mem" } as { type: string; data?: Uint8Array };
  const t0 = Date.now();
  await snarkjs.wtns.calculate(signals, artifacts.circuit.wasm, wtns);
  const phases: [string, number][] = [["witness (wasm)", Date.now() - t0]];
  let last = Date.now();
  let label = "start";
  const mark = (msg: unknown): void => {
    const text = String(msg);
    const phase = text.replace(/:?\s*\d+\/\d+.*$/, "").replace(/\s+(start|end)$/, "").trim();
    if (phase !== label) {
      const now = Date.now();
      phases.push([label, now - last]);
      last = now;
      label = phase;
    }
  };
  await snarkjs.groth16.prove(artifacts.keys.zkey, wtns, { debug: mark, info: mark, warn: mark, error: mark });
  phases.push([label, Date.now() - last]);
  const merged = new Map<string, number>();
  for (const [k, v] of phases) merged.set(k, (merged.get(k) ?? 0) + v);
  for (const [k, v] of merged) if (v >= 20) console.log(`${String(v).padStart(6)} ms  ${k}`);
  await releaseProverThreads();
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
