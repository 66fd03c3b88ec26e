pragma circom 2.1.5;

include "./lib/poseidon_hash.circom";
include "./lib/account.circom";
include "./lib/hash_list.circom";
include "./lib/range.circom";
include "./lib/risk_row.circom";
include "./lib/subtree.circom";

// RiskTable(S, LOG_N) — docs/design.md §3, proven once per epoch by whoever publishes the risk table;
// the contract's publishRisk accepts a riskRoot only with this proof.
//
// Public inputs (in this order):
//   epoch          the epoch the table is for, in [0, 2^32) (the contract's uint32).
//   riskRoot       Poseidon(instrumentsRoot, tableDigest), as commitRiskTable() computes it.
// Private inputs (the whole table, 2^LOG_N rows; unlisted slots are rows of zeros):
//   values[N][S+1]   column 0 = mark value m_i, 1..S = value in stress scenario s.
//   addon[N]         per-contract add-on a_i.
//   linear[N]        1 for a perp or future, 0 for an option or an unlisted slot.
// Proves, from this one set of values:
//   - instrumentsRoot = Merkle root of RiskRowLeaf(values[i], addon[i], linear[i]) (the rows that
//     MarginCompliance and Liquidation open) and tableDigest = HashList(values, row-major) (what
//     PoolSolvency re-hashes), so both halves of riskRoot describe the same table;
//   - every value in [-2^48, 2^48), every add-on in [0, 2^48), every linear flag in {0, 1};
//   - every perp/future (linear = 1) has mark value 0: it is settled to mark every epoch, its
//     variation margin is in collateral (docs/design.md §3's valuation convention).
// What this spares the per-account circuits: MarginCompliance and Liquidation open rows without
//   range checks, and PoolSolvency's equities are built from values known to be 48-bit.
template RiskTable(S, LOG_N) {
    var S1 = S + 1;
    var N = 1 << LOG_N;

    signal input epoch;
    signal input riskRoot;

    signal input values[N][S1];
    signal input addon[N];
    signal input linear[N];

    InRange(32)(epoch);

    signal leaves[N];
    signal flatValues[N * S1];
    for (var i = 0; i < N; i++) {
        linear[i] * (linear[i] - 1) === 0;
        linear[i] * values[i][0] === 0;
        for (var s = 0; s < S1; s++) {
            _ <== SignedInRange(VALUE_BITS())(values[i][s]);
            flatValues[i * S1 + s] <== values[i][s];
        }
        InRange(VALUE_BITS())(addon[i]);
        leaves[i] <== RiskRowLeaf(S1)(values[i], addon[i], linear[i]);
    }
    signal instrumentsRoot <== SubtreeRoot(LOG_N)(leaves);
    signal tableDigest <== HashList(N * S1)(flatValues);
    signal computedRiskRoot <== PoseidonHash(2)([instrumentsRoot, tableDigest]);
    riskRoot === computedRiskRoot;
}
