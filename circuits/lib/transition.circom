pragma circom 2.1.5;

include "./poseidon_hash.circom";
include "bitify.circom";

// Building blocks of the epoch transition (circuits/epoch_transition.circom, docs/design.md
// "Epoch transitions").

// EMPTY_POSITIONS_HASH(P) — Poseidon(0, 0, ..., 0) over 2P zeros: the positions hash of an
// account with no position (every slot instrument 0, quantity 0), as accountCommitment() in
// src/accounts/account.ts computes it. Valid for 1 <= P <= 8; checked against the TypeScript
// hash by test/epochTransition.test.ts.
function EMPTY_POSITIONS_HASH(P) {
    if (P == 1) { return 14744269619966411208579211824598458697587494354926760081771325075741142829156; }
    if (P == 2) { return 2351654555892372227640888372176282444150254868378439619268573230312091195718; }
    if (P == 3) { return 14408838593220040598588012778523101864903887657864399481915450526643617223637; }
    if (P == 4) { return 1524321216038799095937469147836866648978083754965002674906449126183454401066; }
    if (P == 5) { return 8188888863647261336666654061521591645846533251798372526123567331385400506959; }
    if (P == 6) { return 9360644637339281731404031769602981527812191049496204724644500187104347980883; }
    if (P == 7) { return 1169582573301325175856572929862091749915338129032846845488950917555513373814; }
    if (P == 8) { return 6961025786505490270790487869888725702980364259855350215456397845563605340881; }
    assert(P >= 1 && P <= 8);
    return 0;
}

// AccountSalt() — the salt of an account's leaf in one epoch.
//
// Inputs:  Ax, Ay     the owner's Baby Jubjub public key (EdDSA-Poseidon), fixed for the account.
//          saltKey    Poseidon(secret, 1): shared by the owner and the operator, never published.
//          epoch      the epoch of the leaf.
// Output:  out = Poseidon(Ax, Ay, saltKey, epoch). The public, without saltKey, cannot link two
//          epochs' leaves; the owner recomputes it from their secret; and because the public key
//          is inside the salt, an epoch's leaf binds the key that must sign the account's orders.
template AccountSalt() {
    signal input Ax;
    signal input Ay;
    signal input saltKey;
    signal input epoch;
    signal output out <== PoseidonHash(4)([Ax, Ay, saltKey, epoch]);
}

// MerkleUpdate(DEPTH) — one leaf of a Poseidon Merkle tree replaced.
//
// Inputs:  oldLeaf, newLeaf    the leaf before and after.
//          index               the leaf index, range-checked to DEPTH bits (its bits pick the sides).
//          siblings[DEPTH]     the path, from the leaf up (the same for both leaves).
// Outputs: oldRoot, newRoot    the roots with the old and with the new leaf; hashed as MerkleTree
//                              in src/crypto/merkleTree.ts.
template MerkleUpdate(DEPTH) {
    signal input oldLeaf;
    signal input newLeaf;
    signal input index;
    signal input siblings[DEPTH];
    signal output oldRoot;
    signal output newRoot;

    signal bits[DEPTH] <== Num2Bits(DEPTH)(index);
    signal oldNodes[DEPTH + 1];
    signal newNodes[DEPTH + 1];
    signal oldLeft[DEPTH];
    signal newLeft[DEPTH];
    oldNodes[0] <== oldLeaf;
    newNodes[0] <== newLeaf;
    for (var l = 0; l < DEPTH; l++) {
        oldLeft[l] <== oldNodes[l] + bits[l] * (siblings[l] - oldNodes[l]);
        oldNodes[l + 1] <== PoseidonHash(2)([oldLeft[l], siblings[l] + oldNodes[l] - oldLeft[l]]);
        newLeft[l] <== newNodes[l] + bits[l] * (siblings[l] - newNodes[l]);
        newNodes[l + 1] <== PoseidonHash(2)([newLeft[l], siblings[l] + newNodes[l] - newLeft[l]]);
    }
    oldRoot <== oldNodes[DEPTH];
    newRoot <== newNodes[DEPTH];
}

// EventsState() — the chained state between two batches of the events pass.
//
// Inputs:  epoch, batchIndex   the batch that ends in this state.
//          root               the accounts root after the events applied so far.
//          chain              the events hash chain after them (the contract's chain, replayed).
// Output:  out = Poseidon(1, epoch, batchIndex, root, chain). Not hiding: the root and the chain
//          reveal nothing about single accounts (leaves are salted, events are on-chain already).
template EventsState() {
    signal input epoch;
    signal input batchIndex;
    signal input root;
    signal input chain;
    signal output out <== PoseidonHash(5)([1, epoch, batchIndex, root, chain]);
}

// TransitionState() — the chained state between two batches of the accounts pass.
//
// Inputs:  epoch, batchIndex   the batch that ends in this state.
//          root               the accounts root with batches 0..batchIndex already in epoch e+1 form.
//          netFlow            the running net flow from traders to LPs (signed, |.| < 2^96).
//          blinding           random, so the public cannot read one batch's flow.
// Output:  out = Poseidon(2, epoch, batchIndex, root, netFlow, blinding).
template TransitionState() {
    signal input epoch;
    signal input batchIndex;
    signal input root;
    signal input netFlow;
    signal input blinding;
    signal output out <== PoseidonHash(6)([2, epoch, batchIndex, root, netFlow, blinding]);
}
