import assert from "node:assert/strict";
import { Interface } from "ethers";
import { FIELD_MODULUS } from "../src/crypto/field.js";
import { InputError } from "../src/io/json.js";
import { checkProof, decodeProofFile, type ProofVerifier } from "../src/protocol/checkProof.js";
import { LIQUIDATION_PUBLIC_SIGNALS, MARGIN_PUBLIC_SIGNALS, SOLVENCY_PUBLIC_SIGNALS } from "../src/protocol/circuitCatalog.js";
import { liquidateArgs, liquidationStatement } from "../src/protocol/liquidation.js";
import { type MarginStatement, marginProofFile, marginStatement, settleArgs } from "../src/protocol/margin.js";
import { decodePoolEvent, haircutRatio } from "../src/protocol/poolEvents.js";
import { batchChainProblem, type BatchStatement, batchStatement, postSolvencyArgs, type SolvencyProof, solvencyProofFile } from "../src/protocol/solvency.js";
import type { SolidityProof } from "../src/protocol/solidityProof.js";

// src/protocol/ without circuits or a chain: statements, signals, files, the chain rule, the
// checks around the Groth16 verifier (a stand-in that records what it was asked), the event
// decoder and the haircut formatter.

const PROOF = { pi_a: ["1", "2", "1"], pi_b: [["3", "4"], ["5", "6"], ["1", "0"]], pi_c: ["7", "8", "1"], protocol: "groth16", curve: "bn128" };
const POINTS: SolidityProof = { a: [1n, 2n], b: [[4n, 3n], [6n, 5n]], c: [7n, 8n] };
const TIMINGS = { witnessMs: 1, proveMs: 2 };

const margin: MarginStatement = {
  epoch: 7, riskRoot: 11n, accountsRoot: 12n, nullifier: 13n, recipient: "0x000000000000000000000000000000000000bEEF", amount: 5_000n,
};

function batches(count: number): BatchStatement[] {
  return Array.from({ length: count }, (_, k) => ({
    // The figures ride on the last batch only (0 on the others).
    epoch: 7, riskRoot: 11n, accountsRoot: 12n, stressTotal: k === count - 1 ? 1_000n : 0n, markTotal: k === count - 1 ? 900n : 0n, batchIndex: k, isLast: k === count - 1,
    prevTotalsCommitment: BigInt(100 + k), totalsCommitment: BigInt(101 + k),
  }));
}

function solvencyProof(statements: BatchStatement[]): SolvencyProof {
  const [first] = statements;
  const last = statements[statements.length - 1];
  return {
    circuit: "solvency_test", epoch: first.epoch, riskRoot: first.riskRoot, accountsRoot: first.accountsRoot,
    stressTotal: last.stressTotal, markTotal: last.markTotal,
    batches: statements.map((s) => ({ circuit: "solvency_test", statement: s, publicSignals: batchStatement.signals(s), proof: PROOF, solidity: POINTS, timings: TIMINGS })),
  };
}

/** A copy of `values` with entry `i` replaced. */
function replaced(values: readonly string[], i: number, value: string): string[] {
  return values.map((v, k) => (k === i ? value : v));
}

/** A Groth16 stand-in that accepts every proof and records the calls (the statement checks must run before it). */
function recordingVerifier(): { verify: ProofVerifier; calls: string[][] } {
  const calls: string[][] = [];
  return { calls, verify: async (_circuit, signals) => { calls.push(signals); return true; } };
}

