/**
 * `npm run bench` — measured speed, size and gas at the reference parameters. Builds what is
 * missing, then measures and writes bench/results.json plus a readable table.
 *
 *   tsx scripts/bench.ts [--runs 5] [--accounts 16,64,256,1024] [--skip-cold] [--skip-scaling] [--skip-distributed]
 *
 * - per circuit: constraints, witness / Groth16 / verify time (median of --runs after a
 *   warm-up, each circuit in its own process), peak memory of that process;
 * - PoolSolvency scaling: total prove time and accounts per second for each --accounts size;
 * - distributed proving: accounts per second with 1 and 2 local `zkrs worker` processes on a
 *   BullMQ queue (a local redis-server), against the in-process prover — scripts/bench/distributed.ts,
 *   which also runs alone (`npm run bench:distributed -- --circuit solvency_test`);
 * - gas of every call from real transactions on anvil (receipts), via the demo epoch;
 * - cold start: a clean build/ (moved aside and restored) to the first settled withdrawal.
 */
import { spawn } from "node:child_process";
import { cpus } from "node:os";
import { existsSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { writeJsonAtomic } from "../src/build/atomicWrite.js";
import { buildArtifacts } from "../src/build/buildArtifacts.js";
import { REFERENCE_PARAMS } from "../src/build/circuitCatalog.js";
import { BUILD_DIR, PROJECT_ROOT } from "../src/build/paths.js";
import { withChain } from "../src/chain/localChain.js";
import { REFERENCE_CIRCUITS } from "../src/chain/riskSharingPool.js";
import { demoSnapshot, syntheticAccounts } from "../src/demo/demoMarket.js";
import { runDemoEpoch } from "../src/demo/runDemo.js";
import { proveSolvency } from "../src/operator/proveSolvency.js";
import { liabilityTotals } from "../src/operator/solvencyTotals.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import type { DistributedFigures } from "./bench/distributed.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { computeRiskTable } from "../src/risk/riskEngine.js";

interface CircuitFigures {
  constraints: number;
  runs: number;
  witnessMs: number;
  groth16Ms: number;
  proveMs: number;
  verifyMs: number;
  peakRssMB: number;
}

function runChild(args: string[], onLine?: (line: string, ms: number) => void): Promise<{ stdout: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    let pending = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      pending += d.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const l of lines) onLine?.(l, Date.now() - started);
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve({ stdout, ms: Date.now() - started }) : reject(new Error(`${args.join(" ")} exited with ${code}`))));
  });
}

async function measureCircuit(name: string, runs: number): Promise<CircuitFigures> {
  const { stdout } = await runChild(["scripts/bench/measureCircuit.ts", name, String(runs)]);
  return JSON.parse(stdout.trim().split("\n").pop() as string) as CircuitFigures;
}

async function scaling(sizes: number[]): Promise<{ accounts: number; batches: number; totalMs: number; accountsPerSecond: number }[]> {
  const params = REFERENCE_PARAMS;
  const snapshot = demoSnapshot(1);
  const table = computeRiskTable(snapshot);
  const rows = commitRiskTable(table, params.logInstruments).rows;
  const out = [];
  for (const n of sizes) {
    const accounts = syntheticAccounts(n, params.positions, snapshot.instruments.length, n);
    const batches = Math.ceil(n / 2 ** params.logBatch);
    const t = Date.now();
    await proveSolvency(accounts, table, { circuit: "solvency", batchCount: batches, onProgress: (d, k) => process.stderr.write(`\r  ${n} accounts: batch ${d}/${k}   `) });
    const totalMs = Date.now() - t;
    process.stderr.write("\n");
    out.push({ accounts: n, batches, totalMs, accountsPerSecond: Number((n / (totalMs / 1000)).toFixed(2)) });
  }
  return out;
}

async function coldStart(): Promise<number> {
  const backup = `${BUILD_DIR}.bench-backup`;
  rmSync(backup, { recursive: true, force: true });
  if (existsSync(BUILD_DIR)) renameSync(BUILD_DIR, backup);
  try {
    let firstSettlement = 0;
    await runChild(["scripts/demo.ts"], (line, ms) => {
      if (!firstSettlement && /alice received/.test(line)) firstSettlement = ms;
    });
    if (!firstSettlement) throw new Error("the demo printed no settled withdrawal");
    return firstSettlement;
  } finally {
    rmSync(BUILD_DIR, { recursive: true, force: true });
    if (existsSync(backup)) renameSync(backup, BUILD_DIR);
  }
}

