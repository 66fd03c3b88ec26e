import { CIRCUITS, type CircuitInstance, type CircuitSet } from "./circuitCatalog.js";
import { compileCircuit } from "./compileCircuit.js";
import { compileContracts } from "./compileContracts.js";
import { groth16Setup } from "./groth16Setup.js";
import { type CircuitArtifacts, type Manifest, readManifest, writeManifest } from "./manifest.js";
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

/** "margin_test" -> "MarginTest": the name under which a circuit's verifier contract is built. */
export function verifierName(circuit: string): string {
  return circuit.split(/[_-]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("") + "Verifier";
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
 * contracts, and record everything in build/manifest.json.
 */
export async function buildArtifacts(options: BuildOptions = {}): Promise<Manifest> {
  const log = options.log ?? ((line: string) => console.log(line));
  const instances = selectedChecked(options);
  for (const instance of instances) {
    const circuit = await compileCircuit(instance, log);
    const ptau = await resolvePtau(requiredPower(circuit.constraints, circuit.nPublic), { explicitPath: options.ptau, log });
    const keys = await groth16Setup(instance.name, circuit, ptau, { entropy: options.entropy, log });
    const entry: CircuitArtifacts = { instance, circuit, ptau, keys, insecure: ptau.insecure || keys.deterministicEntropy };
    // Re-read before each write: another build (of another set) may have recorded entries meanwhile.
    const current = readManifest();
    current.circuits[instance.name] = entry;
    writeManifest(current);
    if (entry.insecure) log(`  ${instance.name}: INSECURE development setup (${ptau.insecure ? `dev ptau from ${ptau.source}` : "public dev entropy"}) — never use these keys for real funds`);
  }
  const manifest = readManifest();
  const verifiers = Object.fromEntries(Object.values(manifest.circuits).map((c) => [verifierName(c.instance.name).replace(/Verifier$/, ""), c.keys.verifierSol]));
  manifest.contracts = compileContracts(verifiers, manifest.contracts, log);
  writeManifest(manifest);
  return manifest;
}
