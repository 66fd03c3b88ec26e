import assert from "node:assert/strict";
import type { Contract } from "ethers";
import { newTraderAccount, accountCommitment } from "../src/accounts/account.js";
import { MerkleTree } from "../src/accounts/merkleTree.js";
import { verifierName } from "../src/protocol/circuitCatalog.js";
import { loadCircuitArtifacts } from "../src/artifacts/manifest.js";
import { deployContract } from "../src/chain/deployContract.js";
import { type Chain, devWallet, startAnvil } from "../src/chain/localChain.js";
import { releaseProverThreads } from "../src/proof/groth16Prover.js";
import { computeRiskTable } from "../src/risk/riskEngine.js";
import { proveMargin, type MarginProof } from "../src/trader/proveMargin.js";
import { verifyMargin } from "../src/trader/verifyMargin.js";
import { verifyGroth16 } from "../src/proof/groth16Prover.js";
import { testSnapshot } from "./helpers/market.js";

// Foundation end-to-end: witness -> proof -> off-chain verify -> on-chain verify on anvil,
// and a tampered public signal rejected both off-chain and on-chain.
describe("pipeline end to end (margin_test circuit on anvil)", () => {
  const CIRCUIT = "margin_test";
  let chain: Chain;
  let verifier: Contract;
  let proof: MarginProof;

  before(async () => {
    const artifacts = loadCircuitArtifacts(CIRCUIT);
    const params = artifacts.instance.params;
    const table = computeRiskTable(testSnapshot(7));
    const account = newTraderAccount(50_000_000_000n, [{ instrument: 0, quantity: 2n }, { instrument: 1, quantity: -1n }]);
    const tree = new MerkleTree(params.depth);
    tree.set(3, accountCommitment(account, params.positions));
    proof = await proveMargin({
      account, accountPath: tree.path(3), accountsRoot: tree.root, riskTable: table, epoch: 7,
      recipient: "0x000000000000000000000000000000000000bEEF", amount: 1_000_000n,
    }, CIRCUIT);
    chain = await startAnvil();
    verifier = (await deployContract(verifierName(CIRCUIT), devWallet(0, chain.provider))) as Contract;
  });

  after(async () => {
    await chain?.stop();
    await releaseProverThreads();
  });

  const onChain = (publicSignals: string[]): Promise<boolean> =>
    verifier.verifyProof(proof.solidity.a, proof.solidity.b, proof.solidity.c, publicSignals) as Promise<boolean>;

  it("accepts the honest proof off-chain and on-chain", async () => {
    assert.equal(await verifyMargin(proof), true);
    assert.equal(await onChain(proof.publicSignals), true);
  });

  for (const [index, name] of ["epoch", "riskRoot", "accountsRoot", "nullifier", "recipient", "amount"].entries()) {
    it(`rejects the proof with a tampered public ${name}, off-chain and on-chain`, async () => {
      const forged = [...proof.publicSignals];
      forged[index] = (BigInt(forged[index]) + 1n).toString();
      assert.equal(await verifyGroth16(CIRCUIT, forged, proof.proof), false);
      assert.equal(await onChain(forged), false);
    });
  }
});
