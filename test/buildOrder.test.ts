import assert from "node:assert/strict";
import { compileOrder } from "../src/build/buildArtifacts.js";
import { CIRCUITS } from "../src/protocol/circuitCatalog.js";

// The build compiles the longest circuits first so that, two compiles at a time, the reference
// build does not end with EpochTransition or RiskTable (the longest compiles) started after two others.
describe("build order", () => {
  it("compiles each set's EpochTransition, RiskTable, PoolSolvency and EpochEvents before the portfolio circuits, and drops none", () => {
    for (const set of ["test", "reference"] as const) {
      const instances = CIRCUITS.filter((c) => c.set === set);
      const order = compileOrder(instances);
      assert.deepEqual(order.map((c) => c.kind), ["transition", "riskTable", "solvency", "transitionEvents", "margin", "liquidation", "exit"]);
      assert.deepEqual([...order].map((c) => c.name).sort(), instances.map((c) => c.name).sort());
    }
  });
});
