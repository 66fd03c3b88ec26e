// Multi-scalar multiplication sum_i k_i * P_i by Pippenger's bucket method.
// Inputs: n affine points (snarkjs layout, (0,0) = infinity) and n plain little-endian 256-bit
// scalars at a byte stride. The work is split into (window, point-slice) tasks over all threads.
#pragma once
#include <cmath>
#include <vector>
#include "curve.hpp"
#include "parallel.hpp"

namespace zkrs {

inline u64 scalar_digit(const u64* k, int bit, int c) {
  int limb = bit >> 6, off = bit & 63;
  u64 d = k[limb] >> off;
  if (off + c > 64 && limb < 3) d |= k[limb + 1] << (64 - off);
  return d & ((c == 64) ? ~0ull : ((1ull << c) - 1));
}

// Window width minimising windows * (points + 2 * buckets).
inline int msm_window(size_t n, int nbits) {
  int best = 1;
  double bestCost = 1e300;
  for (int c = 1; c <= 16; c++) {
    double windows = std::ceil((double)nbits / c);
    double cost = windows * ((double)n + 2.0 * (double)(1u << c));
    if (cost < bestCost) {
      bestCost = cost;
      best = c;
    }
  }
  return best;
}

template <class F>
Jacobian<F> msm(const Affine<F>* points, const uint8_t* scalars, size_t stride, size_t n) {
  using J = Jacobian<F>;
  if (n == 0) return J::inf();
  auto scalar = [&](size_t i) { return reinterpret_cast<const u64*>(scalars + i * stride); };
  int nbits = 0;
  for (size_t i = 0; i < n; i++) nbits = std::max(nbits, u256_bits(scalar(i)));
  if (nbits == 0) return J::inf();
  int c = msm_window(n, nbits);
  int windows = (nbits + c - 1) / c;
  unsigned threads = thread_count();
  // Enough point slices that every thread has work even with few windows.
  size_t slices = std::max<size_t>(1, std::min<size_t>((threads * 2 + windows - 1) / windows, n / 256 + 1));
  size_t per = (n + slices - 1) / slices;
  std::vector<J> partial((size_t)windows * slices, J::inf());
  parallel_tasks((size_t)windows * slices, [&](size_t task) {
    int w = (int)(task / slices);
    size_t s = task % slices;
    size_t b = s * per, e = std::min(n, b + per);
    std::vector<J> buckets((size_t)1 << c, J::inf());
    for (size_t i = b; i < e; i++) {
      u64 d = scalar_digit(scalar(i), w * c, c);
      if (d) buckets[d].add_affine(points[i]);
    }
    J sum = J::inf(), acc = J::inf();
    for (size_t j = buckets.size() - 1; j >= 1; j--) {
      sum += buckets[j];
      acc += sum;
    }
    partial[task] = acc;
  });
  J result = J::inf();
  for (int w = windows - 1; w >= 0; w--) {
    for (int i = 0; i < c; i++) result = result.dbl();
    for (size_t s = 0; s < slices; s++) result += partial[(size_t)w * slices + s];
  }
  return result;
}

}  // namespace zkrs
