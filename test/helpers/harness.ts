import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import * as snarkjs from "snarkjs";
import { runCircom } from "../../src/build/compileCircuit.js";
import { BUILD_DIR, CIRCOM_LIBRARY_DIRS, CIRCUITS_DIR, PROJECT_ROOT } from "../../src/build/paths.js";
import type { CircuitFiles } from "./witness.js";

export interface Harness extends CircuitFiles {
  constraints: number;
}

/**
 * Compiles a test-only main circuit with `circom --O2` (as the build does) into
 * build/harness/<name>/: `body(lib)` is the circom source after the pragma, `lib` the path of
 * circuits/lib/ relative to the harness file (for its includes).
 */
export async function compileHarness(name: string, body: (lib: string) => string): Promise<Harness> {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`harness name must be a lower-case identifier, got "${name}"`);
  const dir = join(BUILD_DIR, "harness", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const main = join(dir, `${name}.circom`);
  writeFileSync(main, `pragma circom 2.1.5;\n\n${body(relative(dir, join(CIRCUITS_DIR, "lib")))}\n`);
  const libs = CIRCOM_LIBRARY_DIRS.flatMap((d) => ["-l", d]);
  await runCircom([relative(PROJECT_ROOT, main), "--O2", "--r1cs", "--wasm", "--sym", "-o", relative(PROJECT_ROOT, dir), ...libs], () => undefined, "");
  const r1cs = join(dir, `${name}.r1cs`);
  const info = await snarkjs.r1cs.info(r1cs);
  return { circuit: { r1cs, wasm: join(dir, `${name}_js`, `${name}.wasm`), sym: join(dir, `${name}.sym`) }, constraints: info.nConstraints };
}
