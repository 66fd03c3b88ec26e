/**
 * Child process of `npm run bench`: proves one reference circuit `runs` times after a warm-up
 * and prints one JSON line with median timings (proveMs = witness + Groth16) and this
 * process's peak memory (so each circuit's peak is measured alone).   tsx scripts/bench/measureCircuit.ts margin|solvency <runs>
 */
import { accountCommitment, newTraderAccount } from "../../src/accounts/account.js";
import { MerkleTree } from "../../src/accounts/merkleTree.js";
import { loadCircuitArtifacts } from "../../src/build/manifest.js";
import { demoSnapshot, instrumentIndex, syntheticAccounts } from "../../src/demo/demoMarket.js";
import { planSolvencyBatches } from "../../src/operator/solvencyBatches.js";
import { liabilityTotals } from "../../src/operator/solvencyTotals.js";
import { type CircuitInput, proveCircuit, releaseProverThreads, verifyGroth16 } from "../../src/proof/groth16Prover.js";
import { commitRiskTable } from "../../src/risk/riskCommitment.js";
import { computeRiskTable } from "../../src/risk/riskEngine.js";
import { buildMarginInput } from "../../src/trader/marginInput.js";

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function main(): Promise<void> {
  const [kind, runsArg] = process.argv.slice(2);
  const runs = Number(runsArg ?? 5);
  const snapshot = demoSnapshot(1);
  const table = computeRiskTable(snapshot);
  let input: CircuitInput;
  const artifacts = loadCircuitArtifacts(kind);
  if (artifacts.instance.kind === "margin") {
    const params = artifacts.instance.params;
    const ix = (id: string): number => instrumentIndex(snapshot, id);
    const account = newTraderAccount(50_000_000_000n, [
      { instrument: ix("ETH-PERP"), quantity: 4n }, { instrument: ix("ETH-3250-C"), quantity: -2n }, { instrument: ix("BTC-55000-P"), quantity: 1n },
      { instrument: ix("BTC-PERP"), quantity: -1n }, { instrument: ix("ETH-2750-P"), quantity: 3n }, { instrument: ix("BTC-65000-C"), quantity: -1n },
      { instrument: ix("ETH-FUT-Q"), quantity: 2n }, { instrument: ix("BTC-60000-P"), quantity: 1n },
    ]);
    const tree = new MerkleTree(params.depth);
    tree.set(123_456, accountCommitment(account, params.positions));
    input = buildMarginInput({ account, accountPath: tree.path(123_456), accountsRoot: tree.root, riskTable: table, epoch: 1, recipient: "0x000000000000000000000000000000000000dEaD", amount: 1_000_000_000n }, params).input;
  } else {
    const params = artifacts.instance.params;
    const accounts = syntheticAccounts(2 ** params.logBatch, params.positions, snapshot.instruments.length);
    const totals = liabilityTotals(accounts, commitRiskTable(table, params.logInstruments).rows, params.scenarios);
    const bound = totals.reduce((m, t) => (t > m ? t : m), 0n);
    input = planSolvencyBatches(accounts, table, bound, 1, params).batches[0].input;
  }
  const witnessMs: number[] = [];
  const proveMs: number[] = [];
  const verifyMs: number[] = [];
  const totalMs: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const proof = await proveCircuit(artifacts, input);
    const t = Date.now();
    if (!(await verifyGroth16(kind, proof.publicSignals, proof.proof))) throw new Error(`${kind}: proof does not verify`);
    if (i === 0) continue; // warm-up
    witnessMs.push(proof.timings.witnessMs);
    proveMs.push(proof.timings.proveMs);
    verifyMs.push(Date.now() - t);
    totalMs.push(proof.timings.witnessMs + proof.timings.proveMs);
  }
  await releaseProverThreads();
  const peakRssMB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ constraints: artifacts.circuit.constraints, runs, witnessMs: median(witnessMs), groth16Ms: median(proveMs), proveMs: median(totalMs), verifyMs: median(verifyMs), peakRssMB }));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
