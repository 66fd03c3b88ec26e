import { availableParallelism } from "node:os";
import { type CircuitArtifacts, type Manifest, readManifest } from "../artifacts/manifest.js";
import { MANIFEST_PATH } from "../artifacts/paths.js";
import { writeJsonAtomic } from "../io/atomicWrite.js";
import { type ProgressBoard, progressBoard } from "../io/progress.js";
import { CIRCUITS, type CircuitInstance, type CircuitKind, type CircuitSet, verifierName } from "../protocol/circuitCatalog.js";
import { compileCircuit } from "./compileCircuit.js";
import { compileContracts } from "./compileContracts.js";
import { devGroth16Setup, devToxicPtau, groth16Setup } from "./groth16Setup.js";
import { requiredPower, resolvePtau } from "./ptau.js";

export interface BuildOptions {
  /** Which circuit sets to build (default: all). */
  sets?: readonly CircuitSet[];
  /** Only these circuits (by name). */
  only?: readonly string[];
  /** A prepared ceremony ptau (else ZKRS_PTAU, ../shared/ptau, the cache, or a generated dev one). */
  ptau?: string;
  /** Phase-2 entropy (else ZKRS_ENTROPY, else a public deterministic dev value). */
  entropy?: string;
  log?: (line: string) => void;
  /** Where long steps show their progress (default: a board over `log` and stderr); `log` should then print through board.log. */
  board?: ProgressBoard;
  /** Compile only (cached by content hash) and report constraint counts: no setup, no manifest change. */
  compileOnly?: boolean;
}

/** One compiled circuit's size, as a compile-only build reports it. */
export interface CompiledSize {
  name: string;
  constraints: number;
  nPublic: number;
}

/**
 * Compiles the selected circuits (cached by content hash) and returns their constraint counts,
 * without any trusted setup: how the reference circuits' sizes are pinned without their keys.
 */
export async function compileOnly(options: BuildOptions = {}): Promise<CompiledSize[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const out: CompiledSize[] = [];
  for (const instance of selectedChecked(options)) {
    const c = await compileCircuit(instance, log);
    out.push({ name: instance.name, constraints: c.constraints, nPublic: c.nPublic });
  }
  return out;
}

/**
 * Compile order: the longest compiles first (longest-processing-time scheduling over the cores),
 * so the build's end is not a big circuit started last. Measured at the reference parameters:
 * EpochTransition (339k constraints), RiskTable (174k) and PoolSolvency (126k) take several times
 * EpochEvents, MarginCompliance (27k), Liquidation (26k) or Exit (26k).
 */
const COMPILE_RANK: Record<CircuitKind, number> = { transition: 0, riskTable: 1, solvency: 2, transitionEvents: 3, margin: 4, liquidation: 5, exit: 6 };

/** The instances in compile order (stable within a rank, so the catalog order breaks ties). */
export function compileOrder(instances: readonly CircuitInstance[]): CircuitInstance[] {
  return [...instances].sort((a, b) => COMPILE_RANK[a.kind] - COMPILE_RANK[b.kind]);
}

/** Starts every task, at most `limit` at once; the promises settle in the tasks' order. */
function runLimited<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T>[] {
  const results: Promise<T>[] = [];
  const gates: (() => void)[] = [];
  let running = 0;
  const release = (): void => {
    running--;
    gates.shift()?.();
  };
  for (const task of tasks) {
    const p = (async () => {
      if (running >= limit) await new Promise<void>((resolve) => gates.push(resolve));
      running++;
      try {
        return await task();
      } finally {
        release();
      }
    })();
    p.catch(() => undefined); // surfaced when awaited in order
    results.push(p);
  }
  return results;
}

function writeManifest(manifest: Manifest): void {
  writeJsonAtomic(MANIFEST_PATH, manifest);
}

function selectedChecked(options: BuildOptions): CircuitInstance[] {
  const sets = options.sets ?? ["test", "reference"];
  const instances = CIRCUITS.filter((c) => (options.only ? options.only.includes(c.name) : sets.includes(c.set)));
  if (options.only && instances.length !== options.only.length) {
    throw new Error(`unknown circuit in --only ${options.only.join(",")}`);
  }
  return instances;
}

/**
 * The whole build, incremental: compile each selected circuit (cached by content hash),
 * run its Groth16 setup (cached by circuit, ptau and entropy), export its verifier, compile the
 * contracts, and record everything in artifacts/manifest.json.
 */
export async function buildArtifacts(options: BuildOptions = {}): Promise<Manifest> {
  const board = options.board ?? progressBoard({ log: options.log ?? ((line: string) => console.log(line)) });
  // With a board of its own the caller's log prints through it (see scripts/demo.ts).
  const log = options.board ? (options.log ?? board.log) : board.log;
  const instances = compileOrder(selectedChecked(options));
  // circom is single-threaded: compile up to one circuit per core at once, longest first, and set
  // up keys (which use every core) one circuit at a time, in the order the compiles finish.
  const compiles = runLimited(instances.map((instance) => () => compileCircuit(instance, log, board)), Math.max(1, availableParallelism()));
  const pending = new Map(compiles.map((p, i) => [i, p.then((circuit) => ({ i, circuit }))]));
  while (pending.size > 0) {
    const { i, circuit } = await Promise.race(pending.values());
    pending.delete(i);
    const instance = instances[i]!;
    // Without a ceremony ptau or entropy, the keys are the (insecure) development keys, made directly.
    const dev = options.ptau === undefined && !process.env.ZKRS_PTAU && options.entropy === undefined && !process.env.ZKRS_ENTROPY;
    const ptau = dev ? devToxicPtau(circuit) : await resolvePtau(requiredPower(circuit.constraints, circuit.nPublic), { explicitPath: options.ptau, log, board });
    const keys = dev ? await devGroth16Setup(instance.name, circuit, { log, board }) : await groth16Setup(instance.name, circuit, ptau, { entropy: options.entropy, log, board });
    const entry: CircuitArtifacts = { instance, circuit, ptau, keys, insecure: ptau.insecure || keys.deterministicEntropy };
    // Re-read before each write: another build (of another set) may have recorded entries meanwhile.
    const current = readManifest();
    current.circuits[instance.name] = entry;
    writeManifest(current);
    if (entry.insecure) log(`  ${instance.name}: INSECURE development setup (${ptau.source === "toxic-waste" ? "keys from public toxic waste" : ptau.insecure ? `dev ptau from ${ptau.source}` : "public dev entropy"}) — never use these keys for real funds`);
  }
  const manifest = readManifest();
  const verifiers = Object.fromEntries(Object.values(manifest.circuits).map((c) => [verifierName(c.instance.name).replace(/Verifier$/, ""), c.keys.verifierSol]));
  manifest.contracts = compileContracts(verifiers, manifest.contracts, log);
  writeManifest(manifest);
  return manifest;
}
