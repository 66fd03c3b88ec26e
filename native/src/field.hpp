// Prime fields in Montgomery form (R = 2^256), four 64-bit limbs, little-endian.
// Inputs: values < p in Montgomery form (unless a function says otherwise).
// Used for BN254's base field Fq and scalar field Fr; both primes are < 2^254, so a sum of two
// reduced values never overflows 256 bits.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <stdexcept>
#include <x86intrin.h>

#define ZKRS_INLINE inline __attribute__((always_inline))

namespace zkrs {

using u64 = uint64_t;
using u128 = unsigned __int128;

// ---- 256-bit integers (plain, not Montgomery) ----
struct U256 {
  u64 w[4];
};

inline bool u256_geq(const u64* a, const u64* b) {
  for (int i = 3; i >= 0; i--) {
    if (a[i] != b[i]) return a[i] > b[i];
  }
  return true;
}
inline bool u256_is_zero(const u64* a) { return (a[0] | a[1] | a[2] | a[3]) == 0; }
// r = a - b, returns borrow
inline u64 u256_sub(u64* r, const u64* a, const u64* b) {
  u64 borrow = 0;
  for (int i = 0; i < 4; i++) {
    u128 d = (u128)a[i] - b[i] - borrow;
    r[i] = (u64)d;
    borrow = (u64)(d >> 64) ? 1 : 0;
  }
  return borrow;
}
// r = a + b, returns carry
inline u64 u256_add(u64* r, const u64* a, const u64* b) {
  u64 carry = 0;
  for (int i = 0; i < 4; i++) {
    u128 s = (u128)a[i] + b[i] + carry;
    r[i] = (u64)s;
    carry = (u64)(s >> 64);
  }
  return carry;
}
inline int u256_bits(const u64* a) {
  for (int i = 3; i >= 0; i--)
    if (a[i]) return i * 64 + 64 - __builtin_clzll(a[i]);
  return 0;
}
inline bool u256_bit(const u64* a, int i) { return (a[i >> 6] >> (i & 63)) & 1; }

// Parses a decimal string; throws on anything else or on a value >= 2^256.
inline U256 u256_from_dec(const std::string& s) {
  if (s.empty()) throw std::runtime_error("empty number");
  U256 r{{0, 0, 0, 0}};
  for (char ch : s) {
    if (ch < '0' || ch > '9') throw std::runtime_error("not a decimal number: " + s);
    u64 carry = (u64)(ch - '0');
    for (int i = 0; i < 4; i++) {
      u128 t = (u128)r.w[i] * 10 + carry;
      r.w[i] = (u64)t;
      carry = (u64)(t >> 64);
    }
    if (carry) throw std::runtime_error("number too large: " + s);
  }
  return r;
}

inline std::string u256_to_dec(const u64* a) {
  u64 t[4] = {a[0], a[1], a[2], a[3]};
  if (u256_is_zero(t)) return "0";
  std::string out;
  while (!u256_is_zero(t)) {
    u64 rem = 0;
    for (int i = 3; i >= 0; i--) {
      u128 cur = ((u128)rem << 64) | t[i];
      t[i] = (u64)(cur / 10);
      rem = (u64)(cur % 10);
    }
    out.push_back((char)('0' + rem));
  }
  return std::string(out.rbegin(), out.rend());
}

// ---- Montgomery field ----
// Tag distinguishes Fq from Fr; the modulus is set once by Fp<Tag>::init.
template <class Tag>
struct Fp {
  u64 v[4];

  static inline u64 P[4];
  static inline u64 INV;     // -p^-1 mod 2^64
  static inline u64 R1[4];   // R mod p (Montgomery one)
  static inline u64 R2[4];   // R^2 mod p
  static inline u64 R3[4];   // R^3 mod p

  static void init(const U256& p) {
    std::memcpy(P, p.w, sizeof P);
    if (P[3] >= 0x7FFFFFFFFFFFFFFFull) throw std::runtime_error("modulus too large for this field code");
    u64 inv = 1;  // Newton iteration for p^-1 mod 2^64
    for (int i = 0; i < 7; i++) inv *= 2 - P[0] * inv;
    INV = (u64)0 - inv;
    // R mod p: 2^256 - k p for the smallest k that lands below p.
    u64 zero[4] = {0, 0, 0, 0};
    u256_sub(R1, zero, P);  // 2^256 - p (mod 2^256)
    while (u256_geq(R1, P)) u256_sub(R1, R1, P);
    // R^2 mod p by 256 modular doublings of R.
    u64 t[4];
    std::memcpy(t, R1, sizeof t);
    for (int i = 0; i < 256; i++) {
      u64 c = u256_add(t, t, t);
      if (c || u256_geq(t, P)) u256_sub(t, t, P);
    }
    std::memcpy(R2, t, sizeof t);
    mont_mul(R3, R2, R2);
  }

