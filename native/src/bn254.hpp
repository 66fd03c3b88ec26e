// BN254 (snarkjs' "bn128") parameters.
#pragma once
#include "field.hpp"

namespace zkrs {

inline const char* BN254_Q = "21888242871839275222246405745257275088696311157297823662689037894645226208583";
inline const char* BN254_R = "21888242871839275222246405745257275088548364400416034343698204186575808495617";

inline void bn254_init() {
  static bool done = false;
  if (done) return;
  Fq::init(u256_from_dec(BN254_Q));
  Fr::init(u256_from_dec(BN254_R));
  done = true;
}

}  // namespace zkrs
