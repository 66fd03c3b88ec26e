pragma circom 2.1.5;

include "./poseidon_hash.circom";
include "./range.circom";

// Bounds shared by every circuit (see README "Bounds"): collateral and amounts are unsigned
// 64-bit, quantities signed 32-bit, instrument values and add-ons signed 48-bit.
function COLLATERAL_BITS() { return 64; }
function QUANTITY_BITS() { return 32; }
function VALUE_BITS() { return 48; }

// AccountCommitment(P) — the accounts-tree leaf of one account (docs/design.md §3).
//
// Inputs:  accountKey        Poseidon(secret); unique per account.
//          collateral        the account's cash, in [0, 2^64) (checked by the caller).
//          salt              re-randomised every epoch so leaves cannot be linked across epochs.
//          instrument[P]     listed-instrument index of each position slot.
//          quantity[P]       signed quantity of each slot (0 for an unused slot).
// Output:  out = Poseidon(accountKey, collateral, salt, Poseidon(instrument[0], quantity[0], ...)).
// Bounds:  1 <= P <= 8 (the position hash takes 2P <= 16 inputs).
template AccountCommitment(P) {
    assert(P >= 1 && P <= 8);
    signal input accountKey;
    signal input collateral;
    signal input salt;
    signal input instrument[P];
    signal input quantity[P];
    signal output out;

    signal positions[2 * P];
    for (var k = 0; k < P; k++) {
        positions[2 * k] <== instrument[k];
        positions[2 * k + 1] <== quantity[k];
    }
    signal positionsHash <== PoseidonHash(2 * P)(positions);
    out <== PoseidonHash(4)([accountKey, collateral, salt, positionsHash]);
}
