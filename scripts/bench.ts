/**
 * `npm run bench` — measured speed, size and gas at the reference parameters. Builds what is
 * missing, then measures and writes bench/results.json plus a readable table.
 *
 *   tsx scripts/bench.ts [--runs 5] [--accounts 16,64,256,1024] [--skip-cold | --cold-only | --cold-fresh-only] [--skip-scaling] [--skip-distributed]
 *                        [--circuits-only margin,risk_table,exit] [--trader-only | --skip-trader] [--gas-only]
 *
 * --circuits-only measures just those reference circuits (building only them) and merges their
 * figures into bench/results.json, leaving every other figure as it was. --trader-only does the
 * same for `trader` (trader.browserProveMs: the reference margin proof in the trader's page's
 * worker, headless Chromium — scripts/bench/browserProve.ts), building only the margin circuit;
 * the full run measures it too (3 runs at most) unless --skip-trader.
 *
 * - constraints of every reference circuit, pinned (compile only, no setup: `constraints` in the
 *   results; the test circuits' counts are pinned by test/constraintCounts.test.ts);
 * - per circuit: constraints, witness / Groth16 / verify time (median of --runs after a
 *   warm-up, each circuit in its own process), peak memory of that process (plus its native
 *   prover process), with the selected prover; `prover`: the same with snarkjs and with the native
 *   prover side by side, and the speedup;
 * - PoolSolvency scaling: total prove time and accounts per second for each --accounts size;
 * - distributed proving: accounts per second with 1 and 2 local `zkrs worker` processes on a
 *   BullMQ queue (a local redis-server), against the in-process prover — scripts/bench/distributed.ts,
 *   which also runs alone (`npm run bench:distributed -- --circuit solvency_test`);
 * - gas of every call from real transactions on anvil (receipts), via the demo epoch;
 * - cold start: `npm run demo` to the first settled withdrawal and to its end, (1) here with build/
 *   moved aside and restored (coldStartMs, with ../shared), (2) in a fresh copy of the project with
 *   nothing built or cached and no ../shared (coldStartFreshMs). `--cold-only` measures just these
 *   and updates them in bench/results.json; `--cold-fresh-only` just the fresh one (with the load
 *   average before and after it, coldStartFreshLoadAverage).
 */
import { execFileSync, spawn } from "node:child_process";
import { cpus, loadavg, tmpdir } from "node:os";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { writeJsonAtomic } from "../src/io/atomicWrite.js";
import { buildArtifacts, compileOnly } from "../src/build/buildArtifacts.js";
import { REFERENCE_PARAMS } from "../src/protocol/circuitCatalog.js";
import { BUILD_DIR, PROJECT_ROOT } from "../src/artifacts/paths.js";
import { withChain } from "../src/chain/localChain.js";
import { REFERENCE_CIRCUITS } from "../src/chain/riskSharingPool.js";
import { demoSnapshot, syntheticAccounts } from "../src/demo/demoMarket.js";
import { runDemoEpoch } from "../src/demo/runDemo.js";
import { proveSolvency } from "../src/operator/proveSolvency.js";
import { liabilityTotals } from "../src/operator/solvencyTotals.js";
import { type ProverKind, releaseProverThreads, selectedProver } from "../src/proof/groth16Prover.js";
import { nativeProverBuilt } from "../src/proof/nativeProver.js";
import type { DistributedFigures } from "./bench/distributed.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { computeRiskTable } from "../src/risk/riskEngine.js";

interface CircuitFigures {
  prover: ProverKind;
  constraints: number;
  runs: number;
  witnessMs: number;
  groth16Ms: number;
  proveMs: number;
  /** CPU time (user + system) of one witness + proof, median: this process plus the native prover's. */
  cpuMs: number;
  verifyMs: number;
  peakRssMB: number;
  /** 1-minute load average while the circuit was measured (other work on the machine shows here). */
  loadAverage: number;
}

