/**
 * `npm run build` — compile the circuits, run the Groth16 setup, export and compile the
 * verifiers and contracts; only what changed since the last build.
 *
 *   tsx scripts/build.ts [--set test|reference] [--only name,...] [--ptau file.ptau] [--entropy text] [--compile-only]
 *
 * --compile-only compiles (cached by content hash) and prints each circuit's constraint count,
 * with no trusted setup and no manifest change (how bench pins the reference sizes).
 */
import { parseArgs } from "node:util";
import { buildArtifacts, compileOnly } from "../src/build/buildArtifacts.js";
import { stopCurveEngines } from "../src/proof/curveEngines.js";
import type { CircuitSet } from "../src/protocol/circuitCatalog.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      set: { type: "string", multiple: true },
      only: { type: "string" },
      ptau: { type: "string" },
      entropy: { type: "string" },
      "compile-only": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log("usage: tsx scripts/build.ts [--set test|reference]... [--only name,...] [--ptau file.ptau] [--entropy text] [--compile-only]");
    return;
  }
  for (const s of values.set ?? []) if (s !== "test" && s !== "reference") throw new Error(`--set must be "test" or "reference", got "${s}"`);
  const started = Date.now();
  console.log("zk-risk-sharing build");
  if (values["compile-only"]) {
    const sizes = await compileOnly({ sets: values.set as CircuitSet[] | undefined, only: values.only?.split(",").map((s) => s.trim()).filter(Boolean) });
    for (const s of sizes) console.log(`${s.name}\t${s.constraints}`);
    return;
  }
  await buildArtifacts({
    sets: values.set as CircuitSet[] | undefined,
    only: values.only?.split(",").map((s) => s.trim()).filter(Boolean),
    ptau: values.ptau,
    entropy: values.entropy,
  });
  console.log(`build done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main()
  // snarkjs and the key maker build BN254 curve engines with worker threads; end every one of them
  // (not only the one cached last) so the process can exit.
  .then(stopCurveEngines)
  .catch((err: unknown) => {
    console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