function table(rows: [string, string, string][]): string {
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => `| ${r.map((c, i) => c.padEnd(w[i])).join(" | ")} |`).join("\n");
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "5" },
      accounts: { type: "string", default: "16,64,256,1024" },
      "skip-cold": { type: "boolean" },
      "skip-scaling": { type: "boolean" },
      "skip-distributed": { type: "boolean" },
    },
  });
  const runs = Number(values.runs);
  const sizes = values.accounts.split(",").map(Number);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--accounts must list positive integers, got ${values.accounts}`);

  console.log("— build (reference circuits)");
  await buildArtifacts({ sets: ["reference"], log: (l) => { if (!l.startsWith("    [")) console.log(l); } });
  console.log(`— circuits (${runs} runs after a warm-up, medians)`);
  const margin = await measureCircuit("margin", runs);
  console.log(`  margin   ${JSON.stringify(margin)}`);
  const solvency = await measureCircuit("solvency", runs);
  console.log(`  solvency ${JSON.stringify(solvency)}`);
  const liquidation = await measureCircuit("liquidation", runs);
  console.log(`  liquidation ${JSON.stringify(liquidation)}`);
  const batchSize = 2 ** REFERENCE_PARAMS.logBatch;

  const curve = values["skip-scaling"] ? [] : (console.log("— PoolSolvency scaling (chained batches)"), await scaling(sizes));
  await releaseProverThreads();

  let distributed: DistributedFigures | null = null;
  if (!values["skip-distributed"]) {
    console.log("— distributed: 1 and 2 local workers on a BullMQ queue vs in-process (8 batches)");
    const { stdout } = await runChild(["scripts/bench/distributed.ts", "--circuit", "solvency", "--batches", "8", "--json"]);
    distributed = JSON.parse(stdout.trim().split("\n").pop() as string) as DistributedFigures;
  }

  console.log("— gas (demo epoch on anvil, from receipts)");
  const demo = await withChain(undefined, (chain) => runDemoEpoch({ chain, circuits: REFERENCE_CIRCUITS, log: () => {} }));
  await releaseProverThreads();
  const postBatches = demo.postSolvencyGas;
  const gas = {
    publishRisk: Number(demo.gas.publishRisk),
    postSolvencyBatch: Math.max(...postBatches.map(Number)),
    settle: Number(demo.gas.settle),
    liquidate: Number(demo.gas.liquidate),
    fundInsurance: Number(demo.gas.fundInsurance),
    deployPool: Number(demo.gas["deploy RiskSharingPool"]),
    deployMarginVerifier: Number(demo.gas["deploy MarginVerifier"]),
    deploySolvencyVerifier: Number(demo.gas["deploy SolvencyVerifier"]),
    deployLiquidationVerifier: Number(demo.gas["deploy LiquidationVerifier"]),
  };

  const coldStartMs = values["skip-cold"] ? null : (console.log("— cold start: clean build/ to first settled withdrawal (rebuilds everything)"), await coldStart());
  const largest = curve[curve.length - 1];
  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "?", node: process.version },
    margin: { ...margin, targetConstraints: 40_000, targetProveMs: 3_000 },
    solvency: {
      ...solvency,
      batchSize,
      constraintsPerAccount: Math.round(solvency.constraints / batchSize),
      accountsPerSecond: largest ? largest.accountsPerSecond : Number((batchSize / (solvency.proveMs / 1000)).toFixed(2)),
      scaling: curve,
      targetConstraintsPerAccount: 4_000,
    },
    liquidation,
    distributed,
    gas: { ...gas, targetSettle: 300_000, targetPostSolvencyBatch: 350_000 },
    coldStartMs,
  };
  const out = join(PROJECT_ROOT, "bench", "results.json");
  writeJsonAtomic(out, results);

  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  console.log(`\n${table([
    ["figure", "measured", "target"],
    ["margin constraints", margin.constraints.toLocaleString("en-US"), "<= 40,000"],
    ["margin witness + proof", `${s(margin.proveMs)} (witness ${s(margin.witnessMs)})`, "<= 3 s"],
    ["margin verify (off-chain)", s(margin.verifyMs), ""],
    ["margin peak memory", `${margin.peakRssMB} MB`, ""],
    ["solvency batch constraints", `${solvency.constraints.toLocaleString("en-US")} (${batchSize} accounts)`, ""],
    ["solvency constraints / account", results.solvency.constraintsPerAccount.toLocaleString("en-US"), "<= 4,000"],
    ["solvency batch witness + proof", `${s(solvency.proveMs)} (witness ${s(solvency.witnessMs)})`, ""],
    ["solvency peak memory", `${solvency.peakRssMB} MB`, ""],
    ["liquidation constraints", liquidation.constraints.toLocaleString("en-US"), ""],
    ["liquidation witness + proof", `${s(liquidation.proveMs)} (witness ${s(liquidation.witnessMs)})`, ""],
    ...curve.map((c): [string, string, string] => [`solvency ${c.accounts} accounts`, `${s(c.totalMs)}, ${c.accountsPerSecond} accounts/s`, ""]),
    ...(distributed ? distributed.runs.map((r): [string, string, string] => [
      `solvency ${distributed?.accounts} accounts, ${r.workers === "in-process" ? "in-process" : `${r.workers} local worker(s)`}`,
      `${s(r.totalMs)}, ${r.accountsPerSecond} accounts/s`, "",
    ]) : []),
    ["gas publishRisk", gas.publishRisk.toLocaleString("en-US"), ""],
    ["gas postSolvency per batch", gas.postSolvencyBatch.toLocaleString("en-US"), "<= 350,000"],
    ["gas settle", gas.settle.toLocaleString("en-US"), "<= 300,000"],
    ["gas liquidate", gas.liquidate.toLocaleString("en-US"), ""],
    ["gas fundInsurance", gas.fundInsurance.toLocaleString("en-US"), ""],
    ["cold start to first settlement", coldStartMs === null ? "skipped" : s(coldStartMs), ""],
  ])}\n\nwrote ${out}`);
}

main().catch(async (err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  await releaseProverThreads();
  process.exit(1);
});
