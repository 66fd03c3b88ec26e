pragma circom 2.1.5;

include "poseidon.circom";
include "binary-merkle-root.circom";
include "./lib/account.circom";
include "./lib/hash_list.circom";
include "./lib/range.circom";

// MarginCompliance(S, LOG_N, P, DEPTH) — DESIGN §4.1, proven by a trader on their own machine.
//
// Public inputs (in this order):
//   epoch          the epoch whose roots are used.
//   riskRoot       Poseidon(instrumentsRoot, tableDigest) of the epoch's risk table.
//   accountsRoot   root of the accounts tree posted by the operator.
//   nullifier      Poseidon(accountKey, epoch): one settlement per account per epoch.
//   recipient      address paid by the settlement; bound so a copied proof pays nobody else.
//   amount         withdrawn amount, in [0, 2^64) and <= collateral.
// Private inputs:
//   secret, collateral, salt, instrument[P], quantity[P]   the account opening (its leaf).
//   accountIndex, accountSiblings[DEPTH]                    its path in the accounts tree.
//   values[P][S+1], addon[P]   the risk-table row of each slot's instrument (column 0 = mark).
//   instrumentSiblings[P][LOG_N]   each row's path in the instruments tree.
//   tableDigest                the other half of riskRoot.
// Proves: the leaf is in accountsRoot; every row is in riskRoot; and for every scenario
//   s = 0..S:  collateral + sum_k quantity[k] * values[k][s] - amount >= sum_k |quantity[k]| * addon[k].
// Bounds: collateral, amount < 2^64; |quantity| < 2^32; |value|, addon < 2^48 (all checked here).
//   Then |equity| < 2^64 + 8 * 2^80 < 2^84 and the requirement < 2^84, so the slack
//   equity - amount - requirement lies in (-2^85, 2^85): checking it in [0, 2^86) rejects every
//   negative slack, because a negative one is a field element above p - 2^85.
template MarginCompliance(S, LOG_N, P, DEPTH) {
    assert(P >= 1 && P <= 8);
    var S1 = S + 1;
    var SLACK_BITS = 86;

    signal input epoch;
    signal input riskRoot;
    signal input accountsRoot;
    signal input nullifier;
    signal input recipient;
    signal input amount;

    signal input secret;
    signal input collateral;
    signal input salt;
    signal input instrument[P];
    signal input quantity[P];
    signal input accountIndex;
    signal input accountSiblings[DEPTH];
    signal input values[P][S1];
    signal input addon[P];
    signal input instrumentSiblings[P][LOG_N];
    signal input tableDigest;

    // Account key and nullifier.
    signal accountKey <== Poseidon(1)([secret]);
    signal expectedNullifier <== Poseidon(2)([accountKey, epoch]);
    nullifier === expectedNullifier;

    // Amounts: both 64-bit and amount <= collateral.
    InRange(COLLATERAL_BITS())(collateral);
    InRange(COLLATERAL_BITS())(amount);
    InRange(COLLATERAL_BITS())(collateral - amount);

    // The account is in the accounts tree.
    signal leaf <== AccountCommitment(P)(accountKey, collateral, salt, instrument, quantity);
    signal computedAccountsRoot <== BinaryMerkleRoot(DEPTH)(leaf, DEPTH, accountIndex, accountSiblings);
    accountsRoot === computedAccountsRoot;

    // Every risk row used is in the epoch's risk table. The row index is the instrument index,
    // so BinaryMerkleRoot's Num2Bits(LOG_N) also range-checks instrument[k] < 2^LOG_N.
    signal rowRoot[P];
    signal absQuantity[P];
    signal row[P][S1 + 1];
    for (var k = 0; k < P; k++) {
        absQuantity[k] <== AbsSigned(QUANTITY_BITS())(quantity[k]);
        for (var s = 0; s < S1; s++) {
            _ <== SignedInRange(VALUE_BITS())(values[k][s]);
            row[k][s] <== values[k][s];
        }
        InRange(VALUE_BITS())(addon[k]);
        row[k][S1] <== addon[k];
        rowRoot[k] <== BinaryMerkleRoot(LOG_N)(HashList(S1 + 1)(row[k]), LOG_N, instrument[k], instrumentSiblings[k]);
        rowRoot[k] === rowRoot[0];
    }
    signal computedRiskRoot <== Poseidon(2)([rowRoot[0], tableDigest]);
    riskRoot === computedRiskRoot;

    // Requirement R = sum |q| * addon, then every scenario separately: E_s - amount - R >= 0.
    signal requirementTerm[P];
    var requirement = 0;
    for (var k = 0; k < P; k++) {
        requirementTerm[k] <== absQuantity[k] * addon[k];
        requirement += requirementTerm[k];
    }
    signal exposure[S1][P];
    for (var s = 0; s < S1; s++) {
        var equity = collateral;
        for (var k = 0; k < P; k++) {
            exposure[s][k] <== quantity[k] * values[k][s];
            equity += exposure[s][k];
        }
        InRange(SLACK_BITS)(equity - amount - requirement);
    }

    // Bind the recipient into the proof (a constraint that the optimiser cannot drop).
    signal recipientSquare <== recipient * recipient;
}
