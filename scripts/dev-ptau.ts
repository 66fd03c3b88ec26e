/**
 * DEVELOPMENT-ONLY: generate an insecure, phase-2-prepared BN128 powers-of-tau file.
 *
 *   tsx scripts/dev-ptau.ts <power> <out.ptau> [--entropy <text>]
 *
 * The toxic waste is known to this process -- never use the result for real deployments.
 * See src/setup/devPtau.ts.
 */
import { generateDevPtau } from "../src/setup/devPtau.js";

function usage(): never {
  console.error("usage: tsx scripts/dev-ptau.ts <power 1..28> <out.ptau> [--entropy <text>]");
  process.exit(2);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  let entropy: string | undefined;
  const pos: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--entropy") {
      entropy = args[++i];
      if (entropy === undefined) usage();
    } else if (a === "-h" || a === "--help") {
      usage();
    } else {
      pos.push(a);
    }
  }
  if (pos.length !== 2) usage();
  const power = Number(pos[0]);
  const out = pos[1]!;

  console.log(`dev-ptau: generating INSECURE development ptau, power ${power} -> ${out}`);
  const start = performance.now();
  let lastStage = "";
  let lastPct = -1;
  const res = await generateDevPtau(power, out, {
    entropy,
    onProgress(stage, done, total) {
      const pct = total > 0 ? Math.floor((done * 4) / total) * 25 : 100;
      if (stage !== lastStage || pct !== lastPct) {
        const t = ((performance.now() - start) / 1000).toFixed(1);
        console.log(`  [${t.padStart(6)}s] ${stage.padEnd(20)} ${done}/${total} (${pct}%)`);
        lastStage = stage;
        lastPct = pct;
      }
    },
  });
  console.log(`dev-ptau: wrote ${res.path} (power ${res.power}) in ${(res.ms / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  console.error(`dev-ptau: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
