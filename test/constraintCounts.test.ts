import assert from "node:assert/strict";
import { CIRCUITS } from "../src/protocol/circuitCatalog.js";
import { compileCircuit } from "../src/build/compileCircuit.js";

// Every test circuit's constraint count, pinned (issue 14 item 3): a change to a circuit that
// moves its size must change this table too, deliberately. The counts come from the compile
// (cached by content hash: `npm test` builds the test circuits first). The reference instances'
// counts are pinned by `npm run bench` (bench/results.json, from `tsx scripts/build.ts
// --compile-only --set reference`): compiling them takes minutes, too slow for this suite.
const PINNED: Record<string, number> = {
  margin_test: 7_288,
  solvency_test: 17_968,
  liquidation_test: 5_776,
  risk_table_test: 10_986,
  exit_test: 5_752,
  epoch_transition_test: 31_165,
  epoch_events_test: 20_704,
};

describe("constraint counts (test circuits, pinned)", function () {
  it("pins every test instance of the catalog", () => {
    assert.deepEqual(Object.keys(PINNED).sort(), CIRCUITS.filter((c) => c.set === "test").map((c) => c.name).sort());
  });

  for (const instance of CIRCUITS.filter((c) => c.set === "test")) {
    it(`${instance.name}: ${PINNED[instance.name]?.toLocaleString("en-US")} constraints`, async () => {
      const compiled = await compileCircuit(instance, () => undefined);
      assert.equal(compiled.constraints, PINNED[instance.name], `${instance.name} has ${compiled.constraints} constraints: update PINNED if the change is deliberate`);
    });
  }
});
