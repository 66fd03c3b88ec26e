import assert from "node:assert/strict";
import * as snarkjs from "snarkjs";
import { accountCommitment, newTraderAccount } from "../src/accounts/account.js";
import { loadCircuitArtifacts } from "../src/artifacts/manifest.js";
import { MerkleTree } from "../src/crypto/merkleTree.js";
import { planSolvencyBatches } from "../src/operator/solvencyBatches.js";
import { type CircuitInput, proveCircuit, releaseProverThreads } from "../src/proof/groth16Prover.js";
import { calculateWitness } from "../src/proof/witnessCalculator.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { computeRiskTable } from "../src/risk/riskEngine.js";
import { marginReport } from "../src/risk/equity.js";
import { buildMarginInput } from "../src/trader/marginInput.js";
import { testSnapshot } from "./helpers/market.js";

// The witness generators kept compiled across proofs (src/proof/witnessCalculator.ts) give
// snarkjs' wtns.calculate bytes, one call at a time, and recover after a refused witness.

const EPOCH = 6;

function signals(input: CircuitInput): Record<string, unknown> {
  return JSON.parse(JSON.stringify(input, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Record<string, unknown>;
}

async function snarkjsWtns(wasm: string, input: Record<string, unknown>): Promise<Uint8Array> {
  const mem = { type: "mem" } as { type: string; data?: Uint8Array };
  await snarkjs.wtns.calculate(input, wasm, mem);
  if (!mem.data) throw new Error("snarkjs returned no witness");
  return mem.data;
}

describe("witness generators reused across proofs", function () {
  const table = computeRiskTable(testSnapshot(EPOCH));
  after(releaseProverThreads);

  it("gives snarkjs' witness bytes for successive and concurrent calls on one generator", async () => {
    const artifacts = loadCircuitArtifacts("solvency_test");
    if (artifacts.instance.kind !== "solvency") throw new Error("expected a solvency circuit");
    const p = artifacts.instance.params;
    const accounts = Array.from({ length: 7 }, (_, i) => newTraderAccount(BigInt(10_000 + i) * 1_000n, [{ instrument: i % 4, quantity: BigInt(i - 3) }]));
    const inputs = planSolvencyBatches(accounts, table, EPOCH, p, { batchCount: 2 }).batches.map((b) => signals(b.input));
    const expected = await Promise.all(inputs.map((i) => snarkjsWtns(artifacts.circuit.wasm, i)));
    assert.notDeepEqual(expected[0], expected[1]);
    assert.deepEqual(await calculateWitness(artifacts.circuit.wasm, inputs[0]!), expected[0]);
    // two at once on the same instance: each must see only its own input
    const both = await Promise.all([calculateWitness(artifacts.circuit.wasm, inputs[1]!), calculateWitness(artifacts.circuit.wasm, inputs[0]!)]);
    assert.deepEqual(both, [expected[1], expected[0]]);
  });

  it("a witness the circuit refuses fails with the constraint named; the next call on the generator succeeds", async () => {
    const artifacts = loadCircuitArtifacts("margin_test");
    if (artifacts.instance.kind !== "margin") throw new Error("expected a margin circuit");
    const params = artifacts.instance.params;
    const bare = newTraderAccount(0n, [{ instrument: 1, quantity: -3n }, { instrument: 2, quantity: 1n }]);
    const r = marginReport(bare, commitRiskTable(table, params.logInstruments).rows, params.scenarios, 0n);
    const account = { ...bare, collateral: 1_000n - r.slack[r.worstColumn]! };
    const tree = new MerkleTree(params.depth);
    tree.set(3, accountCommitment(account, params.positions));
    const request = { account, accountPath: tree.path(3), accountsRoot: tree.root, riskTable: table, epoch: EPOCH, recipient: "0x00000000000000000000000000000000000000C3", amount: 0n };
    const honest = buildMarginInput(request, params).input;
    // withdrawing more than the slack: the built input is edited so the circuit's own check fails
    const greedy = { ...honest, amount: 1_001n };
    await assert.rejects(proveCircuit(artifacts, greedy, "snarkjs"), /margin_test: the witness violates a circuit constraint \(.*(Assert Failed|Error in template)/);
    assert.deepEqual(await calculateWitness(artifacts.circuit.wasm, signals(honest)), await snarkjsWtns(artifacts.circuit.wasm, signals(honest)));
  });
});