describe("protocol module (src/protocol)", () => {
  it("orders every statement's signals as the circuit catalog lists them, and reads them back", () => {
    assert.deepEqual(marginStatement.names, MARGIN_PUBLIC_SIGNALS);
    assert.deepEqual(batchStatement.names, SOLVENCY_PUBLIC_SIGNALS);
    assert.deepEqual(liquidationStatement.names, LIQUIDATION_PUBLIC_SIGNALS);
    assert.deepEqual(marginStatement.signals(margin), ["7", "11", "12", "13", BigInt(margin.recipient).toString(), "5000"]);
    assert.deepEqual(marginStatement.fromSignals(marginStatement.signals(margin)), margin);
    const [b0] = batches(1);
    assert.deepEqual(batchStatement.fromSignals(batchStatement.signals(b0)), b0);
    assert.equal(batchStatement.signals(b0)[SOLVENCY_PUBLIC_SIGNALS.indexOf("isLast")], "1");
  });

  it("refuses signals that are no value of their field, and names the first that differs", () => {
    const signals = marginStatement.signals(margin);
    assert.match(String(marginStatement.fromSignals(signals.slice(1))), /5 public signals, the statement has 6/);
    assert.match(String(marginStatement.fromSignals(replaced(signals, 0, String(2n ** 32n)))), /public signal epoch = 4294967296 is out of its range/);
    assert.match(String(marginStatement.fromSignals(replaced(signals, 5, String(2n ** 64n)))), /public signal amount/);
    assert.match(String(batchStatement.fromSignals(replaced(batchStatement.signals(batches(1)[0]), 6, "2"))), /public signal isLast = 2/);
    assert.equal(marginStatement.mismatch(margin, signals), undefined);
    assert.equal(marginStatement.mismatch(margin, replaced(signals, 4, "1")), "public signal recipient differs from the statement's");
  });

  it("gives the contract's arguments from the statement", () => {
    assert.deepEqual(settleArgs(margin, POINTS), [7, 13n, margin.recipient, 5_000n, POINTS]);
    assert.deepEqual(liquidateArgs({ epoch: 7, tag: 1n, penalty: 2n, deficit: 3n }, POINTS), [7, 1n, 2n, 3n, POINTS]);
    const [b0, b1] = batches(2);
    const [epoch, statement] = postSolvencyArgs(b1, POINTS);
    assert.equal(epoch, 7);
    assert.deepEqual(statement, { accountsRoot: 12n, stressTotal: 1_000n, markTotal: 900n, batchIndex: 1, isLast: true, prevTotalsCommitment: 101n, totalsCommitment: 102n });
    assert.notDeepEqual(postSolvencyArgs(b0, POINTS), postSolvencyArgs(b1, POINTS));
  });

  it("round-trips proof files, and names the file and field of a bad value", () => {
    const file = marginProofFile.encode({ circuit: "margin_test", statement: margin, publicSignals: marginStatement.signals(margin), proof: PROOF, timings: TIMINGS }, "ab");
    const back = decodeProofFile("m.json", JSON.parse(JSON.stringify(file)));
    assert.equal(back.kind, "margin");
    assert.equal(back.zkeySha256, "ab");
    assert.deepEqual(back.proof, { circuit: "margin_test", statement: margin, publicSignals: marginStatement.signals(margin), proof: PROOF, solidity: POINTS, timings: TIMINGS });
    const badRecipient = { ...file, statement: { ...(file.statement as object), recipient: "0xbeef" } };
    assert.throws(() => decodeProofFile("m.json", badRecipient), (e: unknown) => e instanceof InputError && /^m\.json: statement\.recipient must be a 0x address/.test(e.message));
    const tooBig = { ...file, statement: { ...(file.statement as object), nullifier: FIELD_MODULUS.toString() } };
    assert.throws(() => decodeProofFile("m.json", tooBig), /m\.json: statement\.nullifier = .* is out of range/);

    const proof = solvencyProof(batches(2));
    const text = JSON.parse(JSON.stringify(solvencyProofFile.encode(proof)));
    assert.deepEqual(decodeProofFile("s.json", text).proof, proof);
    assert.throws(() => decodeProofFile("s.json", { ...text, markTotal: undefined }), /s\.json: markTotal is missing/);
    assert.throws(() => decodeProofFile("s.json", text, ["margin"], "--proof"), /--proof takes a "zkrs\/margin-proof@1" file/);
  });

  it("the chain rule: order, the last batch marked last, chaining, every batch carrying the header's epoch and roots, the figures on the last batch only", () => {
    assert.equal(batchChainProblem(batches(4)), undefined);
    assert.equal(batchChainProblem([]), "no batches");
    const [b0, b1, b2] = batches(3);
    assert.match(batchChainProblem([b1, b0, b2]) ?? "", /batch at position 0 has index 1/);
    assert.match(batchChainProblem([b0, b1]) ?? "", /batch 1 is not marked last/);
    assert.match(batchChainProblem([{ ...b0, isLast: true }, b1, b2]) ?? "", /batch 0 is marked last/);
    assert.match(batchChainProblem([b0, { ...b1, prevTotalsCommitment: 5n }, b2]) ?? "", /batch 1 does not chain to batch 0/);
    for (const name of ["epoch", "riskRoot", "accountsRoot"] as const) {
      const other = { ...b1, [name]: typeof b1[name] === "number" ? 8 : 1n };
      assert.match(batchChainProblem([b0, other, b2]) ?? "", new RegExp(`batch 1 is for another epoch or root \\(its ${name} is not the last batch's\\)`), name);
      assert.match(batchChainProblem([b0, b1, b2], { ...b2, [name]: other[name] }) ?? "", new RegExp(`batch 0 .*its ${name} is not the header's`), name);
    }
    for (const name of ["stressTotal", "markTotal"] as const) {
      assert.match(batchChainProblem([b0, { ...b1, [name]: 1n }, b2]) ?? "", /batch 1 is not the last but carries figures/, name);
      assert.match(batchChainProblem([b0, b1, b2], { ...b2, [name]: 1n }) ?? "", new RegExp(`batch 2 carries another ${name} than the header's`), name);
    }
  });

  it("checkProof: a solvency file whose last batch is not marked last, or whose header differs from its batches, is invalid before any Groth16 check", async () => {
    const honest = solvencyProof(batches(2));
    const { verify, calls } = recordingVerifier();
    assert.deepEqual(await checkProof({ kind: "solvency", proof: honest }, verify), { valid: true });
    assert.equal(calls.length, 2);
    const truncated = { ...honest, batches: honest.batches.slice(0, 1) };
    assert.deepEqual(await checkProof({ kind: "solvency", proof: truncated }, verify), { valid: false, reason: "batch 0 is not marked last" });
    const lowerBound = { ...honest, stressTotal: 500n };
    assert.match((await checkProof({ kind: "solvency", proof: lowerBound }, verify)).reason ?? "", /batch 1 carries another stressTotal than the header's/);
    const resigned = { ...honest, batches: honest.batches.map((b) => ({ ...b, publicSignals: replaced(b.publicSignals, 4, "1") })) };
    assert.equal((await checkProof({ kind: "solvency", proof: resigned }, verify)).reason, "batch 0: public signal markTotal differs from the statement's");
    assert.equal(calls.length, 2, "no invalid file reached the Groth16 verifier");
    assert.deepEqual(await checkProof({ kind: "solvency", proof: { ...honest, circuit: "margin_test" } }, verify), { valid: false, reason: "circuit margin_test is not a solvency circuit" });
    assert.deepEqual(await checkProof({ kind: "margin", proof: { circuit: "nope", statement: margin, publicSignals: [], proof: PROOF } }, verify), { valid: false, reason: 'unknown circuit "nope"' });
  });

  it("decodes the pool's events with its ABI, enums as names", () => {
    const iface = new Interface([
      "event WaterfallStep(uint32 indexed epoch, uint256 indexed tag, uint8 stage, uint256 amount, uint256 insuranceFundAfter, uint256 lpCapitalAfter)",
      "event EpochOpened(uint32 indexed epoch, uint256 riskRoot, uint256 accountsRoot, uint256 stressTotal, uint256 markTotal, uint256 poolBalance, uint8 status)",
    ]);
    const log = (name: string, values: unknown[]) => {
      const { topics, data } = iface.encodeEventLog(name, values);
      return { topics, data, blockNumber: 1, index: 0, transactionHash: "0x01" } as unknown as Parameters<typeof decodePoolEvent>[1];
    };
    const step = decodePoolEvent(iface, log("WaterfallStep", [3, 9n, 1, 5n, 6n, 7n]));
    assert.deepEqual(step?.args, { epoch: 3, tag: 9n, stage: "insuranceFund", amount: 5n, insuranceFundAfter: 6n, lpCapitalAfter: 7n });
    const opened = decodePoolEvent(iface, log("EpochOpened", [3, 1n, 2n, 30n, 20n, 10n, 2]));
    assert.equal(opened?.name === "EpochOpened" && opened.args.status, "haircut");
    assert.equal(decodePoolEvent(iface, { topics: ["0x" + "11".repeat(32)], data: "0x" } as unknown as Parameters<typeof decodePoolEvent>[1]), undefined);
  });

  it("one haircut ratio for everyone: rounded down to 6 places", () => {
    assert.equal(haircutRatio(2n, 3n), "0.666666");
    assert.equal(haircutRatio(87_310_000n, 100_000_000n), "0.873100");
    assert.equal(haircutRatio(5n, 0n), "1");
  });
});
