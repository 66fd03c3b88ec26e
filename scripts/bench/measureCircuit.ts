/**
 * Child process of `npm run bench`: proves one reference circuit `runs` times after a warm-up
 * and prints one JSON line with median timings (proveMs = witness + Groth16) and this
 * process's peak memory (so each circuit's peak is measured alone).   tsx scripts/bench/measureCircuit.ts margin|solvency|liquidation <runs>
 */
import { loadCircuitArtifacts } from "../../src/artifacts/manifest.js";
import { proveCircuit, releaseProverThreads, verifyGroth16 } from "../../src/proof/groth16Prover.js";
import { buildInput } from "./benchInputs.js";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const [kind, runsArg] = process.argv.slice(2);
  const runs = Number(runsArg ?? 5);
  const artifacts = loadCircuitArtifacts(kind);
  const input = buildInput(kind);
  const witnessMs: number[] = [];
  const proveMs: number[] = [];
  const verifyMs: number[] = [];
  const totalMs: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const proof = await proveCircuit(artifacts, input);
    const t = Date.now();
    if (!(await verifyGroth16(kind, proof.publicSignals, proof.proof))) throw new Error(`${kind}: proof does not verify`);
    if (i === 0) continue; // warm-up
    witnessMs.push(proof.timings.witnessMs);
    proveMs.push(proof.timings.proveMs);
    verifyMs.push(Date.now() - t);
    totalMs.push(proof.timings.witnessMs + proof.timings.proveMs);
  }
  await releaseProverThreads();
  const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ constraints: artifacts.circuit.constraints, runs, witnessMs: median(witnessMs), groth16Ms: median(proveMs), proveMs: median(totalMs), verifyMs: median(verifyMs), peakRssMB }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