  static Fp zero() { return Fp{{0, 0, 0, 0}}; }
  static Fp one() {
    Fp r;
    std::memcpy(r.v, R1, sizeof r.v);
    return r;
  }
  ZKRS_INLINE bool is_zero() const { return u256_is_zero(v); }
  ZKRS_INLINE bool operator==(const Fp& o) const { return std::memcmp(v, o.v, sizeof v) == 0; }
  bool operator!=(const Fp& o) const { return !(*this == o); }

  // Montgomery product a*b*R^-1 mod p: CIOS without the extra carry words, valid because
  // p's top limb is below 2^63 - 1 (true for both BN254 primes; init checks it). With BMI2 and
  // ADX (mulx, and two carry chains with adcx/adox) in x86-64 assembly, else portable C.
  static ZKRS_INLINE void mont_mul(u64* r, const u64* a, const u64* b) {
#if defined(__x86_64__) && defined(__BMI2__) && defined(__ADX__)
    u64 t0 = 0, t1 = 0, t2 = 0, t3 = 0, A, C, x;
#define ZKRS_ROW(I)                                                                          \
  "xorl %k[x], %k[x]\n\t"                                                                   \
  "movq " I ", %%rdx\n\t"                                                                   \
  "mulxq %[a0], %[x], %[C]\n\t"                                                             \
  "adoxq %[x], %[t0]\n\t"                                                                   \
  "adcxq %[C], %[t1]\n\t"                                                                   \
  "mulxq %[a1], %[x], %[C]\n\t"                                                             \
  "adoxq %[x], %[t1]\n\t"                                                                   \
  "adcxq %[C], %[t2]\n\t"                                                                   \
  "mulxq %[a2], %[x], %[C]\n\t"                                                             \
  "adoxq %[x], %[t2]\n\t"                                                                   \
  "adcxq %[C], %[t3]\n\t"                                                                   \
  "mulxq %[a3], %[x], %[A]\n\t"                                                             \
  "adoxq %[x], %[t3]\n\t"                                                                   \
  "movl $0, %k[x]\n\t"                                                                      \
  "adcxq %[x], %[A]\n\t"                                                                    \
  "adoxq %[x], %[A]\n\t"                                                                    \
  "movq %[t0], %%rdx\n\t"                                                                   \
  "imulq %[inv], %%rdx\n\t"                                                                 \
  "xorl %k[x], %k[x]\n\t"                                                                   \
  "mulxq %[p0], %[x], %[C]\n\t"                                                             \
  "adcxq %[t0], %[x]\n\t"                                                                   \
  "movq %[C], %[t0]\n\t"                                                                    \
  "adcxq %[t1], %[t0]\n\t"                                                                  \
  "mulxq %[p1], %[x], %[t1]\n\t"                                                            \
  "adoxq %[x], %[t0]\n\t"                                                                   \
  "adcxq %[t2], %[t1]\n\t"                                                                  \
  "mulxq %[p2], %[x], %[t2]\n\t"                                                            \
  "adoxq %[x], %[t1]\n\t"                                                                   \
  "adcxq %[t3], %[t2]\n\t"                                                                  \
  "mulxq %[p3], %[x], %[t3]\n\t"                                                            \
  "adoxq %[x], %[t2]\n\t"                                                                   \
  "movl $0, %k[x]\n\t"                                                                      \
  "adcxq %[x], %[t3]\n\t"                                                                   \
  "adoxq %[A], %[t3]\n\t"
    asm(ZKRS_ROW("%[b0]") ZKRS_ROW("%[b1]") ZKRS_ROW("%[b2]") ZKRS_ROW("%[b3]")
        : [t0] "+&r"(t0), [t1] "+&r"(t1), [t2] "+&r"(t2), [t3] "+&r"(t3), [A] "=&r"(A), [C] "=&r"(C), [x] "=&r"(x)
        : [a0] "m"(a[0]), [a1] "m"(a[1]), [a2] "m"(a[2]), [a3] "m"(a[3]), [b0] "m"(b[0]), [b1] "m"(b[1]), [b2] "m"(b[2]),
          [b3] "m"(b[3]), [p0] "m"(P[0]), [p1] "m"(P[1]), [p2] "m"(P[2]), [p3] "m"(P[3]), [inv] "m"(INV)
        : "rdx", "cc");
#undef ZKRS_ROW
#else
    u64 t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    const u64 p0 = P[0], p1 = P[1], p2 = P[2], p3 = P[3];
    for (int i = 0; i < 4; i++) {
      const u64 bi = b[i];
      u128 s = (u128)a[0] * bi + t0;
      u64 A = (u64)(s >> 64);
      t0 = (u64)s;
      const u64 m = t0 * INV;
      s = (u128)m * p0 + t0;
      u64 C = (u64)(s >> 64);
      s = (u128)a[1] * bi + t1 + A;
      A = (u64)(s >> 64);
      s = (u128)m * p1 + (u64)s + C;
      C = (u64)(s >> 64);
      t0 = (u64)s;
      s = (u128)a[2] * bi + t2 + A;
      A = (u64)(s >> 64);
      s = (u128)m * p2 + (u64)s + C;
      C = (u64)(s >> 64);
      t1 = (u64)s;
      s = (u128)a[3] * bi + t3 + A;
      A = (u64)(s >> 64);
      s = (u128)m * p3 + (u64)s + C;
      C = (u64)(s >> 64);
      t2 = (u64)s;
      t3 = C + A;
    }
#endif
    u64 t[4] = {t0, t1, t2, t3};
    reduce_once(r, t);
  }

