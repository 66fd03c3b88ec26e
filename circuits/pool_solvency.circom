pragma circom 2.1.5;

include "./lib/poseidon_hash.circom";
include "comparators.circom";
include "./lib/account.circom";
include "./lib/hash_list.circom";
include "./lib/range.circom";
include "./lib/subtree.circom";
include "./lib/totals.circom";

// PoolSolvency(S, LOG_N, P, DEPTH, LOG_B) — docs/design.md §4.2, one batch of 2^LOG_B account slots,
// proven by the operator. Batch k covers leaves [k * 2^LOG_B, (k + 1) * 2^LOG_B) of the accounts
// tree; batches 0..K-1 are chained by hidden running totals and the last one publishes the
// pool's exact liability figures (docs/design.md §9, §10), from which the contract alone sets the
// epoch's status, its haircut and the LPs' NAV: the operator chooses no figure.
//
// Public inputs (in this order):
//   epoch, riskRoot, accountsRoot   the epoch and its roots (same as in the margin proofs).
//   stressTotal                    on the last batch: exactly max_s totals[s] over every column
//                                  (mark and all S scenarios) — every total is <= it and the one
//                                  picked by a one-hot selector equals it; 0 on other batches.
//   markTotal                      on the last batch: exactly totals[0] = sum_j max(0, E_{j,0}),
//                                  the mark liabilities; 0 on other batches.
//   batchIndex                     k, in [0, 2^(DEPTH - LOG_B)).
//   isLast                         1 on the last batch of the epoch, else 0.
//   prevTotalsCommitment           TotalsCommitment(epoch, k - 1, totals before this batch).
//   totalsCommitment               TotalsCommitment(epoch, k, totals after this batch).
// Private inputs:
//   values[2^LOG_N][S+1], instrumentsRoot   the whole risk table (tableDigest half of riskRoot).
//   active[B], accountKey[B], collateral[B], salt[B], instrument[B][P], quantity[B][P]
//                                   the batch's account openings; an inactive slot is an empty
//                                   leaf and must hold no collateral and no positions.
//   subtreeSiblings[DEPTH - LOG_B]  path of the batch subtree in the accounts tree.
//   prevTotals[S+1], prevBlinding, blinding.
//   stressSelector[S+1]            one-hot on the last batch (the column whose total is the
//                                  maximum), all 0 on other batches.
// Proves: the batch subtree sits at index k of accountsRoot (and, if last, everything to its
//   right is empty); each active leaf is the commitment of its opening; collateral in [0, 2^64);
//   |quantity| < 2^32; instrument < 2^LOG_N; for every slot j and scenario s,
//   totals[s] = prevTotals[s] + sum_j max(0, E_{j,s}) with E_{j,s} = collateral_j + sum q * v_s;
//   prevTotals = 0 on batch 0; and, if last, markTotal = totals[0] and stressTotal = max_s totals[s]
//   (both exact: an operator cannot post a larger figure to force a haircut or a freeze, nor a
//   smaller one); on every other batch both are 0, so inner batches reveal no figure.
// Bounds: |E_{j,s}| < 2^84 is checked (SignedInRange(84)); totals stay below 2^(84 + DEPTH)
//   <= 2^116, far below p, so nothing wraps; each stressTotal - total is checked in [0, 2^128),
//   and stressTotal equals one of the totals, so both public figures are below 2^116.
//   Table values are not range-checked here (1,088 values x 49 bits would cost ~54k constraints):
//   they are fixed by riskRoot, which the contract accepts only with a RiskTable proof that every
//   value and add-on is in range (circuits/risk_table.circom). Whatever the values, each E_{j,s}
//   is range-checked here, so no total can wrap.
template PoolSolvency(S, LOG_N, P, DEPTH, LOG_B) {
    assert(DEPTH > LOG_B && DEPTH <= 32);
    var S1 = S + 1;
    var N = 1 << LOG_N;
    var B = 1 << LOG_B;
    var EQUITY_BITS = 84;
    var BOUND_BITS = 128;

    signal input epoch;
    signal input riskRoot;
    signal input accountsRoot;
    signal input stressTotal;
    signal input markTotal;
    signal input batchIndex;
    signal input isLast;
    signal input prevTotalsCommitment;
    signal input totalsCommitment;

    signal input values[N][S1];
    signal input instrumentsRoot;
    signal input active[B];
    signal input accountKey[B];
    signal input collateral[B];
    signal input salt[B];
    signal input instrument[B][P];
    signal input quantity[B][P];
    signal input subtreeSiblings[DEPTH - LOG_B];
    signal input prevTotals[S1];
    signal input prevBlinding;
    signal input blinding;
    signal input stressSelector[S1];

    isLast * (isLast - 1) === 0;
    // Inner batches carry no figure.
    (1 - isLast) * stressTotal === 0;
    (1 - isLast) * markTotal === 0;

    // The risk table is the one committed in riskRoot.
    signal flatValues[N * S1];
    for (var i = 0; i < N; i++) {
        for (var s = 0; s < S1; s++) {
            flatValues[i * S1 + s] <== values[i][s];
        }
    }
    signal tableDigest <== HashList(N * S1)(flatValues);
    signal computedRiskRoot <== PoseidonHash(2)([instrumentsRoot, tableDigest]);
    riskRoot === computedRiskRoot;

    // Per account slot: leaf, exposure per instrument, floored equity per scenario.
    signal leaves[B];
    signal commitment[B];
    signal placed[B][P][N];
    signal exposure[B][N];
    signal valueTerm[B][S1][N];
    signal equityNonNeg[B][S1];
    signal floored[B][S1];
    for (var j = 0; j < B; j++) {
        active[j] * (active[j] - 1) === 0;
        InRange(COLLATERAL_BITS())(collateral[j]);
        (1 - active[j]) * collateral[j] === 0;
        for (var k = 0; k < P; k++) {
            _ <== SignedInRange(QUANTITY_BITS())(quantity[j][k]);
            (1 - active[j]) * quantity[j][k] === 0;
            // Same leaves as the margin circuit accepts: every slot's instrument < 2^LOG_N.
            InRange(LOG_N)(instrument[j][k]);
        }
        commitment[j] <== AccountCommitment(P)(accountKey[j], collateral[j], salt[j], instrument[j], quantity[j]);
        leaves[j] <== active[j] * commitment[j];

        // exposure[i] = net quantity of instrument i over the slot's positions. Position k puts
        // its whole quantity in column instrument[k]: placed[k][i] is forced to 0 for every
        // i != instrument[k] and the row must sum to quantity[k].
        for (var k = 0; k < P; k++) {
            var rowSum = 0;
            for (var i = 0; i < N; i++) {
                placed[j][k][i] <-- instrument[j][k] == i ? quantity[j][k] : 0;
                placed[j][k][i] * (instrument[j][k] - i) === 0;
                rowSum += placed[j][k][i];
            }
            rowSum === quantity[j][k];
        }
        for (var i = 0; i < N; i++) {
            var net = 0;
            for (var k = 0; k < P; k++) {
                net += placed[j][k][i];
            }
            exposure[j][i] <== net;
        }
        for (var s = 0; s < S1; s++) {
            var equity = collateral[j];
            for (var i = 0; i < N; i++) {
                valueTerm[j][s][i] <== exposure[j][i] * values[i][s];
                equity += valueTerm[j][s][i];
            }
            equityNonNeg[j][s] <== SignedInRange(EQUITY_BITS)(equity);
            floored[j][s] <== equityNonNeg[j][s] * equity;
        }
    }

    // The batch's leaves are the subtree at batchIndex of accountsRoot.
    signal subtreeRoot <== SubtreeRoot(LOG_B)(leaves);
    signal computedAccountsRoot <== SubtreeInclusion(LOG_B, DEPTH)(subtreeRoot, batchIndex, subtreeSiblings, isLast);
    accountsRoot === computedAccountsRoot;

    // Running totals: start from zero on batch 0, carried by commitments between batches.
    signal isFirst <== IsZero()(batchIndex);
    signal totals[S1];
    signal boundSlack[S1];
    for (var s = 0; s < S1; s++) {
        isFirst * prevTotals[s] === 0;
        var sum = prevTotals[s];
        for (var j = 0; j < B; j++) {
            sum += floored[j][s];
        }
        totals[s] <== sum;
        boundSlack[s] <== isLast * (stressTotal - totals[s]);
        InRange(BOUND_BITS)(boundSlack[s]);
    }
    // Exact figures on the last batch: markTotal is the mark total, and stressTotal (already >=
    // every total) equals the total of the column the one-hot selector picks.
    isLast * (markTotal - totals[0]) === 0;
    var picked = 0;
    for (var s = 0; s < S1; s++) {
        stressSelector[s] * (stressSelector[s] - 1) === 0;
        stressSelector[s] * (stressTotal - totals[s]) === 0;
        picked += stressSelector[s];
    }
    picked === isLast;
    signal computedPrev <== TotalsCommitment(S1)(epoch, batchIndex - 1, prevTotals, prevBlinding);
    prevTotalsCommitment === computedPrev;
    signal computedNext <== TotalsCommitment(S1)(epoch, batchIndex, totals, blinding);
    totalsCommitment === computedNext;
}
