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

// Adds points into affine buckets in batches sharing one field inversion (Montgomery's trick):
// about 6 multiplications per addition against 11 for a mixed Jacobian addition. A point whose
// bucket is already waiting in the current batch goes to that bucket's Jacobian side sum
// instead, so skewed digits (many equal small scalars) never stall the batching.
template <class F>
class BucketSet {
 public:
  using J = Jacobian<F>;
  explicit BucketSet(size_t n)
      : aff_(n), used_(n, 0), mark_(n, 0), side_(n, J::inf()) {
    batch_.reserve(kBatch);
    denom_.resize(kBatch);
    prefix_.resize(kBatch);
  }

  void add(uint32_t b, const Affine<F>& p) {
    if (p.is_inf()) return;
    if (!used_[b]) {
      aff_[b] = p;
      used_[b] = 1;
      return;
    }
    if (mark_[b] == stamp_) {
      side_[b].add_affine(p);
      return;
    }
    mark_[b] = stamp_;
    batch_.push_back({b, &p});
    if (batch_.size() == kBatch) flush();
  }

  // Sum over j of j * bucket_j.
  J weighted_sum() {
    flush();
    J sum = J::inf(), acc = J::inf();
    for (size_t j = aff_.size() - 1; j >= 1; j--) {
      if (used_[j]) sum.add_affine(aff_[j]);
      if (!side_[j].is_inf()) sum += side_[j];
      acc += sum;
    }
    return acc;
  }

 private:
  static constexpr size_t kBatch = 512;
  struct Pending {
    uint32_t bucket;
    const Affine<F>* point;
  };

  void flush() {
    size_t n = batch_.size();
    if (n == 0) return;
    // denominators: x2 - x1, or 2y for a doubling; 1 for a cancellation (P + -P)
    F acc = F::one();
    for (size_t k = 0; k < n; k++) {
      const Affine<F>& q = aff_[batch_[k].bucket];
      const Affine<F>& p = *batch_[k].point;
      F d = p.x - q.x;
      if (d.is_zero()) d = (p.y == q.y) ? q.y.dbl() : F::one();
      denom_[k] = d;
      prefix_[k] = acc;
      acc *= d;
    }
    F inv = acc.inv();
    for (size_t k = n; k-- > 0;) {
      F dinv = inv * prefix_[k];
      inv *= denom_[k];
      uint32_t b = batch_[k].bucket;
      Affine<F>& q = aff_[b];
      const Affine<F>& p = *batch_[k].point;
      F lambda;
      if (p.x == q.x) {
        if (p.y != q.y || q.y.is_zero()) {  // P + (-P)
          used_[b] = 0;
          continue;
        }
        F xx = q.x.sq();
        lambda = (xx.dbl() + xx) * dinv;
      } else {
        lambda = (p.y - q.y) * dinv;
      }
      F x3 = lambda.sq() - q.x - p.x;
      q.y = lambda * (q.x - x3) - q.y;
      q.x = x3;
    }
    batch_.clear();
    stamp_++;
  }

  std::vector<Affine<F>> aff_;
  std::vector<uint8_t> used_;
  std::vector<uint32_t> mark_;
  std::vector<J> side_;
  std::vector<Pending> batch_;
  std::vector<F> denom_, prefix_;
  uint32_t stamp_ = 1;
};

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
    BucketSet<F> buckets((size_t)1 << c);
    for (size_t i = b; i < e; i++) {
      u64 d = scalar_digit(scalar(i), w * c, c);
      if (d) buckets.add((uint32_t)d, points[i]);
    }
    partial[task] = buckets.weighted_sum();
  });
  J result = J::inf();
  for (int w = windows - 1; w >= 0; w--) {
    for (int i = 0; i < c; i++) result = result.dbl();
    for (size_t s = 0; s < slices; s++) result += partial[(size_t)w * slices + s];
  }
  return result;
}

}  // namespace zkrs