  // r = t - p if t >= p else t (t < 2p), branch-free.
  static ZKRS_INLINE void reduce_once(u64* r, const u64* t) {
    u64 d[4];
    unsigned char bw = 0;
    bw = _subborrow_u64(bw, t[0], P[0], (unsigned long long*)&d[0]);
    bw = _subborrow_u64(bw, t[1], P[1], (unsigned long long*)&d[1]);
    bw = _subborrow_u64(bw, t[2], P[2], (unsigned long long*)&d[2]);
    bw = _subborrow_u64(bw, t[3], P[3], (unsigned long long*)&d[3]);
    const u64 keep = (u64)0 - (u64)bw;  // all ones when t < p
    for (int i = 0; i < 4; i++) r[i] = (t[i] & keep) | (d[i] & ~keep);
  }

  ZKRS_INLINE Fp operator*(const Fp& o) const {
    Fp r;
    mont_mul(r.v, v, o.v);
    return r;
  }
  ZKRS_INLINE Fp& operator*=(const Fp& o) {
    mont_mul(v, v, o.v);
    return *this;
  }
  ZKRS_INLINE Fp sq() const { return *this * *this; }
  ZKRS_INLINE Fp operator+(const Fp& o) const {
    u64 t[4];
    unsigned char c = 0;
    c = _addcarry_u64(c, v[0], o.v[0], (unsigned long long*)&t[0]);
    c = _addcarry_u64(c, v[1], o.v[1], (unsigned long long*)&t[1]);
    c = _addcarry_u64(c, v[2], o.v[2], (unsigned long long*)&t[2]);
    c = _addcarry_u64(c, v[3], o.v[3], (unsigned long long*)&t[3]);
    Fp r;
    reduce_once(r.v, t);  // no carry out: both operands < p < 2^254
    return r;
  }
  ZKRS_INLINE Fp& operator+=(const Fp& o) { return *this = *this + o; }
  ZKRS_INLINE Fp operator-(const Fp& o) const {
    u64 t[4];
    unsigned char bw = 0;
    bw = _subborrow_u64(bw, v[0], o.v[0], (unsigned long long*)&t[0]);
    bw = _subborrow_u64(bw, v[1], o.v[1], (unsigned long long*)&t[1]);
    bw = _subborrow_u64(bw, v[2], o.v[2], (unsigned long long*)&t[2]);
    bw = _subborrow_u64(bw, v[3], o.v[3], (unsigned long long*)&t[3]);
    const u64 mask = (u64)0 - (u64)bw;  // add p back when it borrowed
    unsigned char c = 0;
    Fp r;
    c = _addcarry_u64(c, t[0], P[0] & mask, (unsigned long long*)&r.v[0]);
    c = _addcarry_u64(c, t[1], P[1] & mask, (unsigned long long*)&r.v[1]);
    c = _addcarry_u64(c, t[2], P[2] & mask, (unsigned long long*)&r.v[2]);
    c = _addcarry_u64(c, t[3], P[3] & mask, (unsigned long long*)&r.v[3]);
    return r;
  }
  ZKRS_INLINE Fp& operator-=(const Fp& o) { return *this = *this - o; }
  ZKRS_INLINE Fp operator-() const { return is_zero() ? *this : zero() - *this; }
  ZKRS_INLINE Fp dbl() const { return *this + *this; }

