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
  if (limb > 3) return 0;
  u64 d = k[limb] >> off;
  if (off + c > 64 && limb < 3) d |= k[limb + 1] << (64 - off);
  return d & ((c == 64) ? ~0ull : ((1ull << c) - 1));
}

// Signed-digit windows for scalars of at most nbits bits: the top window absorbs the last carry.
inline int msm_windows(int nbits, int c) { return (nbits + 1 + c - 1) / c; }

// Additions per shared inversion: a quarter of the buckets (so few points find their bucket
// already in the batch), between 16 and 1024.
inline size_t msm_batch(size_t buckets) { return std::min<size_t>(1024, std::max<size_t>(16, buckets / 4)); }

// Window width minimising the field multiplications: per window, per point ~6 (batched affine
// addition) plus its share of the batch's inversion (~380), and per bucket (2^(c-1)) ~27 to sum.
inline int msm_window(size_t n, int nbits) {
  int best = 2;
  double bestCost = 1e300;
  for (int c = 2; c <= 20; c++) {
    double buckets = (double)(1u << (c - 1));
    double cost = msm_windows(nbits, c) * ((6.0 + 380.0 / (double)msm_batch((size_t)buckets)) * (double)n + 27.0 * buckets);
    if (cost < bestCost) {
      bestCost = cost;
      best = c;
    }
  }
  return best;
}

// Adds points into affine buckets in batches sharing one field inversion (Montgomery's trick):
// about 6 multiplications per addition against 11 for a mixed Jacobian addition. A point whose
// bucket is already waiting in the current batch waits for the next batch; when that queue is
// full too, it goes to the bucket's Jacobian side sum, so skewed digits (many equal small
// scalars) never stall the batching.
template <class F>
class BucketSet {
 public:
  using J = Jacobian<F>;
  explicit BucketSet(size_t n)
      : kBatch(msm_batch(n)), aff_(n), used_(n, 0), mark_(n, 0), side_(n, J::inf()) {
    batch_.reserve(kBatch);
    denom_.resize(kBatch);
    prefix_.resize(kBatch);
  }

  // bucket_b += p, or -= p when neg.
  void add(uint32_t b, const Affine<F>& p, bool neg) {
    if (p.is_inf()) return;
    insert({b, neg, &p});
    if (batch_.size() == kBatch) flush(false);
  }

  // Sum over j of j * bucket_j.
  J weighted_sum() {
    flush(true);
    J sum = J::inf(), acc = J::inf();
    for (size_t j = aff_.size() - 1; j >= 1; j--) {
      if (used_[j]) sum.add_affine(aff_[j]);
      if (!side_[j].is_inf()) sum += side_[j];
      acc += sum;
    }
    return acc;
  }

 private:
  const size_t kBatch;
  struct Pending {
    uint32_t bucket;
    bool neg;
    const Affine<F>* point;
  };

  // An empty bucket takes the point; else into the batch, or the queue for the next one, or the
  // side sum.
  void insert(const Pending& e) {
    if (!used_[e.bucket]) {
      aff_[e.bucket] = *e.point;
      if (e.neg) aff_[e.bucket].y = -e.point->y;
      used_[e.bucket] = 1;
      return;
    }
    if (mark_[e.bucket] != stamp_ && batch_.size() < kBatch) {
      mark_[e.bucket] = stamp_;
      batch_.push_back(e);
    } else if (deferred_.size() < kBatch) {
      deferred_.push_back(e);
    } else {
      side_[e.bucket].add_affine(e.neg ? Affine<F>{e.point->x, -e.point->y} : *e.point);
    }
  }

  // Applies the batch, then moves the queued points into the next batch; `all`: until none is left.
  void flush(bool all) {
    do {
      apply_batch();
      std::vector<Pending> again;
      again.swap(deferred_);
      for (const Pending& e : again) insert(e);  // a bucket may have emptied (P + -P)
    } while (all && !batch_.empty());
  }

  void apply_batch() {
    size_t n = batch_.size();
    if (n == 0) return;
    // denominators: x2 - x1, or 2y for a doubling; 1 for a cancellation (P + -P)
    F acc = F::one();
    for (size_t k = 0; k < n; k++) {
      const Affine<F>& q = aff_[batch_[k].bucket];
      const Affine<F>& p = *batch_[k].point;
      F d = p.x - q.x;
      if (d.is_zero()) d = ((batch_[k].neg ? -p.y : p.y) == q.y && !q.y.is_zero()) ? q.y.dbl() : F::one();
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
      const F& px = batch_[k].point->x;
      const F py = batch_[k].neg ? -batch_[k].point->y : batch_[k].point->y;
      F lambda;
      if (px == q.x) {
        if (py != q.y || q.y.is_zero()) {  // P + (-P)
          used_[b] = 0;
          continue;
        }
        F xx = q.x.sq();
        lambda = (xx.dbl() + xx) * dinv;
      } else {
        lambda = (py - q.y) * dinv;
      }
      F x3 = lambda.sq() - q.x - px;
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
  std::vector<Pending> batch_, deferred_;
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
  int windows = msm_windows(nbits, c);
  const int64_t full = (int64_t)1 << c, half = full >> 1;
  // digits[w * n + i]: scalar i's signed digit in window w, in (-2^(c-1), 2^(c-1)]
  std::vector<int32_t> digits((size_t)windows * n);
  parallel_for(n, [&](size_t from, size_t to) {
    for (size_t i = from; i < to; i++) {
      int64_t carry = 0;
      for (int w = 0; w < windows; w++) {
        int64_t d = (int64_t)scalar_digit(scalar(i), w * c, c) + carry;
        carry = d > half ? 1 : 0;
        digits[(size_t)w * n + i] = (int32_t)(d - carry * full);
      }
    }
  }, 4096);
  unsigned threads = thread_count();
  // Enough point slices that every thread has work even with few windows.
  size_t slices = std::max<size_t>(1, std::min<size_t>((threads * 2 + windows - 1) / windows, n / 256 + 1));
  size_t per = (n + slices - 1) / slices;
  std::vector<J> partial((size_t)windows * slices, J::inf());
  parallel_tasks((size_t)windows * slices, [&](size_t task) {
    int w = (int)(task / slices);
    size_t s = task % slices;
    size_t b = s * per, e = std::min(n, b + per);
    BucketSet<F> buckets((size_t)half + 1);
    const int32_t* dw = digits.data() + (size_t)w * n;
    for (size_t i = b; i < e; i++) {
      int32_t d = dw[i];
      if (d > 0) buckets.add((uint32_t)d, points[i], false);
      else if (d < 0) buckets.add((uint32_t)(-d), points[i], true);
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
