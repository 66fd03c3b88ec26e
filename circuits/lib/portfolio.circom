pragma circom 2.1.5;

include "./poseidon_hash.circom";
include "binary-merkle-root.circom";
include "./account.circom";
include "./hash_list.circom";
include "./range.circom";
include "./risk_row.circom";

// The account-opening, risk-row-opening and equity steps of a statement about one committed
// portfolio (docs/design.md §3): MarginCompliance and Liquidation are these three templates plus their
// own checks.

// AccountInTree(P, DEPTH) — opens one account in the accounts tree.
//
// Inputs:  accountKey, collateral, salt, instrument[P], quantity[P]   the account opening.
//          accountIndex, accountSiblings[DEPTH]                        its path in the tree.
// Output:  root   the accounts root that this leaf and path give (the caller compares it).
// Checks:  collateral in [0, 2^64). Quantities and instruments are checked where they are used
//          (PortfolioValue, RiskRowsOpening); the leaf is AccountCommitment(P).
template AccountInTree(P, DEPTH) {
    signal input accountKey;
    signal input collateral;
    signal input salt;
    signal input instrument[P];
    signal input quantity[P];
    signal input accountIndex;
    signal input accountSiblings[DEPTH];
    signal output root;

    InRange(COLLATERAL_BITS())(collateral);
    signal leaf <== AccountCommitment(P)(accountKey, collateral, salt, instrument, quantity);
    root <== BinaryMerkleRoot(DEPTH)(leaf, DEPTH, accountIndex, accountSiblings);
}

// RiskRowsOpening(S1, LOG_N, P) — opens the risk-table row of each position slot.
//
// Inputs:  instrument[P]                  each slot's listed-instrument index (its row index).
//          values[P][S1], addon[P]        each slot's row: column 0 = mark, 1..S1-1 = scenarios.
//          linear[P]                      each slot's row kind flag (1 = perp/future).
//          instrumentSiblings[P][LOG_N]   each row's path in the instruments tree.
//          tableDigest                    the other half of riskRoot (docs/design.md §3, riskCommitment.ts).
// Output:  riskRoot = Poseidon(instrumentsRoot, tableDigest), where every slot's row
//          RiskRowLeaf(values, addon, linear) opens to the same instrumentsRoot (the caller
//          compares riskRoot with its public input).
// Checks:  instrument[k] < 2^LOG_N through BinaryMerkleRoot's Num2Bits(LOG_N) of the row index.
//          No range checks on the row: the contract accepts a riskRoot only with a RiskTable
//          proof (circuits/risk_table.circom), which shows every leaf of instrumentsRoot is a row
//          with values in [-2^48, 2^48) and add-on in [0, 2^48). An opened row is one of those
//          leaves (a path of fixed length LOG_N ends at a leaf; anything else is a Poseidon
//          collision), so the opened values carry the same bounds.
template RiskRowsOpening(S1, LOG_N, P) {
    signal input instrument[P];
    signal input values[P][S1];
    signal input addon[P];
    signal input linear[P];
    signal input instrumentSiblings[P][LOG_N];
    signal input tableDigest;
    signal output riskRoot;

    signal rowRoot[P];
    for (var k = 0; k < P; k++) {
        rowRoot[k] <== BinaryMerkleRoot(LOG_N)(RiskRowLeaf(S1)(values[k], addon[k], linear[k]), LOG_N, instrument[k], instrumentSiblings[k]);
        rowRoot[k] === rowRoot[0];
    }
    riskRoot <== PoseidonHash(2)([rowRoot[0], tableDigest]);
}

// PortfolioValue(S1, P) — the account's equity in every column and its requirement (docs/design.md §3).
//
// Inputs:  collateral                    in [0, 2^64) (checked by the caller: AccountInTree).
//          quantity[P]                   signed quantities; range-checked here.
//          values[P][S1], addon[P]       the opened rows: |value| < 2^48, 0 <= addon < 2^48 by the
//                                        epoch's RiskTable proof (see RiskRowsOpening).
// Outputs: equity[S1]    E_s = collateral + sum_k quantity[k] * values[k][s]   (s = 0 is mark).
//          requirement   R = sum_k |quantity[k]| * addon[k].
// Checks:  quantity in [-2^32, 2^32) (AbsSigned).
// Bounds:  P <= 8: |q * v| <= 2^80, so |E_s| <= 2^64 + 8 * 2^80 < 2^84 and 0 <= R < 2^83; every
//          sum is an exact integer far below the field modulus (no wrap-around).
template PortfolioValue(S1, P) {
    assert(P >= 1 && P <= 8);
    signal input collateral;
    signal input quantity[P];
    signal input values[P][S1];
    signal input addon[P];
    signal output equity[S1];
    signal output requirement;

    signal absQuantity[P];
    signal requirementTerm[P];
    var r = 0;
    for (var k = 0; k < P; k++) {
        absQuantity[k] <== AbsSigned(QUANTITY_BITS())(quantity[k]);
        requirementTerm[k] <== absQuantity[k] * addon[k];
        r += requirementTerm[k];
    }
    requirement <== r;

    signal exposure[S1][P];
    for (var s = 0; s < S1; s++) {
        var e = collateral;
        for (var k = 0; k < P; k++) {
            exposure[s][k] <== quantity[k] * values[k][s];
            e += exposure[s][k];
        }
        equity[s] <== e;
    }
}
