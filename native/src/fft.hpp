// Radix-2 FFTs over BN254's Fr on domains of size 2^k, with ffjavascript's roots of unity
// (w_28 = 5^((r-1)/2^28), w_k = w_{k+1}^2), so results match snarkjs' Fr.fft / Fr.ifft.
// Values in Montgomery form, natural order in and out.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <vector>
#include "field.hpp"
#include "parallel.hpp"

namespace zkrs {

constexpr int FR_TWO_ADICITY = 28;

// w_k: a primitive 2^k-th root of unity, as ffjavascript defines it.
inline Fr root_of_unity(int k) {
  u64 e[4], one[4] = {1, 0, 0, 0};
  u256_sub(e, Fr::P, one);
  for (int i = 0; i < FR_TWO_ADICITY; i++) {  // e = (r-1) / 2^28
    e[0] = (e[0] >> 1) | (e[1] << 63);
    e[1] = (e[1] >> 1) | (e[2] << 63);
    e[2] = (e[2] >> 1) | (e[3] << 63);
    e[3] >>= 1;
  }
  Fr w = Fr::from_u64(5).pow(e);
  for (int i = FR_TWO_ADICITY; i > k; i--) w = w.sq();
  return w;
}

struct FftTables {
  int k;
  std::vector<Fr> fwd, inv;  // w^i and w^-i for i < n/2
};

inline const FftTables& fft_tables(int k) {
  static std::mutex mu;
  static std::map<int, std::unique_ptr<FftTables>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(k);
  if (it != cache.end()) return *it->second;
  auto t = std::make_unique<FftTables>();
  t->k = k;
  size_t half = k > 0 ? ((size_t)1 << (k - 1)) : 0;
  Fr w = root_of_unity(k), wi = w.inv();
  t->fwd.resize(half);
  t->inv.resize(half);
  Fr a = Fr::one(), b = Fr::one();
  for (size_t i = 0; i < half; i++) {
    t->fwd[i] = a;
    t->inv[i] = b;
    a *= w;
    b *= wi;
  }
  auto& ref = *t;
  cache[k] = std::move(t);
  return ref;
}

// In-place transform: out[j] = sum_i a[i] w^(ij) (inverse: w^-1, without the 1/n factor).
inline void fft_in_place(std::vector<Fr>& a, bool inverse) {
  size_t n = a.size();
  int k = 0;
  while (((size_t)1 << k) < n) k++;
  if (((size_t)1 << k) != n) throw std::runtime_error("FFT size is not a power of two");
  if (n == 1) return;
  for (size_t i = 1, j = 0; i < n; i++) {
    size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  const auto& tw = inverse ? fft_tables(k).inv : fft_tables(k).fwd;
  auto butterflies = [&](int lm, size_t from, size_t to) {
    size_t m = (size_t)1 << lm, h = m >> 1, step = n >> lm;
    int lh = lm - 1;
    for (size_t t = from; t < to; t++) {
      size_t group = t >> lh, j = t & (h - 1);
      size_t i0 = group * m + j, i1 = i0 + h;
      Fr x = tw[j * step] * a[i1];
      Fr u = a[i0];
      a[i0] = u + x;
      a[i1] = u - x;
    }
  };
  // The first stages work inside blocks of n / blocks elements: one block per thread, no
  // synchronisation; the last log2(blocks) stages split each stage's butterflies over threads.
  size_t blocks = 1;
  while (blocks * 2 <= thread_count() && blocks * 2 <= n / 2048) blocks *= 2;
  int inner = k;
  while (((size_t)1 << (k - inner)) < blocks) inner--;
  size_t half_block = (n / blocks) / 2;
  parallel_tasks(blocks, [&](size_t b) {
    for (int lm = 1; lm <= inner; lm++) butterflies(lm, b * half_block, (b + 1) * half_block);
  });
  for (int lm = inner + 1; lm <= k; lm++) {
    parallel_for(n / 2, [&](size_t from, size_t to) { butterflies(lm, from, to); }, 4096);
  }
}

}  // namespace zkrs
