/**
 * `npm run demo` — one full epoch of the pool on an embedded anvil (or `--rpc-url`): builds
 * what is missing, deploys, proves, settles, refuses an under-margined trader, audits, reports.
 *
 *   tsx scripts/demo.ts [--rpc-url URL]
 */
import { parseArgs } from "node:util";
import { buildArtifacts } from "../src/build/buildArtifacts.js";
import { withChain } from "../src/chain/localChain.js";
import { progressBoard } from "../src/io/progress.js";
import { REFERENCE_CIRCUITS } from "../src/chain/riskSharingPool.js";
import { formatDemoReport, runDemoEpoch } from "../src/demo/runDemo.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { "rpc-url": { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log("usage: npm run demo [-- --rpc-url URL]\n  --rpc-url URL   run against this JSON-RPC chain (its funded accounts must be anvil's dev mnemonic)");
    return;
  }
  const circuits = REFERENCE_CIRCUITS;
  console.log("zk-risk-sharing demo — DEVELOPMENT SETUP, INSECURE KEYS: never use them for real funds");
  console.log("— build (cached after the first run)");
  const board = progressBoard({ log: (l) => console.log(l) });
  // Only the circuits the pool is deployed with (margin, solvency, liquidation, risk table, exit): a first run waits for nothing else.
  await buildArtifacts({ only: Object.values(circuits), board, log: (l) => { if (!l.startsWith("    [")) board.log(l); } });
  const result = await withChain(values["rpc-url"], async (chain) => {
    console.log(`— chain ${chain.rpcUrl}${chain.embedded ? " (embedded anvil, stopped at the end)" : ""}`);
    return runDemoEpoch({ chain, circuits, board });
  });
  console.log(formatDemoReport(result));
  if (!result.audit.ok || !result.shockAudit.ok || (result.escape !== undefined && !result.escape.exact)) process.exitCode = 1;
}

main()
  .catch((err: unknown) => {
    console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  })
  .finally(releaseProverThreads);
