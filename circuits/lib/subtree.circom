pragma circom 2.1.5;

include "./poseidon_hash.circom";
include "bitify.circom";
include "./empty_nodes.circom";

// SubtreeRoot(LOG_B) — root of a complete binary Poseidon tree over 2^LOG_B leaves.
//
// Inputs:  leaves[2^LOG_B]   leaf values, left to right.
// Output:  out               root, hashed exactly as MerkleTree in src/accounts/merkleTree.ts.
template SubtreeRoot(LOG_B) {
    var B = 1 << LOG_B;
    signal input leaves[B];
    signal output out;

    signal nodes[2 * B - 1];
    for (var i = 0; i < B; i++) {
        nodes[i] <== leaves[i];
    }
    // Level by level: the children of node (B + j) are nodes 2j and 2j + 1 in this numbering.
    for (var j = 0; j < B - 1; j++) {
        nodes[B + j] <== PoseidonHash(2)([nodes[2 * j], nodes[2 * j + 1]]);
    }
    out <== nodes[2 * B - 2];
}

// SubtreeInclusion(LOG_B, DEPTH) — places the subtree of batch `index` in a tree of depth DEPTH.
//
// Inputs:  subtreeRoot          root of the batch's 2^LOG_B leaves.
//          index                the batch index: its bits pick left/right on the way up;
//                               range-checked to DEPTH - LOG_B bits.
//          siblings[DEPTH - LOG_B]  sibling nodes from the subtree root up.
//          isLast               1 for the pool's last batch: then every sibling on the right of
//                               the path must be an empty subtree, so no leaf after this batch
//                               can hold an account (must be 0 or 1; checked by the caller).
// Output:  root.
template SubtreeInclusion(LOG_B, DEPTH) {
    var H = DEPTH - LOG_B;
    signal input subtreeRoot;
    signal input index;
    signal input siblings[H];
    signal input isLast;
    signal output root;

    signal bits[H] <== Num2Bits(H)(index);
    signal nodes[H + 1];
    signal left[H];
    signal right[H];
    signal mustBeEmpty[H];
    nodes[0] <== subtreeRoot;
    for (var l = 0; l < H; l++) {
        // bit = 0: node is the left child; bit = 1: node is the right child.
        left[l] <== nodes[l] + bits[l] * (siblings[l] - nodes[l]);
        right[l] <== siblings[l] + nodes[l] - left[l];
        nodes[l + 1] <== PoseidonHash(2)([left[l], right[l]]);
        mustBeEmpty[l] <== isLast * (1 - bits[l]);
        mustBeEmpty[l] * (siblings[l] - EMPTY_NODE(LOG_B + l)) === 0;
    }
    root <== nodes[H];
}
