pragma circom 2.1.5;

include "./hash_list.circom";

// RiskRowLeaf(S1) — the instruments-tree leaf of one risk-table row (docs/design.md §3; rowLeaf() in
// src/risk/riskCommitment.ts).
//
// Inputs:  values[S1]   column 0 = mark value, 1..S1-1 = value in each stress scenario.
//          addon        the per-contract add-on.
//          linear       1 for a perp or future (settled to mark every epoch), 0 for an option
//                       or an unlisted slot.
// Output:  out = HashList(values[0..S1-1], addon, linear).
// Checks:  none: RiskTable range-checks every row once per epoch; MarginCompliance and
//          Liquidation only open rows of a riskRoot the contract accepted with that proof.
template RiskRowLeaf(S1) {
    signal input values[S1];
    signal input addon;
    signal input linear;
    signal output out;

    signal row[S1 + 2];
    for (var s = 0; s < S1; s++) {
        row[s] <== values[s];
    }
    row[S1] <== addon;
    row[S1 + 1] <== linear;
    out <== HashList(S1 + 2)(row);
}
