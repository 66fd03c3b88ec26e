// Groth16 proving from a snarkjs .zkey and .wtns, following snarkjs' groth16_prove.js step by
// step: A, B evaluations from the zkey's coefficients, C = A.B, each taken to the odd coset of the
// doubled domain (ifft, multiply by inc^i, fft), H = A.B - C there, then five MSMs and the
// blinding with r, s drawn from the OS.
#pragma once
#include <sys/random.h>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>
#include "binfile.hpp"
#include "bn254.hpp"
#include "curve.hpp"
#include "fft.hpp"
#include "msm.hpp"

namespace zkrs {

struct Coef {
  uint32_t matrix, constraint, signal;
  uint8_t value[32];  // stored by snarkjs as Montgomery(value) * R, so mont_mul with a plain witness gives Montgomery(value * w)
};
static_assert(sizeof(Coef) == 44, "coefficient record layout");
static_assert(sizeof(G1Affine) == 64 && sizeof(G2Affine) == 128, "point layout");

struct ZKey {
  uint32_t nVars = 0, nPublic = 0, domainSize = 0;
  int power = 0;
  G1Affine alpha1, beta1, delta1;
  G2Affine beta2, gamma2, delta2;
  std::vector<Coef> coefs;
  std::vector<G1Affine> A, B1, C, H;
  std::vector<G2Affine> B2;
};

inline void check_prime(const BinFile& f, uint64_t at, const u64* expected, const std::string& what, const char* name) {
  if (f.u32(at) != 32) throw std::runtime_error(what + ": " + name + " is not 32 bytes (not BN254)");
  u64 v[4];
  f.read(at + 4, v, 32);
  if (std::memcmp(v, expected, 32) != 0) throw std::runtime_error(what + ": " + name + " is not BN254's");
}

inline ZKey load_zkey(const std::string& path) {
  bn254_init();
  FileSource src(path);
  BinFile f(src, "zkey", path);
  const Section& h1 = f.section(1);
  if (h1.size < 4 || f.u32(h1.offset) != 1) throw std::runtime_error(path + ": not a Groth16 zkey");
  const Section& h2 = f.section(2);
  ZKey z;
  uint64_t p = h2.offset;
  check_prime(f, p, Fq::P, path, "the base field");
  p += 36;
  check_prime(f, p, Fr::P, path, "the scalar field");
  p += 36;
  z.nVars = f.u32(p);
  z.nPublic = f.u32(p + 4);
  z.domainSize = f.u32(p + 8);
  p += 12;
  if (z.domainSize == 0 || (z.domainSize & (z.domainSize - 1))) throw std::runtime_error(path + ": domain size is not a power of two");
  while ((1u << z.power) < z.domainSize) z.power++;
  if (z.power >= FR_TWO_ADICITY) throw std::runtime_error(path + ": domain too large");
  if (z.nPublic + 1 > z.nVars) throw std::runtime_error(path + ": more public signals than variables");
  if (h2.size != 36 + 36 + 12 + 3 * 64 + 3 * 128) throw std::runtime_error(path + ": unexpected Groth16 header size");
  f.read(p, &z.alpha1, 64);
  f.read(p + 64, &z.beta1, 64);
  f.read(p + 128, &z.beta2, 128);
  f.read(p + 256, &z.gamma2, 128);
  f.read(p + 384, &z.delta1, 64);
  f.read(p + 448, &z.delta2, 128);

  const Section& cs = f.section(4);
  if (cs.size < 4) throw std::runtime_error(path + ": coefficient section too short");
  uint32_t nCoefs = f.u32(cs.offset);
  if (cs.size != 4 + (uint64_t)nCoefs * sizeof(Coef)) throw std::runtime_error(path + ": coefficient section size does not match its count");
  z.coefs.resize(nCoefs);
  if (nCoefs) f.read(cs.offset + 4, z.coefs.data(), (uint64_t)nCoefs * sizeof(Coef));
  for (const Coef& c : z.coefs) {
    if (c.matrix > 1 || c.constraint >= z.domainSize || c.signal >= z.nVars)
      throw std::runtime_error(path + ": coefficient out of range");
  }
  z.A = f.records<G1Affine>(5, z.nVars, "A");
  z.B1 = f.records<G1Affine>(6, z.nVars, "B1");
  z.B2 = f.records<G2Affine>(7, z.nVars, "B2");
  z.C = f.records<G1Affine>(8, z.nVars - z.nPublic - 1, "C");
  z.H = f.records<G1Affine>(9, z.domainSize, "H");
  return z;
}

struct Witness {
  std::vector<U256> values;  // plain integers < r
};

inline Witness parse_wtns(const uint8_t* data, size_t len) {
  bn254_init();
  MemorySource src(data, len);
  BinFile f(src, "wtns", "witness");
  const Section& h = f.section(1);
  if (h.size < 40) throw std::runtime_error("witness: header section too short");
  check_prime(f, h.offset, Fr::P, "witness", "the field");
  uint32_t n = f.u32(h.offset + 36);
  Witness w;
  w.values = f.records<U256>(2, n, "witness values");
  for (uint32_t i = 0; i < n; i++) {
    if (u256_geq(w.values[i].w, Fr::P)) throw std::runtime_error("witness: value " + std::to_string(i) + " is not below the field modulus");
  }
  return w;
}

struct Proof {
  G1Affine a, c;
  G2Affine b;
  std::vector<U256> publicSignals;
};

inline Fr random_fr() {
  for (;;) {
    U256 v;
    size_t got = 0;
    while (got < sizeof v.w) {
      ssize_t r = getrandom(reinterpret_cast<uint8_t*>(v.w) + got, sizeof v.w - got, 0);
      if (r < 0) throw std::runtime_error("cannot read OS randomness");
      got += (size_t)r;
    }
    v.w[3] &= 0x3FFFFFFFFFFFFFFFull;
    if (!u256_geq(v.w, Fr::P) && !u256_is_zero(v.w)) return Fr::from_u256(v.w);
  }
}

// Coefficients of the polynomial with the given evaluations on the domain, then its evaluations
// on the coset inc * domain (inc: a 2^(power+1)-th root of unity), as snarkjs does.
inline void to_odd_coset(std::vector<Fr>& v, const Fr& inc) {
  size_t n = v.size();
  fft_in_place(v, true);
  Fr nInv = Fr::from_u64(n).inv();
  // multiply v[i] by inc^i / n; split in slices with their own starting power
  parallel_for(n, [&](size_t b, size_t e) {
    u64 bb[4] = {b, 0, 0, 0};
    Fr f = nInv * inc.pow(bb);
    for (size_t i = b; i < e; i++) {
      v[i] *= f;
      f *= inc;
    }
  }, 4096);
  fft_in_place(v, false);
}

// Phase timings on stderr when ZKRS_PROVER_PROFILE is set: wall time and the process's CPU time
// (all threads), so a loaded machine still shows where the work goes.
struct PhaseClock {
  bool on = std::getenv("ZKRS_PROVER_PROFILE") != nullptr;
  std::chrono::steady_clock::time_point t = std::chrono::steady_clock::now();
  double cpu = cpu_ms();
  static double cpu_ms() {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
  }
  void lap(const char* what) {
    if (!on) return;
    auto now = std::chrono::steady_clock::now();
    double c = cpu_ms();
    std::fprintf(stderr, "zkrs-prover: %-8s %7.1f ms wall %7.1f ms cpu\n", what, std::chrono::duration<double, std::milli>(now - t).count(), c - cpu);
    t = now;
    cpu = c;
  }
};

inline Proof prove(const ZKey& z, const Witness& wit) {
  PhaseClock clock;
  if (wit.values.size() != z.nVars)
    throw std::runtime_error("witness has " + std::to_string(wit.values.size()) + " values, the circuit " + std::to_string(z.nVars));
  const size_t n = z.domainSize;
  const U256* w = wit.values.data();

  std::vector<Fr> a(n, Fr::zero()), b(n, Fr::zero()), c(n);
  parallel_tasks(2, [&](size_t matrix) {  // A and B on two threads
    std::vector<Fr>& out = matrix == 0 ? a : b;
    for (const Coef& cf : z.coefs) {
      if (cf.matrix != matrix) continue;
      u64 v[4];
      std::memcpy(v, cf.value, 32);
      Fr t;
      Fr::mont_mul(t.v, v, w[cf.signal].w);
      out[cf.constraint] += t;
    }
  });
  parallel_for(n, [&](size_t s, size_t e) {
    for (size_t i = s; i < e; i++) c[i] = a[i] * b[i];
  }, 4096);
  clock.lap("abc");
  Fr inc = root_of_unity(z.power + 1);
  to_odd_coset(a, inc);
  to_odd_coset(b, inc);
  to_odd_coset(c, inc);
  std::vector<U256> h(n);
  parallel_for(n, [&](size_t s, size_t e) {
    for (size_t i = s; i < e; i++) h[i] = (a[i] * b[i] - c[i]).to_u256();
  }, 4096);
  clock.lap("fft");
  { std::vector<Fr>().swap(a); std::vector<Fr>().swap(b); std::vector<Fr>().swap(c); }

  const uint8_t* ws = reinterpret_cast<const uint8_t*>(w);
  G1 piA = msm(z.A.data(), ws, 32, z.nVars);
  clock.lap("msm A");
  G1 piB1 = msm(z.B1.data(), ws, 32, z.nVars);
  clock.lap("msm B1");
  G2 piB = msm(z.B2.data(), ws, 32, z.nVars);
  clock.lap("msm B2");
  G1 piC = msm(z.C.data(), ws + 32 * (z.nPublic + 1), 32, z.nVars - z.nPublic - 1);
  clock.lap("msm C");
  G1 resH = msm(z.H.data(), reinterpret_cast<const uint8_t*>(h.data()), 32, n);
  clock.lap("msm H");

  Fr r = random_fr(), s = random_fr();
  U256 rp = r.to_u256(), sp = s.to_u256(), rsp = (r * s).to_u256();
  G1 delta1 = G1::from_affine(z.delta1);

  piA += G1::from_affine(z.alpha1);
  piA += delta1.mul(rp.w);
  piB += G2::from_affine(z.beta2);
  piB += G2::from_affine(z.delta2).mul(sp.w);
  piB1 += G1::from_affine(z.beta1);
  piB1 += delta1.mul(sp.w);
  piC += resH;
  piC += piA.mul(sp.w);
  piC += piB1.mul(rp.w);
  piC += delta1.mul(rsp.w).neg();

  clock.lap("blind");
  Proof proof;
  proof.a = piA.to_affine();
  proof.b = piB.to_affine();
  proof.c = piC.to_affine();
  for (uint32_t i = 1; i <= z.nPublic; i++) proof.publicSignals.push_back(w[i]);
  return proof;
}

// snarkjs' JSON forms: proof.json and public.json.
inline std::string g1_json(const G1Affine& p) {
  if (p.is_inf()) return "[\"0\",\"1\",\"0\"]";
  return "[\"" + p.x.to_dec() + "\",\"" + p.y.to_dec() + "\",\"1\"]";
}
inline std::string g2_json(const G2Affine& p) {
  if (p.is_inf()) return "[[\"0\",\"0\"],[\"1\",\"0\"],[\"0\",\"0\"]]";
  return "[[\"" + p.x.c0.to_dec() + "\",\"" + p.x.c1.to_dec() + "\"],[\"" + p.y.c0.to_dec() + "\",\"" + p.y.c1.to_dec() +
         "\"],[\"1\",\"0\"]]";
}
inline std::string proof_json(const Proof& p) {
  return "{\"pi_a\":" + g1_json(p.a) + ",\"pi_b\":" + g2_json(p.b) + ",\"pi_c\":" + g1_json(p.c) +
         ",\"protocol\":\"groth16\",\"curve\":\"bn128\"}";
}
inline std::string public_json(const Proof& p) {
  std::string s = "[";
  for (size_t i = 0; i < p.publicSignals.size(); i++) {
    if (i) s += ",";
    s += "\"" + u256_to_dec(p.publicSignals[i].w) + "\"";
  }
  return s + "]";
}

}  // namespace zkrs
