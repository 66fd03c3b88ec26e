import { CIRCUITS, type CircuitInstance, type CircuitSet, verifierName } from "../protocol/circuitCatalog.js";
import { compileCircuit } from "./compileCircuit.js";
import { compileContracts } from "./compileContracts.js";
import { groth16Setup } from "./groth16Setup.js";
import { type CircuitArtifacts, type Manifest, readManifest } from "../artifacts/manifest.js";
import { MANIFEST_PATH } from "../artifacts/paths.js";
import { writeJsonAtomic } from "../io/atomicWrite.js";
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
}

function writeManifest(manifest: Manifest): void {
  writeJsonAtomic(MANIFEST_PATH, manifest);
}

function selected(options: BuildOptions): CircuitInstance[] {
  const sets = options.sets ?? ["test", "reference"];
  return CIRCUITS.filter((c) => (options.only ? options.only.includes(c.name) : sets.includes(c.set)));
}

/**
 * The whole build, incremental: compile each selected circuit (cached by content hash),
 * run its Groth16 setup (cached by circuit, ptau and entropy), export its verifier, compile the
 * contracts, and record everything in build/manifest.json.
 */
export async function buildArtifacts(options: BuildOptions = {}): Promise<Manifest> {
  const log = options.log ?? ((line: string) => console.log(line));
  const instances = selected(options);
  if (options.only && instances.length !== options.only.length) {
    throw new Error(`unknown circuit in --only ${options.only.join(",")}`);
  }
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
