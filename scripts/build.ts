/**
 * `npm run build` — compile the circuits, run the Groth16 setup, export and compile the
 * verifiers and contracts; only what changed since the last build.
 *
 *   tsx scripts/build.ts [--set test|reference] [--only name,...] [--ptau file.ptau] [--entropy text]
 */
import { parseArgs } from "node:util";
import { curves } from "snarkjs";
import { buildArtifacts } from "../src/build/buildArtifacts.js";
import type { CircuitSet } from "../src/protocol/circuitCatalog.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      set: { type: "string", multiple: true },
      only: { type: "string" },
      ptau: { type: "string" },
      entropy: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log("usage: tsx scripts/build.ts [--set test|reference]... [--only name,...] [--ptau file.ptau] [--entropy text]");
    return;
  }
  for (const s of values.set ?? []) if (s !== "test" && s !== "reference") throw new Error(`--set must be "test" or "reference", got "${s}"`);
  const started = Date.now();
  console.log("zk-risk-sharing build");
  await buildArtifacts({
    sets: values.set as CircuitSet[] | undefined,
    only: values.only?.split(",").map((s) => s.trim()).filter(Boolean),
    ptau: values.ptau,
    entropy: values.entropy,
  });
  console.log(`build done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

main()
  .then(async () => {
    // snarkjs caches curves with worker threads; end them so the process can exit.
    const bn128 = await curves.getCurveFromName("bn128");
    await bn128.terminate();
  })
  .catch((err: unknown) => {
    console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