  // From a plain integer (< p) to Montgomery form.
  static Fp from_u256(const u64* a) {
    Fp r;
    mont_mul(r.v, a, R2);
    return r;
  }
  static Fp from_u64(u64 x) {
    u64 a[4] = {x, 0, 0, 0};
    return from_u256(a);
  }
  // From Montgomery form to the plain integer.
  U256 to_u256() const {
    U256 r;
    u64 one[4] = {1, 0, 0, 0};
    mont_mul(r.w, v, one);
    return r;
  }
  static Fp from_dec(const std::string& s) {
    U256 a = u256_from_dec(s);
    if (u256_geq(a.w, P)) throw std::runtime_error("value not below the field modulus: " + s);
    return from_u256(a.w);
  }
  std::string to_dec() const {
    U256 a = to_u256();
    return u256_to_dec(a.w);
  }

  // this^e for a plain exponent e.
  Fp pow(const u64* e) const {
    Fp r = one();
    for (int i = u256_bits(e) - 1; i >= 0; i--) {
      r = r.sq();
      if (u256_bit(e, i)) r *= *this;
    }
    return r;
  }
  // Inverse by the binary extended Euclidean algorithm (variable time: the prover's secrets are
  // not at stake in a field inversion's timing here, only speed); the inverse of 0 is 0.
  // For x = aR it finds x^-1 = a^-1 R^-1, then R^3 brings it to a^-1 R.
  Fp inv() const {
    if (is_zero()) return *this;
    u64 u[4], w[4], x1[4] = {1, 0, 0, 0}, x2[4] = {0, 0, 0, 0};
    std::memcpy(u, v, sizeof u);
    std::memcpy(w, P, sizeof w);
    auto is_one = [](const u64* a) { return a[0] == 1 && (a[1] | a[2] | a[3]) == 0; };
    auto half = [](u64* a) {  // a >>= 1
      a[0] = (a[0] >> 1) | (a[1] << 63);
      a[1] = (a[1] >> 1) | (a[2] << 63);
      a[2] = (a[2] >> 1) | (a[3] << 63);
      a[3] >>= 1;
    };
    auto half_mod = [&](u64* a) {  // a / 2 mod p (a + p < 2^255: no overflow)
      if (a[0] & 1) u256_add(a, a, P);
      half(a);
    };
    auto sub_mod = [](u64* a, const u64* b) {
      if (u256_sub(a, a, b)) u256_add(a, a, P);
    };
    while (!is_one(u) && !is_one(w)) {
      while (!(u[0] & 1)) {
        half(u);
        half_mod(x1);
      }
      while (!(w[0] & 1)) {
        half(w);
        half_mod(x2);
      }
      if (u256_geq(u, w)) {
        u256_sub(u, u, w);
        sub_mod(x1, x2);
      } else {
        u256_sub(w, w, u);
        sub_mod(x2, x1);
      }
    }
    Fp r;
    mont_mul(r.v, is_one(u) ? x1 : x2, R3);
    return r;
  }
};

struct FqTag {};
struct FrTag {};
using Fq = Fp<FqTag>;
using Fr = Fp<FrTag>;

// Fq2 = Fq[u] / (u^2 + 1).
struct Fq2 {
  Fq c0, c1;
  static Fq2 zero() { return {Fq::zero(), Fq::zero()}; }
  static Fq2 one() { return {Fq::one(), Fq::zero()}; }
  ZKRS_INLINE bool is_zero() const { return c0.is_zero() && c1.is_zero(); }
  bool operator==(const Fq2& o) const { return c0 == o.c0 && c1 == o.c1; }
  bool operator!=(const Fq2& o) const { return !(*this == o); }
  ZKRS_INLINE Fq2 operator+(const Fq2& o) const { return {c0 + o.c0, c1 + o.c1}; }
  ZKRS_INLINE Fq2 operator-(const Fq2& o) const { return {c0 - o.c0, c1 - o.c1}; }
  ZKRS_INLINE Fq2 operator-() const { return {-c0, -c1}; }
  Fq2& operator+=(const Fq2& o) { return *this = *this + o; }
  Fq2& operator-=(const Fq2& o) { return *this = *this - o; }
  ZKRS_INLINE Fq2 dbl() const { return {c0.dbl(), c1.dbl()}; }
  ZKRS_INLINE Fq2 operator*(const Fq2& o) const {
    Fq a = c0 * o.c0, b = c1 * o.c1;
    Fq m = (c0 + c1) * (o.c0 + o.c1);
    return {a - b, m - a - b};
  }
  Fq2& operator*=(const Fq2& o) { return *this = *this * o; }
  ZKRS_INLINE Fq2 sq() const {
    // (c0 + c1 u)^2 = (c0 + c1)(c0 - c1) + 2 c0 c1 u
    Fq m = c0 * c1;
    return {(c0 + c1) * (c0 - c1), m.dbl()};
  }
  Fq2 inv() const {
    Fq t = (c0.sq() + c1.sq()).inv();
    return {c0 * t, -(c1 * t)};
  }
};

}  // namespace zkrs
