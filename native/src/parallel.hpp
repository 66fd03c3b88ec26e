// A minimal parallel-for over [0, n) on the prover's thread count (all cores by default,
// ZKRS_PROVER_THREADS to override).
#pragma once
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <functional>
#include <thread>
#include <vector>

namespace zkrs {

inline unsigned thread_count() {
  static unsigned n = [] {
    const char* env = std::getenv("ZKRS_PROVER_THREADS");
    if (env) {
      long v = std::strtol(env, nullptr, 10);
      if (v > 0 && v <= 1024) return (unsigned)v;
    }
    unsigned hw = std::thread::hardware_concurrency();
    return hw ? hw : 1u;
  }();
  return n;
}

// Calls body(begin, end) on contiguous slices of [0, n), one per thread.
inline void parallel_for(size_t n, const std::function<void(size_t, size_t)>& body, size_t min_per_thread = 1024) {
  unsigned t = thread_count();
  size_t slices = std::min<size_t>(t, std::max<size_t>(1, n / std::max<size_t>(1, min_per_thread)));
  if (slices <= 1) {
    body(0, n);
    return;
  }
  std::vector<std::thread> threads;
  size_t per = (n + slices - 1) / slices;
  for (size_t s = 1; s < slices; s++) {
    size_t b = s * per, e = std::min(n, b + per);
    if (b < e) threads.emplace_back(body, b, e);
  }
  body(0, std::min(n, per));
  for (auto& th : threads) th.join();
}

// Runs task(i) for i in [0, n) on the thread count, tasks handed out dynamically.
inline void parallel_tasks(size_t n, const std::function<void(size_t)>& task) {
  unsigned t = std::min<size_t>(thread_count(), n);
  if (t <= 1) {
    for (size_t i = 0; i < n; i++) task(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next.fetch_add(1)) < n;) task(i);
  };
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < t; i++) threads.emplace_back(worker);
  worker();
  for (auto& th : threads) th.join();
}

}  // namespace zkrs
