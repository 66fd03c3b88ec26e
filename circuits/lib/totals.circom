pragma circom 2.1.5;

include "./hash_list.circom";

// TotalsCommitment(S1) — hiding commitment to the running liability totals after a batch.
//
// Inputs:  epoch, batchIndex   the batch that produced these totals (binds the chain position);
//          totals[S1]          running sum of floored equities, one per scenario (0 = mark);
//          blinding            random, so the public cannot guess the totals.
// Output:  out = HashList(epoch, batchIndex, totals[0..S1-1], blinding).
// Bounds:  none here; the totals are range-bounded by how PoolSolvency builds them.
template TotalsCommitment(S1) {
    signal input epoch;
    signal input batchIndex;
    signal input totals[S1];
    signal input blinding;
    signal output out;

    signal items[S1 + 3];
    items[0] <== epoch;
    items[1] <== batchIndex;
    for (var s = 0; s < S1; s++) {
        items[2 + s] <== totals[s];
    }
    items[S1 + 2] <== blinding;
    out <== HashList(S1 + 3)(items);
}
