import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { MerkleTree, EMPTY_NODES, rootFromPath } from "../src/accounts/merkleTree.js";
import { hashList, poseidon } from "../src/crypto/poseidon.js";
import { blackScholes } from "../src/risk/blackScholes.js";
import { commitRiskTable } from "../src/risk/riskCommitment.js";
import { computeRiskTable } from "../src/risk/riskEngine.js";
import { SPAN_SCENARIOS } from "../src/risk/scenarios.js";
import { emptyNodesCircom } from "../scripts/gen-empty-nodes.js";
import { testSnapshot } from "./helpers/market.js";

describe("risk engine (DESIGN §3)", () => {
  it("uses SPAN's 16 scenarios: 14 moves of 0, ±1/3, ±2/3, ±1 range with vol up and down, then ±2 at 35%", () => {
    assert.equal(SPAN_SCENARIOS.length, 16);
    assert.deepEqual(SPAN_SCENARIOS.slice(0, 14).map((s) => s.weight), Array(14).fill(1));
    assert.deepEqual(SPAN_SCENARIOS.slice(14).map((s) => [s.priceMove, s.volMove, s.weight]), [[2, 0, 0.35], [-2, 0, 0.35]]);
    assert.deepEqual([...new Set(SPAN_SCENARIOS.slice(0, 14).map((s) => s.priceMove.toFixed(3)))].length, 7);
  });

  it("prices options with Black–Scholes (put-call parity holds)", () => {
    const [s, k, t, v, r] = [3000, 3100, 0.25, 0.6, 0.03];
    const parity = blackScholes("call", s, k, t, v, r) - blackScholes("put", s, k, t, v, r) - (s - k * Math.exp(-r * t));
    assert.ok(Math.abs(parity) < 1e-3, `parity error ${parity}`);
    assert.equal(blackScholes("call", 3000, 2000, 0, 0.5), 1000);
  });

  it("Black–Scholes refuses NaN, infinities, a negative time to expiry or volatility (issue 16 item 13)", () => {
    assert.throws(() => blackScholes("call", 3000, 3100, -0.25, 0.6), /time to expiry must be a finite number of years >= 0, got -0\.25/);
    assert.throws(() => blackScholes("call", 3000, 3100, Number.NaN, 0.6), /time to expiry .* got NaN/);
    assert.throws(() => blackScholes("put", 3000, 3100, 0.25, Number.NaN), /volatility must be a finite number >= 0, got NaN/);
    assert.throws(() => blackScholes("put", 3000, 3100, 0.25, -0.1), /volatility .* got -0\.1/);
    assert.throws(() => blackScholes("put", Number.POSITIVE_INFINITY, 3100, 0.25, 0.6), /spot and strike must be positive finite/);
    assert.throws(() => blackScholes("put", 3000, 3100, 0.25, 0.6, Number.NaN), /rate must be a finite number/);
  });

  it("values perps at 0 at mark and linearly in each scenario; extremes count 35%", () => {
    const table = computeRiskTable(testSnapshot(1));
    const perp = table.rows[0]; // ETH-PERP, price 3000, range 15%, 1e6 units per USD
    assert.equal(perp.values[0], 0n);
    assert.equal(perp.values[1], 0n); // price unchanged, vol up
    assert.equal(perp.values[11], 450_000_000n); // +1 range: +450 USD
    assert.equal(perp.values[13], -450_000_000n);
    assert.equal(perp.values[15], 315_000_000n); // +2 ranges at 35%: 0.35 * 900
    assert.equal(perp.addon, 15_000_000n); // 0.5% of 3000 USD
    const call = table.rows[1];
    assert.ok(call.values[0] > 0n && call.values[11] > call.values[0] && call.values[13] < call.values[0]);
    assert.ok(call.values[1] > call.values[2], "vol up is worth more than vol down for a long option");
  });

  it("rounds to integer base units and refuses values beyond the 48-bit bound, naming the instrument", () => {
    const snap = testSnapshot(1);
    snap.instruments[0].contractSize = 1e9; // 3000 USD * 1e9 * 1e6 units > 2^48
    assert.throws(() => computeRiskTable(snap), /ETH-PERP .* is out of range/);
  });

  it("refuses malformed snapshots with the field named", () => {
    const bad = testSnapshot(1);
    bad.underlyings[0].price = -1;
    assert.throws(() => computeRiskTable(bad), /underlying ETH: price must be positive/);
    const dup = testSnapshot(1);
    dup.instruments.push({ ...dup.instruments[0] });
    assert.throws(() => computeRiskTable(dup), /instrument ETH-PERP is listed twice/);
    const noStrike = testSnapshot(1);
    delete noStrike.instruments[1].strike;
    assert.throws(() => computeRiskTable(noStrike), /ETH-3000-C: an option needs a positive strike/);
    assert.throws(() => computeRiskTable({ ...testSnapshot(1), epoch: -1 }), /epoch must be an integer/);
  });

  it("commits the table as Poseidon(instrumentsRoot, tableDigest); any changed value changes riskRoot", () => {
    const table = computeRiskTable(testSnapshot(1));
    const c = commitRiskTable(table, 2);
    assert.equal(c.riskRoot, poseidon([c.instrumentsRoot, c.tableDigest]));
    assert.equal(c.tableDigest, hashList(c.rows.flatMap((r) => r.values)));
    const changed = structuredClone(table);
    changed.rows[3].values[16] += 1n;
    assert.notEqual(commitRiskTable(changed, 2).riskRoot, c.riskRoot);
    const addon = structuredClone(table);
    addon.rows[0].addon += 1n;
    assert.notEqual(commitRiskTable(addon, 2).riskRoot, c.riskRoot);
    assert.throws(() => commitRiskTable(table, 1), /4 instruments, the circuits take at most 2/);
  });
});

describe("accounts tree", () => {
  it("a sparse tree equals the dense computation, and paths lead to its root", () => {
    const leaves = [11n, 0n, 33n, 44n, 0n, 66n];
    const tree = new MerkleTree(3, leaves);
    let level = [...leaves, 0n, 0n];
    while (level.length > 1) level = Array.from({ length: level.length / 2 }, (_, i) => poseidon([level[2 * i], level[2 * i + 1]]));
    assert.equal(tree.root, level[0]);
    for (const i of [0, 2, 5, 7]) assert.equal(rootFromPath(tree.leaf(i), tree.path(i)), tree.root);
    assert.equal(new MerkleTree(20).root, EMPTY_NODES[20]);
    assert.throws(() => tree.set(8, 1n), /leaf index 8 is outside the tree/);
  });

  it("circuits/lib/empty_nodes.circom is current", () => {
    assert.equal(readFileSync(new URL("../circuits/lib/empty_nodes.circom", import.meta.url), "utf8"), emptyNodesCircom());
  });
});