function runChild(args: string[], onLine?: (line: string, ms: number) => void, where: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ stdout: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const env = where.env && Object.fromEntries(Object.entries(where.env).filter(([, v]) => v !== undefined));
    const child = spawn(process.execPath, ["--import", "tsx", ...args], { cwd: where.cwd ?? PROJECT_ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
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

async function measureCircuit(name: string, runs: number, prover: ProverKind): Promise<CircuitFigures> {
  const { stdout } = await runChild(["scripts/bench/measureCircuit.ts", name, String(runs), prover]);
  return JSON.parse(stdout.trim().split("\n").pop() as string) as CircuitFigures;
}

interface ProverFigures {
  /** witness + Groth16, median */
  marginMs: number;
  marginGroth16Ms: number;
  marginCpuMs: number;
  marginPeakRssMB: number;
  solvencyBatchMs: number;
  solvencyBatchGroth16Ms: number;
  solvencyBatchCpuMs: number;
  solvencyPeakRssMB: number;
  liquidationMs: number;
  liquidationCpuMs: number;
  liquidationPeakRssMB: number;
  loadAverage: number;
}

function proverFigures(m: CircuitFigures, s: CircuitFigures, l: CircuitFigures): ProverFigures {
  return {
    marginMs: m.proveMs, marginGroth16Ms: m.groth16Ms, marginCpuMs: m.cpuMs, marginPeakRssMB: m.peakRssMB,
    solvencyBatchMs: s.proveMs, solvencyBatchGroth16Ms: s.groth16Ms, solvencyBatchCpuMs: s.cpuMs, solvencyPeakRssMB: s.peakRssMB,
    liquidationMs: l.proveMs, liquidationCpuMs: l.cpuMs, liquidationPeakRssMB: l.peakRssMB,
    loadAverage: Number(((m.loadAverage + s.loadAverage + l.loadAverage) / 3).toFixed(1)),
  };
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

interface ColdStart {
  /** From `npm run demo` starting to the first settled withdrawal (everything built on the way). */
  firstSettlementMs: number;
  /** The whole demo, build included. */
  demoMs: number;
}

async function timeDemo(cwd: string, env?: NodeJS.ProcessEnv): Promise<ColdStart> {
  let firstSettlementMs = 0;
  const { ms } = await runChild(["scripts/demo.ts"], (line, at) => {
    if (!firstSettlementMs && /alice received/.test(line)) firstSettlementMs = at;
  }, { cwd, env });
  if (!firstSettlementMs) throw new Error("the demo printed no settled withdrawal");
  return { firstSettlementMs, demoMs: ms };
}

/** `npm run demo` here with build/ moved aside (../shared/ptau and the ptau cache stay as they are). */
async function coldStart(): Promise<ColdStart> {
  const backup = `${BUILD_DIR}.bench-backup`;
  rmSync(backup, { recursive: true, force: true });
  if (existsSync(BUILD_DIR)) renameSync(BUILD_DIR, backup);
  try {
    return await timeDemo(PROJECT_ROOT);
  } finally {
    rmSync(BUILD_DIR, { recursive: true, force: true });
    if (existsSync(backup)) renameSync(backup, BUILD_DIR);
  }
}

/** Every reference circuit's constraint count, from a compile-only build (no setup). */
async function referenceConstraints(): Promise<Record<string, number>> {
  const sizes = await compileOnly({ sets: ["reference"], log: () => undefined });
  return Object.fromEntries(sizes.map((c) => [c.name, c.constraints]));
}

/** `--circuits-only a,b`: builds and measures just these reference circuits; merges into bench/results.json. */
async function measureOnly(names: string[], runs: number): Promise<void> {
  const out = join(PROJECT_ROOT, "bench", "results.json");
  const results = (existsSync(out) ? JSON.parse(readFileSync(out, "utf8")) : {}) as Record<string, unknown>;
  await buildArtifacts({ only: names, log: (l) => { if (!l.startsWith("    [")) console.log(l); } });
  const key: Record<string, string> = { margin: "margin", solvency: "solvency", liquidation: "liquidation", risk_table: "riskTable", exit: "exit" };
  for (const name of names) {
    const k = key[name];
    if (!k) throw new Error(`--circuits-only takes reference circuits (${Object.keys(key).join(", ")}), got "${name}"`);
    const figures = await measureCircuit(name, runs, selectedProver());
    console.log(`  ${name} ${JSON.stringify(figures)}`);
    results[k] = { ...(results[k] as object | undefined), ...figures, date: new Date().toISOString() };
  }
  results.constraints = { ...(results.constraints as object | undefined), ...(await referenceConstraints()) };
  writeJsonAtomic(out, results);
  console.log(`merged into ${out}`);
}

/** The reference margin proof in headless Chromium, through the trader's page's worker (its own process: scripts/bench/browserProve.ts). */
async function traderFigures(runs: number): Promise<Record<string, unknown>> {
  console.log("— trader's page: reference margin proof in headless Chromium (snarkjs in the page's worker)");
  const { stdout } = await runChild(["scripts/bench/browserProve.ts", String(runs), "margin"]);
  const figures = JSON.parse(stdout.trim().split("\n").pop() as string) as Record<string, unknown>;
  console.log(`  ${JSON.stringify(figures)}`);
  return { ...figures, targetBrowserProveMs: 15_000, date: new Date().toISOString() };
}

/** Gas of every pool call the demo makes, from its transaction receipts (the demo on an embedded anvil). */
async function demoGas(): Promise<Record<string, number>> {
  const demo = await withChain(undefined, (chain) => runDemoEpoch({ chain, circuits: REFERENCE_CIRCUITS, log: () => {} }));
  await releaseProverThreads();
  return {
    publishRisk: Number(demo.gas.publishRisk),
    postSolvencyBatch: Math.max(...demo.postSolvencyGas.map(Number)),
    settle: Number(demo.gas.settle),
    liquidate: Number(demo.gas.liquidate),
    fundInsurance: Number(demo.gas.fundInsurance),
    exit: Number(demo.gas.exit),
    exitToFreshRecipient: Number(demo.gas.exitMax),
    freeze: Number(demo.gas.freeze),
    lpExit: Number(demo.gas.lpExit),
    deployPool: Number(demo.gas["deploy RiskSharingPool"]),
    deployMarginVerifier: Number(demo.gas["deploy MarginVerifier"]),
    deploySolvencyVerifier: Number(demo.gas["deploy SolvencyVerifier"]),
    deployLiquidationVerifier: Number(demo.gas["deploy LiquidationVerifier"]),
    deployRiskTableVerifier: Number(demo.gas["deploy RiskTableVerifier"]),
    deployExitVerifier: Number(demo.gas["deploy ExitVerifier"]),
    deployPoseidon2: Number(demo.gas["deploy Poseidon2"]),
  };
}

const GAS_TARGETS = { targetSettle: 300_000, targetPostSolvencyBatch: 350_000, targetPublishRisk: 350_000, targetExit: 300_000 };

/** `--gas-only`: the demo's gas from receipts, merged into bench/results.json as `gas`. */
async function measureGasOnly(): Promise<void> {
  const out = join(PROJECT_ROOT, "bench", "results.json");
  await buildArtifacts({ only: Object.values(REFERENCE_CIRCUITS), log: (l) => { if (!l.startsWith("    [")) console.log(l); } });
  const gas = await demoGas();
  console.log(`  ${JSON.stringify(gas)}`);
  const results = (existsSync(out) ? JSON.parse(readFileSync(out, "utf8")) : {}) as Record<string, unknown>;
  writeJsonAtomic(out, { ...results, gas: { ...gas, ...GAS_TARGETS, date: new Date().toISOString() } });
  console.log(`merged into ${out}`);
}

/** `--trader-only`: just that, building only the margin circuit; merged into bench/results.json as `trader`. */
async function measureTraderOnly(runs: number): Promise<void> {
  const out = join(PROJECT_ROOT, "bench", "results.json");
  await buildArtifacts({ only: ["margin"], log: (l) => { if (!l.startsWith("    [")) console.log(l); } });
  const trader = await traderFigures(runs);
  const results = (existsSync(out) ? JSON.parse(readFileSync(out, "utf8")) : {}) as Record<string, unknown>;
  writeJsonAtomic(out, { ...results, trader });
  console.log(`merged into ${out}`);
}

/**
 * `npm run demo` in a fresh copy of the project as a user's clone would be: the files git would
 * check out (tracked and untracked-but-not-ignored, so uncommitted work counts), node_modules
 * hard-linked and the native prover built (npm install is not timed), no build/, no ../shared beside it, an empty
 * ZKRS_CACHE_DIR.
 */
async function coldStartFresh(): Promise<ColdStart> {
  const root = mkdtempSync(join(tmpdir(), "zkrs-cold-"));
  try {
    const project = join(root, "zk-risk-sharing");
    mkdirSync(project);
    const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: PROJECT_ROOT }).toString().split("\0").filter(Boolean);
    for (const f of files) {
      if (!existsSync(join(PROJECT_ROOT, f))) continue; // deleted in the working tree
      mkdirSync(dirname(join(project, f)), { recursive: true });
      cpSync(join(PROJECT_ROOT, f), join(project, f));
    }
    execFileSync("cp", ["-al", join(PROJECT_ROOT, "node_modules"), join(project, "node_modules")]);
    // What `npm install`'s postinstall does in a clone (not timed): build the native prover, else
    // the copy would prove with snarkjs where a user's clone proves natively.
    execFileSync(process.execPath, [join(project, "native", "build.mjs")], { cwd: project, stdio: "inherit" });
    const cache = join(root, "cache");
    mkdirSync(cache);
    return await timeDemo(project, { ...process.env, ZKRS_CACHE_DIR: cache, ZKRS_PTAU: undefined, ZKRS_ENTROPY: undefined });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

interface ColdFigures {
  coldStartMs: number | null;
  coldStartDemoMs: number | null;
  coldStartFreshMs: number;
  coldStartFreshDemoMs: number;
}

/**
 * Both cold starts, one after the other (never at once: they would share the cores), the fresh
 * one first; `onFresh` gets the fresh figures as soon as they are measured.
 */
async function coldStarts(onFresh?: (figures: ColdFigures) => void): Promise<ColdFigures> {
  console.log("— cold start, fresh: a copy of the project with nothing built or cached and no ../shared");
  const fresh = await coldStartFresh();
  console.log(`  first settled withdrawal after ${(fresh.firstSettlementMs / 1000).toFixed(1)} s, whole demo ${(fresh.demoMs / 1000).toFixed(1)} s`);
  const figures: ColdFigures = { coldStartMs: null, coldStartDemoMs: null, coldStartFreshMs: fresh.firstSettlementMs, coldStartFreshDemoMs: fresh.demoMs };
  onFresh?.(figures);
  console.log("— cold start: build/ moved aside, npm run demo (../shared/ptau and the ptau cache as they are)");
  const warm = await coldStart();
  console.log(`  first settled withdrawal after ${(warm.firstSettlementMs / 1000).toFixed(1)} s, whole demo ${(warm.demoMs / 1000).toFixed(1)} s`);
  return { ...figures, coldStartMs: warm.firstSettlementMs, coldStartDemoMs: warm.demoMs };
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
      "cold-only": { type: "boolean" },
      "cold-fresh-only": { type: "boolean" },
      "skip-scaling": { type: "boolean" },
      "skip-distributed": { type: "boolean" },
      "circuits-only": { type: "string" },
      "trader-only": { type: "boolean" },
      "skip-trader": { type: "boolean" },
      "gas-only": { type: "boolean" },
    },
  });
  if (values["gas-only"]) {
    await measureGasOnly();
    return;
  }
  if (values["trader-only"]) {
    await measureTraderOnly(Number(values.runs));
    return;
  }
  if (values["circuits-only"] !== undefined) {
    await measureOnly(values["circuits-only"].split(",").map((s) => s.trim()).filter(Boolean), Number(values.runs));
    return;
  }
  const runs = Number(values.runs);
  const sizes = values.accounts.split(",").map(Number);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--accounts must list positive integers, got ${values.accounts}`);

  const out = join(PROJECT_ROOT, "bench", "results.json");
  // Keys this run does not measure (skipped parts, figures other scripts add) stay as they are.
  const previous = existsSync(out) ? (JSON.parse(readFileSync(out, "utf8")) as Record<string, unknown>) : {};
  if (values["cold-fresh-only"]) {
    // Only the fresh cold start: every other figure, coldStartMs included, stays as it is.
    const before = loadavg()[0]!;
    console.log("— cold start, fresh: a copy of the project with nothing built or cached and no ../shared");
    const fresh = await coldStartFresh();
    const load = [before, loadavg()[0]!].map((l) => Number(l.toFixed(1)));
    console.log(`  first settled withdrawal after ${(fresh.firstSettlementMs / 1000).toFixed(1)} s, whole demo ${(fresh.demoMs / 1000).toFixed(1)} s (load average ${load.join(" -> ")})`);
    writeJsonAtomic(out, { ...previous, coldStartFreshMs: fresh.firstSettlementMs, coldStartFreshDemoMs: fresh.demoMs, coldStartFreshDate: new Date().toISOString(), coldStartFreshLoadAverage: load });
    console.log(`wrote ${out}`);
    return;
  }
  if (values["cold-only"]) {
    // Only the cold starts: the other figures in bench/results.json stay as they are.
    const save = (cold: ColdFigures): void => writeJsonAtomic(out, { ...previous, ...cold, coldStartDate: new Date().toISOString() });
    save(await coldStarts(save));
    console.log(`wrote ${out}`);
    return;
  }

  console.log("— build (the reference circuits measured here: the pool's)");
  await buildArtifacts({ only: Object.values(REFERENCE_CIRCUITS), log: (l) => { if (!l.startsWith("    [")) console.log(l); } });
  const selected = selectedProver();
  const provers: ProverKind[] = nativeProverBuilt() ? ["native", "snarkjs"] : ["snarkjs"];
  if (!nativeProverBuilt()) console.log("  (the native prover is not built: snarkjs only; npm run build:native)");
  const measured = new Map<ProverKind, [CircuitFigures, CircuitFigures, CircuitFigures]>();
  for (const prover of provers) {
    console.log(`— circuits, ${prover} prover (${runs} runs after a warm-up, medians)`);
    const figures: CircuitFigures[] = [];
    for (const name of ["margin", "solvency", "liquidation"]) {
      figures.push(await measureCircuit(name, runs, prover));
      console.log(`  ${name.padEnd(11)} ${JSON.stringify(figures[figures.length - 1])}`);
    }
    measured.set(prover, figures as [CircuitFigures, CircuitFigures, CircuitFigures]);
  }
  const [margin, solvency, liquidation] = measured.get(selected) ?? (measured.get("snarkjs") as [CircuitFigures, CircuitFigures, CircuitFigures]);
  const js = proverFigures(...(measured.get("snarkjs") as [CircuitFigures, CircuitFigures, CircuitFigures]));
  const nativeFigures = measured.get("native");
  const native = nativeFigures ? proverFigures(...nativeFigures) : null;
  const ratio = (a: number, b: number): number => Number((a / Math.max(b, 1)).toFixed(2));
  const prover = {
    selected,
    snarkjs: js,
    native: native ? { ...native, targetMarginMs: 1_500, targetSolvencyBatchMs: 3_000 } : null,
    speedup: native ? { margin: ratio(js.marginMs, native.marginMs), solvencyBatch: ratio(js.solvencyBatchMs, native.solvencyBatchMs), liquidation: ratio(js.liquidationMs, native.liquidationMs) } : null,
  };
  const riskTable = await measureCircuit("risk_table", runs, selected);
  console.log(`  risk_table  ${JSON.stringify(riskTable)}`);
  const exitFigures = await measureCircuit("exit", runs, selected);
  console.log(`  exit        ${JSON.stringify(exitFigures)}`);
  const constraints = await referenceConstraints();
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
  const gas = await demoGas();

  const trader = values["skip-trader"] ? null : await traderFigures(Math.min(runs, 3));
  const cold = values["skip-cold"] ? null : await coldStarts();
  const largest = curve[curve.length - 1];
  const kept = <T,>(measuredNow: T | null, key: string): T | null => measuredNow ?? ((previous[key] as T | undefined) ?? null);
  const results = {
    ...previous,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? "?", node: process.version, loadAverage: loadavg().map((l) => Number(l.toFixed(1))) },
    margin: { ...margin, targetConstraints: 40_000, targetProveMs: 3_000 },
    solvency: {
      ...solvency,
      batchSize,
      constraintsPerAccount: Math.round(solvency.constraints / batchSize),
      accountsPerSecond: largest ? largest.accountsPerSecond : Number((batchSize / (solvency.proveMs / 1000)).toFixed(2)),
      scaling: curve.length ? curve : ((previous.solvency as { scaling?: unknown } | undefined)?.scaling ?? []),
      targetConstraintsPerAccount: 4_000,
    },
    liquidation,
    riskTable: { ...riskTable, note: "proven once per epoch by the publisher (issue 17)" },
    exit: { ...exitFigures, note: "proven by a trader once the pool is frozen (docs/design.md §12)" },
    constraints,
    prover,
    distributed: kept(distributed, "distributed"),
    trader: kept(trader, "trader"),
    gas: { ...gas, ...GAS_TARGETS },
    coldStartMs: kept(cold?.coldStartMs ?? null, "coldStartMs"),
    coldStartDemoMs: kept(cold?.coldStartDemoMs ?? null, "coldStartDemoMs"),
    coldStartFreshMs: kept(cold?.coldStartFreshMs ?? null, "coldStartFreshMs"),
    coldStartFreshDemoMs: kept(cold?.coldStartFreshDemoMs ?? null, "coldStartFreshDemoMs"),
    coldStartDate: cold ? new Date().toISOString() : kept(null, "coldStartDate"),
  };
  writeJsonAtomic(out, results);

  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  console.log(`\n${table([
    ["figure", "measured", "target"],
    ["margin constraints", margin.constraints.toLocaleString("en-US"), "<= 40,000"],
    ["prover (margin, solvency, liquidation, scaling)", selected, ""],
    ["margin witness + proof", `${s(margin.proveMs)} (witness ${s(margin.witnessMs)})`, "<= 3 s"],
    ["margin verify (off-chain)", s(margin.verifyMs), ""],
    ["margin peak memory", `${margin.peakRssMB} MB`, ""],
    ["solvency batch constraints", `${solvency.constraints.toLocaleString("en-US")} (${batchSize} accounts)`, ""],
    ["solvency constraints / account", results.solvency.constraintsPerAccount.toLocaleString("en-US"), "<= 4,000"],
    ["solvency batch witness + proof", `${s(solvency.proveMs)} (witness ${s(solvency.witnessMs)})`, ""],
    ["solvency peak memory", `${solvency.peakRssMB} MB`, ""],
    ["liquidation constraints", liquidation.constraints.toLocaleString("en-US"), ""],
    ["liquidation witness + proof", `${s(liquidation.proveMs)} (witness ${s(liquidation.witnessMs)})`, ""],
    ["risk table constraints", riskTable.constraints.toLocaleString("en-US"), ""],
    ["risk table witness + proof (per epoch)", `${s(riskTable.proveMs)} (witness ${s(riskTable.witnessMs)})`, ""],
    ["exit constraints", exitFigures.constraints.toLocaleString("en-US"), ""],
    ["exit witness + proof", `${s(exitFigures.proveMs)} (witness ${s(exitFigures.witnessMs)})`, ""],
    ["snarkjs: margin / solvency batch", `${s(js.marginMs)} / ${s(js.solvencyBatchMs)} (peak ${js.marginPeakRssMB} / ${js.solvencyPeakRssMB} MB)`, ""],
    ...(native && prover.speedup ? [
      ["native: margin", `${s(native.marginMs)} (${prover.speedup.margin}x, peak ${native.marginPeakRssMB} MB)`, "<= 1.5 s"],
      ["native: solvency batch", `${s(native.solvencyBatchMs)} (${prover.speedup.solvencyBatch}x, peak ${native.solvencyPeakRssMB} MB)`, "<= 3 s"],
    ] as [string, string, string][] : []),
    ...curve.map((c): [string, string, string] => [`solvency ${c.accounts} accounts`, `${s(c.totalMs)}, ${c.accountsPerSecond} accounts/s`, ""]),
    ...(distributed ? distributed.runs.map((r): [string, string, string] => [
      `solvency ${distributed?.accounts} accounts, ${r.workers === "in-process" ? "in-process" : `${r.workers} local worker(s)`}`,
      `${s(r.totalMs)}, ${r.accountsPerSecond} accounts/s`, "",
    ]) : []),
    ["margin in the browser (trader's page, headless Chromium)", trader ? `${s(Number(trader.browserProveMs))} (witness ${s(Number(trader.browserWitnessMs))})` : "skipped", "<= 15 s"],
    ["gas publishRisk", gas.publishRisk.toLocaleString("en-US"), "<= 350,000"],
    ["gas postSolvency per batch", gas.postSolvencyBatch.toLocaleString("en-US"), "<= 350,000"],
    ["gas settle", gas.settle.toLocaleString("en-US"), "<= 300,000"],
    ["gas liquidate", gas.liquidate.toLocaleString("en-US"), ""],
    ["gas fundInsurance", gas.fundInsurance.toLocaleString("en-US"), ""],
    ["gas exit (to a holder / a fresh recipient)", `${gas.exit.toLocaleString("en-US")} / ${gas.exitToFreshRecipient.toLocaleString("en-US")}`, "<= 300,000"],
    ["cold start to first settlement (with ../shared)", cold?.coldStartMs && cold.coldStartDemoMs ? `${s(cold.coldStartMs)} (whole demo ${s(cold.coldStartDemoMs)})` : "skipped", "<= 300 s"],
    ["cold start, fresh clone, nothing cached", cold ? `${s(cold.coldStartFreshMs)} (whole demo ${s(cold.coldStartFreshDemoMs)})` : "skipped", "<= 300 s (demo <= 480 s)"],
  ])}\n\nwrote ${out}`);
}

main().catch(async (err: unknown) => {
  console.error(`bench failed: ${err instanceof Error ? err.message : String(err)}`);
  await releaseProverThreads();
  process.exit(1);
});
