import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import type { ContractArtifact, Manifest } from "../artifacts/manifest.js";
import { sha256Hex } from "./hashing.js";
import { CONTRACTS_DIR, PROJECT_ROOT } from "./paths.js";

const require = createRequire(import.meta.url);

interface SolcOutput {
  errors?: { severity: string; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
}

interface Solc {
  version(): string;
  compile(input: string): string;
}

function solSources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? solSources(join(dir, e.name)) : e.name.endsWith(".sol") ? [join(dir, e.name)] : []);
}

/**
 * Compiles contracts/ plus the generated verifiers with the pinned solc-js (optimizer on),
 * unless the same sources were compiled already. Generated verifiers are compiled as
 * `verifiers/<Circuit>Verifier.sol`; each keeps snarkjs' contract name Groth16Verifier, so the
 * artifact key is "<Circuit>Verifier" and its source is never edited.
 */
export function compileContracts(verifiers: Record<string, string>, previous: Manifest["contracts"], log: (line: string) => void): NonNullable<Manifest["contracts"]> {
  const sources: Record<string, { content: string }> = {};
  for (const file of solSources(CONTRACTS_DIR)) sources[relative(PROJECT_ROOT, file)] = { content: readFileSync(file, "utf8") };
  for (const [circuit, path] of Object.entries(verifiers)) sources[`verifiers/${circuit}Verifier.sol`] = { content: readFileSync(path, "utf8") };

  const solc = require("solc") as Solc;
  const version = solc.version();
  const sourcesHash = sha256Hex(version + "\0" + JSON.stringify(Object.entries(sources).sort()));
  if (previous?.sourcesHash === sourcesHash) {
    log("  contracts: compiled already");
    return previous;
  }
  log(`  contracts: compiling ${Object.keys(sources).length} sources with solc ${version} ...`);
  const input = {
    language: "Solidity",
    sources,
    settings: { optimizer: { enabled: true, runs: 200 }, outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } } },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length > 0) throw new Error(`solc failed:\n${errors.map((e) => e.formattedMessage).join("\n")}`);

  const artifacts: Record<string, ContractArtifact> = {};
  for (const [sourceName, contracts] of Object.entries(output.contracts ?? {})) {
    for (const [contractName, c] of Object.entries(contracts)) {
      if (c.evm.bytecode.object.length === 0) continue; // interfaces and abstract contracts
      const generated = sourceName.match(/^verifiers\/(\w+Verifier)\.sol$/);
      const key = generated ? generated[1] : contractName;
      artifacts[key] = { sourceName, contractName, abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
    }
  }
  log(`  contracts: ${Object.keys(artifacts).join(", ")}`);
  return { sourcesHash, solc: version, artifacts };
}
