pragma circom 2.1.5;

include "./poseidon_hash.circom";

// HashList(n) — Poseidon hash of a fixed-length list of field elements.
//
// Inputs:  in[n]  any field elements.
// Output:  out    h_0 = Poseidon(in[0..15]) (or all of in when n <= 16); then each further
//                 chunk of up to 15 elements is absorbed as h = Poseidon(h, chunk).
// Bounds:  n >= 1. Mirrored off-circuit by hashList() in src/crypto/poseidon.ts.
template HashList(n) {
    assert(n >= 1);
    signal input in[n];
    signal output out;

    var first = n < 16 ? n : 16;
    var chunks = 1 + (n - first + 14) \ 15;
    component perm[chunks];
    perm[0] = PoseidonHash(first);
    for (var k = 0; k < first; k++) {
        perm[0].inputs[k] <== in[k];
    }
    var start = first;
    for (var c = 1; c < chunks; c++) {
        var len = n - start < 15 ? n - start : 15;
        perm[c] = PoseidonHash(len + 1);
        perm[c].inputs[0] <== perm[c - 1].out;
        for (var k = 0; k < len; k++) {
            perm[c].inputs[k + 1] <== in[start + k];
        }
        start += len;
    }
    out <== perm[chunks - 1].out;
}
