pragma circom 2.1.5;

include "./lib/poseidon_hash.circom";
include "./lib/portfolio.circom";
include "./lib/range.circom";

// MarginCompliance(S, LOG_N, P, DEPTH) — docs/design.md §4.1, proven by a trader on their own machine.
// Built from circuits/lib/portfolio.circom's templates, as Liquidation is.
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
//   values[P][S+1], addon[P], linear[P]   the risk-table row of each slot's instrument
//                              (column 0 = mark; linear = 1 for a perp/future).
//   instrumentSiblings[P][LOG_N]   each row's path in the instruments tree.
//   tableDigest                the other half of riskRoot.
// Proves: the leaf is in accountsRoot (AccountInTree); every row is in riskRoot
//   (RiskRowsOpening); and for every scenario s = 0..S, with E_s and R from PortfolioValue:
//   E_s - amount >= R, i.e. collateral + sum_k quantity[k] * values[k][s] - amount
//   >= sum_k |quantity[k]| * addon[k].
// Bounds: collateral, amount, collateral - amount < 2^64 and |quantity| <= 2^32 are checked here
//   (AccountInTree, PortfolioValue, the amount checks below). |value|, addon < 2^48 are NOT checked
//   per proof: riskRoot is only ever accepted on-chain (publishRisk) with the epoch's RiskTable
//   proof, which range-checks every row of the table once, and an opened row is a leaf of that
//   table (see RiskRowsOpening). A margin proof against a riskRoot without a RiskTable proof
//   proves nothing, and the contract never checks one. Given those bounds,
//   |equity| < 2^64 + 8 * 2^80 < 2^84 and the requirement < 2^84, so the slack
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
    signal input linear[P];
    signal input instrumentSiblings[P][LOG_N];
    signal input tableDigest;

    // Account key and nullifier.
    signal accountKey <== PoseidonHash(1)([secret]);
    signal expectedNullifier <== PoseidonHash(2)([accountKey, epoch]);
    nullifier === expectedNullifier;

    // Amounts: both 64-bit and amount <= collateral (collateral itself: AccountInTree).
    InRange(COLLATERAL_BITS())(amount);
    InRange(COLLATERAL_BITS())(collateral - amount);

    // The account is in the accounts tree; every risk row used is in the epoch's risk table.
    signal computedAccountsRoot <== AccountInTree(P, DEPTH)(accountKey, collateral, salt, instrument, quantity, accountIndex, accountSiblings);
    accountsRoot === computedAccountsRoot;
    signal computedRiskRoot <== RiskRowsOpening(S1, LOG_N, P)(instrument, values, addon, linear, instrumentSiblings, tableDigest);
    riskRoot === computedRiskRoot;

    // Every column separately: E_s - amount - R >= 0.
    signal equity[S1];
    signal requirement;
    (equity, requirement) <== PortfolioValue(S1, P)(collateral, quantity, values, addon);
    for (var s = 0; s < S1; s++) {
        InRange(SLACK_BITS)(equity[s] - amount - requirement);
    }

    // Bind the recipient into the proof (a constraint that the optimiser cannot drop).
    signal recipientSquare <== recipient * recipient;
}
