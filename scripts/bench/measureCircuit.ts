/**
 * Child process of `npm run bench`: proves one reference circuit `runs` times after a warm-up
 * with one prover (default: the selected one) and prints one JSON line with median timings
 * (proveMs = witness + Groth16; cpuMs = CPU time, user + system, of the witness and proof in this
 * process and the native prover process; loadAverage = the 1-minute load average while it ran) and the peak memory of this process plus, for the native
 * prover, of its prover process (so each circuit's peak is measured alone).
 *   tsx scripts/bench/measureCircuit.ts margin|solvency|liquidation|risk_table|exit <runs> [snarkjs|native]
 */
import { loadCircuitArtifacts } from "../../src/artifacts/manifest.js";
import { type ProverKind, proveCircuit, releaseProverThreads, selectedProver, verifyGroth16 } from "../../src/proof/groth16Prover.js";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { nativeProverPeakRssMB, nativeProverPid } from "../../src/proof/nativeProver.js";
import { buildInput } from "./benchInputs.js";

/** CPU time (user + system, ms) of this process plus the native prover process, when one runs. */
function cpuMs(): number {
  const own = process.cpuUsage();
  let child = 0;
  const pid = nativeProverPid();
  if (pid !== undefined) {
    try {
      // fields 14 and 15 of /proc/<pid>/stat: utime, stime in clock ticks (100 per second on Linux)
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
      child = ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      child = 0;
    }
  }
  return (own.user + own.system) / 1000 + child;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const [kind, runsArg, proverArg] = process.argv.slice(2);
  const runs = Number(runsArg ?? 5);
  if (proverArg !== undefined && proverArg !== "snarkjs" && proverArg !== "native") throw new Error(`prover must be snarkjs or native, got ${proverArg}`);
  const prover: ProverKind = proverArg ?? selectedProver();
  const artifacts = loadCircuitArtifacts(kind);
  const input = buildInput(kind);
  const witnessMs: number[] = [];
  const proveMs: number[] = [];
  const verifyMs: number[] = [];
  const totalMs: number[] = [];
  const cpu: number[] = [];
  const loadBefore = loadavg()[0]!;
  for (let i = 0; i <= runs; i++) {
    const c0 = cpuMs();
    const proof = await proveCircuit(artifacts, input, prover);
    const c1 = cpuMs();
    const t = Date.now();
    if (!(await verifyGroth16(kind, proof.publicSignals, proof.proof))) throw new Error(`${kind}: proof does not verify`);
    if (i === 0) continue; // warm-up
    witnessMs.push(proof.timings.witnessMs);
    proveMs.push(proof.timings.proveMs);
    verifyMs.push(Date.now() - t);
    totalMs.push(proof.timings.witnessMs + proof.timings.proveMs);
    // the first proof starts the native prover process: its CPU is counted from the second on
    cpu.push(c1 - c0);
  }
  const nativePeak = prover === "native" ? nativeProverPeakRssMB() : 0;
  if (nativePeak === undefined) throw new Error("cannot read the native prover's peak memory");
  await releaseProverThreads();
  const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024) + nativePeak;
  console.log(JSON.stringify({ prover, constraints: artifacts.circuit.constraints, runs, witnessMs: median(witnessMs), groth16Ms: median(proveMs), proveMs: median(totalMs), cpuMs: Math.round(median(cpu)), verifyMs: median(verifyMs), peakRssMB, loadAverage: Number(((loadBefore + loadavg()[0]!) / 2).toFixed(1)) }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
