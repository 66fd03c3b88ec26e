import { existsSync, readFileSync } from "node:fs";
import type { CircuitInstance } from "../protocol/circuitCatalog.js";
import { MANIFEST_PATH } from "./paths.js";

/*
 * build/manifest.json as the prover, the chain client, the CLI and the tests read it at run
 * time. The build pipeline (src/build/) writes it.
 */

/** A compiled circuit (circom output) in build/circuits/<name>-<hash>/. */
export interface CompiledCircuit {
  circuitHash: string;
  dir: string;
  r1cs: string;
  wasm: string;
  sym: string;
  constraints: number;
  nPublic: number;
  nPrivateInputs: number;
  wires: number;
  compileMs: number;
}

/** Where a powers-of-tau file came from. */
/**
 * Where the ptau came from. "toxic-waste": none was read (development keys made directly from
 * the public dev toxic waste); the path names the matching dev ptau, made on demand by
 * `zkrs setup verify --deep`, and sha256 is empty.
 */
export type PtauSource = "explicit" | "shared" | "cache" | "generated" | "toxic-waste";

export interface PtauChoice {
  path: string;
  power: number;
  sha256: string;
  source: PtauSource;
  /** True unless the file was handed in explicitly (a ceremony file is the caller's claim). */
  insecure: boolean;
}

/** A circuit's Groth16 keys and Solidity verifier in build/keys/<name>-<hash>/. */
export interface KeySet {
  setupHash: string;
  dir: string;
  zkey: string;
  zkeySha256: string;
  vkey: string;
  verifierSol: string;
  /** Label of the phase-2 contribution (its entropy is not stored). */
  contribution: string;
  /** True when the entropy is the built-in deterministic dev value, known to everyone. */
  deterministicEntropy: boolean;
  /**
   * True when rebuilding from the same ptau and entropy gives byte-identical keys: the dev
   * setup applies its contribution as a snarkjs beacon (deterministic). A real contribution
   * (ZKRS_ENTROPY / --entropy) is not: snarkjs mixes fresh OS randomness into the entropy.
   */
  reproducible: boolean;
  setupMs: number;
}

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
