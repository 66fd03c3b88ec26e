/** The benchmark's inputs: an 8-position account in a depth-20 tree (margin, exit, liquidation), a full batch of 16 accounts, or the demo's risk table. */
import { accountCommitment, newTraderAccount } from "../../src/accounts/account.js";
import { MerkleTree } from "../../src/crypto/merkleTree.js";
import { loadCircuitArtifacts } from "../../src/artifacts/manifest.js";
import { demoSnapshot, instrumentIndex, syntheticAccounts } from "../../src/demo/demoMarket.js";
import { buildLiquidationInput } from "../../src/operator/liquidationInput.js";
import { buildRiskTableInput } from "../../src/oracle/riskTableInput.js";
import { planSolvencyBatches } from "../../src/operator/solvencyBatches.js";
import { liabilityTotals } from "../../src/operator/solvencyTotals.js";
import type { CircuitInput } from "../../src/proof/groth16Prover.js";
import { commitRiskTable } from "../../src/risk/riskCommitment.js";
import { computeRiskTable } from "../../src/risk/riskEngine.js";
import { buildExitInput } from "../../src/trader/exitInput.js";
import { buildMarginInput } from "../../src/trader/marginInput.js";

export function buildInput(kind: string): CircuitInput {
  const snapshot = demoSnapshot(1);
  const table = computeRiskTable(snapshot);
  const artifacts = loadCircuitArtifacts(kind);
  if (artifacts.instance.kind === "margin" || artifacts.instance.kind === "exit") {
    const params = artifacts.instance.params;
    const ix = (id: string): number => instrumentIndex(snapshot, id);
    const account = newTraderAccount(50_000_000_000n, [
      { instrument: ix("ETH-PERP"), quantity: 4n }, { instrument: ix("ETH-3250-C"), quantity: -2n }, { instrument: ix("BTC-55000-P"), quantity: 1n },
      { instrument: ix("BTC-PERP"), quantity: -1n }, { instrument: ix("ETH-2750-P"), quantity: 3n }, { instrument: ix("BTC-65000-C"), quantity: -1n },
      { instrument: ix("ETH-FUT-Q"), quantity: 2n }, { instrument: ix("BTC-60000-P"), quantity: 1n },
    ]);
    const tree = new MerkleTree(params.depth);
    tree.set(123_456, accountCommitment(account, params.positions));
    const recipient = "0x000000000000000000000000000000000000dEaD";
    if (artifacts.instance.kind === "exit") {
      return buildExitInput({ account, accountPath: tree.path(123_456), accountsRoot: tree.root, riskTable: table, epoch: 1, recipient }, params).input;
    }
    return buildMarginInput({ account, accountPath: tree.path(123_456), accountsRoot: tree.root, riskTable: table, epoch: 1, recipient: "0x000000000000000000000000000000000000dEaD", amount: 1_000_000_000n }, params).input;
  } else if (artifacts.instance.kind === "solvency") {
    const params = artifacts.instance.params;
    const accounts = syntheticAccounts(2 ** params.logBatch, params.positions, snapshot.instruments.length);
    return planSolvencyBatches(accounts, table, 1, params).batches[0].input;
  }
  if (artifacts.instance.kind === "liquidation") {
    // An account under water after a shock: short calls, little cash, eight position slots used.
    const params = artifacts.instance.params;
    const ix = (id: string): number => instrumentIndex(snapshot, id);
    const account = newTraderAccount(1_000_000_000n, [
      { instrument: ix("ETH-3000-C"), quantity: -10n }, { instrument: ix("ETH-PERP"), quantity: 2n }, { instrument: ix("BTC-55000-P"), quantity: -1n },
      { instrument: ix("BTC-PERP"), quantity: 1n }, { instrument: ix("ETH-2750-P"), quantity: 3n }, { instrument: ix("BTC-65000-C"), quantity: -1n },
      { instrument: ix("ETH-FUT-Q"), quantity: -2n }, { instrument: ix("BTC-60000-P"), quantity: 1n },
    ]);
    const tree = new MerkleTree(params.depth);
    tree.set(654_321, accountCommitment(account, params.positions));
    return buildLiquidationInput({ account, accountPath: tree.path(654_321), accountsRoot: tree.root, riskTable: table, epoch: 1 }, params).input;
  }
  if (artifacts.instance.kind === "riskTable") {
    // The demo market's whole table (its instruments, the rest of the 2^logInstruments slots unlisted).
    return buildRiskTableInput(table, artifacts.instance.params).input;
  }
  throw new Error(`no benchmark input for ${kind} circuits`);
}
