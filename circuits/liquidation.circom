pragma circom 2.1.5;

include "./lib/poseidon_hash.circom";
include "./lib/portfolio.circom";
include "./lib/range.circom";

// Liquidation(S, LOG_N, P, DEPTH) — docs/design.md §9, proven by the operator: "this account, as
// committed in accountsRoot, is below its requirement in the epoch's risk table".
//
// Public inputs (in this order):
//   epoch          the epoch whose roots are used.
//   riskRoot       Poseidon(instrumentsRoot, tableDigest) of the epoch's risk table.
//   accountsRoot   root of the accounts tree posted by the operator.
//   tag            Poseidon(accountKey, epoch): the account's settlement nullifier of the epoch,
//                  so the contract keeps one spent set and a liquidated account cannot settle.
//                  The public cannot link it to the account.
//   penalty        min(max(E_0, 0), R): the add-on requirement, capped by what is left at mark.
//   deficit        max(0, -E_0): the loss beyond the account's collateral.
// Private inputs:
//   accountKey, collateral, salt, instrument[P], quantity[P]   the account opening (its leaf);
//                  the operator knows it without the trader's secret.
//   accountIndex, accountSiblings[DEPTH]                        its path in the accounts tree.
//   values[P][S+1], addon[P], linear[P]   the risk-table row of each slot's instrument
//                              (column 0 = mark; linear = 1 for a perp/future).
//   instrumentSiblings[P][LOG_N]   each row's path in the instruments tree.
//   tableDigest                the other half of riskRoot.
//   breach[S+1]                one-hot: the scenario in which the account is breached.
// Proves: the leaf is in accountsRoot; every row is in riskRoot; tag is the account's; and
//   for the selected scenario b:  E_b < R, where E_s = collateral + sum_k quantity[k] * values[k][s]
//   and R = sum_k |quantity[k]| * addon[k]. A witness exists iff some s in 0..S has E_s < R:
//   the exact complement of MarginCompliance with amount 0. penalty and deficit are computed
//   from E_0 and R and constrained equal to the public inputs.
// Bounds: collateral < 2^64 and |quantity| <= 2^32 are checked here (lib templates);
//   |value|, addon < 2^48 are not checked per proof: the contract accepts riskRoot only with the
//   epoch's RiskTable proof, which range-checks every row once, and an opened row is a leaf of
//   that table (see RiskRowsOpening in lib/portfolio.circom). Then |E_s| < 2^84 and 0 <= R < 2^83, so:
//   - the breach gap R - E_b - 1 lies in (-2^85, 2^85): checking it in [0, 2^86) rejects every
//     E_b >= R (a negative gap is a field element above p - 2^85);
//   - E_0 and R - max(E_0, 0) lie in [-2^84, 2^84): SignedInRange(84) gives their exact signs.
template Liquidation(S, LOG_N, P, DEPTH) {
    assert(P >= 1 && P <= 8);
    var S1 = S + 1;
    var GAP_BITS = 86;
    var EQUITY_BITS = 84;

    signal input epoch;
    signal input riskRoot;
    signal input accountsRoot;
    signal input tag;
    signal input penalty;
    signal input deficit;

    signal input accountKey;
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
    signal input breach[S1];

    // The tag is the account's nullifier of this epoch.
    signal expectedTag <== PoseidonHash(2)([accountKey, epoch]);
    tag === expectedTag;

    // The account is in the accounts tree; every risk row used is in the epoch's risk table.
    signal computedAccountsRoot <== AccountInTree(P, DEPTH)(accountKey, collateral, salt, instrument, quantity, accountIndex, accountSiblings);
    accountsRoot === computedAccountsRoot;
    signal computedRiskRoot <== RiskRowsOpening(S1, LOG_N, P)(instrument, values, addon, linear, instrumentSiblings, tableDigest);
    riskRoot === computedRiskRoot;

    signal equity[S1];
    signal requirement;
    (equity, requirement) <== PortfolioValue(S1, P)(collateral, quantity, values, addon);

    // The breached scenario: exactly one flag set, and the equity it selects is below R.
    signal selectedTerm[S1];
    var flags = 0;
    var selected = 0;
    for (var s = 0; s < S1; s++) {
        breach[s] * (breach[s] - 1) === 0;
        flags += breach[s];
        selectedTerm[s] <== breach[s] * equity[s];
        selected += selectedTerm[s];
    }
    flags === 1;
    InRange(GAP_BITS)(requirement - selected - 1);

    // Waterfall step 1 at mark: penalty = min(max(E_0, 0), R), deficit = max(0, -E_0).
    signal markNonNeg <== SignedInRange(EQUITY_BITS)(equity[0]);
    signal markPositive <== markNonNeg * equity[0];
    deficit === markPositive - equity[0];
    signal belowCap <== SignedInRange(EQUITY_BITS)(requirement - markPositive);
    signal capExcess <== belowCap * (markPositive - requirement);
    penalty === requirement + capExcess;
}
