import { existsSync, readFileSync } from "node:fs";
import { writeJsonAtomic } from "./atomicWrite.js";
import type { CircuitInstance } from "./circuitCatalog.js";
import type { CompiledCircuit } from "./compileCircuit.js";
import type { KeySet } from "./groth16Setup.js";
import { MANIFEST_PATH } from "./paths.js";
import type { PtauChoice } from "./ptau.js";

/** Everything built for one circuit instance, as recorded in build/manifest.json. */
export interface CircuitArtifacts {
  instance: CircuitInstance;
  circuit: CompiledCircuit;
  ptau: PtauChoice;
  keys: KeySet;
  /** True when anything in the trust chain is a dev shortcut: never use these keys for money. */
  insecure: boolean;
}

export interface ContractArtifact {
  sourceName: string;
  contractName: string;
  abi: unknown[];
  bytecode: string;
}

export interface Manifest {
  version: 1;
  circuits: Record<string, CircuitArtifacts>;
  contracts?: { sourcesHash: string; solc: string; artifacts: Record<string, ContractArtifact> };
}

export function readManifest(): Manifest {
  if (!existsSync(MANIFEST_PATH)) return { version: 1, circuits: {} };
  return JSON.parse(readFileSync(MANIFEST_PATH, "utf8")) as Manifest;
}

export function writeManifest(manifest: Manifest): void {
  writeJsonAtomic(MANIFEST_PATH, manifest);
}

/** The built artifacts of one circuit, with a clear error when the build has not made them. */
export function loadCircuitArtifacts(name: string): CircuitArtifacts {
  const entry = readManifest().circuits[name];
  if (!entry) throw new Error(`circuit "${name}" is not built: run \`npm run build\``);
  for (const file of [entry.circuit.wasm, entry.keys.zkey, entry.keys.vkey]) {
    if (!existsSync(file)) throw new Error(`artifact ${file} of circuit "${name}" is missing: run \`npm run build\``);
  }
  return entry;
}

/** A compiled contract from the manifest, by contract name (or "source.sol:Name"). */
export function loadContractArtifact(name: string): ContractArtifact {
  const contracts = readManifest().contracts;
  if (!contracts) throw new Error("contracts are not built: run `npm run build`");
  const found = contracts.artifacts[name];
  if (!found) throw new Error(`contract "${name}" is not in the build (have: ${Object.keys(contracts.artifacts).join(", ")})`);
  return found;
}
