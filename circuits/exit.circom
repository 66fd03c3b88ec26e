pragma circom 2.1.5;

include "./lib/poseidon_hash.circom";
include "./lib/portfolio.circom";
include "./lib/range.circom";

// Exit(S, LOG_N, P, DEPTH) — docs/design.md §12, proven by a trader once the pool is frozen: "my
// account, committed in the last open epoch's accountsRoot, is owed max(E_0, 0) at mark under that
// epoch's risk table". Built from circuits/lib/portfolio.circom's templates, as MarginCompliance
// and Liquidation are.
//
// Public inputs (in this order):
//   epoch          the epoch whose roots are used (the contract supplies its last open epoch).
//   riskRoot       Poseidon(instrumentsRoot, tableDigest) of the epoch's risk table.
//   accountsRoot   root of the accounts tree of the epoch.
//   nullifier      Poseidon(accountKey, epoch): the same nullifier as the account's settlement
//                  and liquidation tag of the epoch, so the contract subtracts what it already took.
//   recipient      address the exit pays; bound so a copied proof pays nobody else.
//   amount         max(E_0, 0), exactly: the account's claim at mark, in [0, 2^84).
// Private inputs:
//   secret, collateral, salt, instrument[P], quantity[P]   the account opening (its leaf).
//   accountIndex, accountSiblings[DEPTH]                    its path in the accounts tree.
//   values[P][S+1], addon[P], linear[P]   the risk-table row of each slot's instrument
//                              (column 0 = mark; linear = 1 for a perp/future).
//   instrumentSiblings[P][LOG_N]   each row's path in the instruments tree.
//   tableDigest                the other half of riskRoot.
// Proves: the leaf is in accountsRoot (AccountInTree); every row is in riskRoot
//   (RiskRowsOpening); nullifier is the account's; and amount = max(E_0, 0) with
//   E_0 = collateral + sum_k quantity[k] * values[k][0] (PortfolioValue on the mark column alone:
//   the scenario columns are only hashed, to open the rows).
// Bounds: collateral < 2^64 and |quantity| <= 2^32 are checked here (lib templates); |value|,
//   addon < 2^48 are not checked per proof: the contract accepts riskRoot only with the epoch's
//   RiskTable proof, which range-checks every row once (see RiskRowsOpening). Then
//   |E_0| <= 2^64 + P * 2^80 < 2^84, so SignedInRange(84) gives the exact sign of E_0 and
//   amount = nonNeg * E_0 lies in [0, 2^84).
template Exit(S, LOG_N, P, DEPTH) {
    assert(P >= 1 && P <= 8);
    var S1 = S + 1;
    var EQUITY_BITS = 84;

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

    // Account key and nullifier (only the owner, who knows the secret, can exit).
    signal accountKey <== PoseidonHash(1)([secret]);
    signal expectedNullifier <== PoseidonHash(2)([accountKey, epoch]);
    nullifier === expectedNullifier;

    // The account is in the accounts tree; every risk row used is in the epoch's risk table.
    signal computedAccountsRoot <== AccountInTree(P, DEPTH)(accountKey, collateral, salt, instrument, quantity, accountIndex, accountSiblings);
    accountsRoot === computedAccountsRoot;
    signal computedRiskRoot <== RiskRowsOpening(S1, LOG_N, P)(instrument, values, addon, linear, instrumentSiblings, tableDigest);
    riskRoot === computedRiskRoot;

    // The mark column only: E_0 (the requirement output is not used by the exit rule).
    signal markValues[P][1];
    for (var k = 0; k < P; k++) {
        markValues[k][0] <== values[k][0];
    }
    signal markEquity[1];
    signal requirement;
    (markEquity, requirement) <== PortfolioValue(1, P)(collateral, quantity, markValues, addon);

    // amount = max(E_0, 0), exactly.
    signal markNonNeg <== SignedInRange(EQUITY_BITS)(markEquity[0]);
    amount === markNonNeg * markEquity[0];

    // Bind the recipient into the proof (a constraint that the optimiser cannot drop).
    signal recipientSquare <== recipient * recipient;
}
