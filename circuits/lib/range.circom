pragma circom 2.1.5;

include "bitify.circom";

// InRange(n) — constrains 0 <= in < 2^n (as an integer below the field modulus).
//
// Inputs:  in    field element.
// Bounds:  n <= 252 so that 2^n is far below the BN254 scalar field.
template InRange(n) {
    assert(n <= 252);
    signal input in;
    signal bits[n] <== Num2Bits(n)(in);
}

// SignedInRange(n) — constrains -2^n <= in < 2^n, reading negative numbers as p - |x|.
//
// Inputs:  in        field element holding a signed integer.
// Outputs: nonNeg    1 if in >= 0, 0 if in < 0.
// Bounds:  n <= 251; in + 2^n is decomposed into n + 1 bits.
template SignedInRange(n) {
    assert(n <= 251);
    signal input in;
    signal output nonNeg;
    signal bits[n + 1] <== Num2Bits(n + 1)(in + (1 << n));
    nonNeg <== bits[n];
}

// AbsSigned(n) — |in| for a signed integer with -2^n <= in < 2^n (range-checked here).
//
// Inputs:  in     signed field element.
// Outputs: out    |in|, in [0, 2^n].
template AbsSigned(n) {
    signal input in;
    signal output out;
    signal nonNeg <== SignedInRange(n)(in);
    out <== in * (2 * nonNeg - 1);
}
