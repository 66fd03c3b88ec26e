// Short Weierstrass curves y^2 = x^3 + b (a = 0) over F = Fq (G1) or Fq2 (G2), in Jacobian
// coordinates (x = X/Z^2, y = Y/Z^3; Z = 0 is the point at infinity). Affine points use
// snarkjs' convention: (0, 0) is the point at infinity.
#pragma once
#include "field.hpp"

namespace zkrs {

template <class F>
struct Affine {
  F x, y;
  bool is_inf() const { return x.is_zero() && y.is_zero(); }
};

template <class F>
struct Jacobian {
  F X, Y, Z;

  static Jacobian inf() { return {F::one(), F::one(), F::zero()}; }
  static Jacobian from_affine(const Affine<F>& a) {
    if (a.is_inf()) return inf();
    return {a.x, a.y, F::one()};
  }
  bool is_inf() const { return Z.is_zero(); }

  // dbl-2009-l
  Jacobian dbl() const {
    if (is_inf()) return *this;
    F A = X.sq(), B = Y.sq(), C = B.sq();
    F D = ((X + B).sq() - A - C).dbl();
    F E = A.dbl() + A;
    F Fv = E.sq();
    Jacobian r;
    r.X = Fv - D.dbl();
    F C8 = C.dbl().dbl().dbl();
    r.Y = E * (D - r.X) - C8;
    r.Z = (Y * Z).dbl();
    return r;
  }

  // add-2007-bl
  Jacobian operator+(const Jacobian& q) const {
    if (is_inf()) return q;
    if (q.is_inf()) return *this;
    F Z1Z1 = Z.sq(), Z2Z2 = q.Z.sq();
    F U1 = X * Z2Z2, U2 = q.X * Z1Z1;
    F S1 = Y * q.Z * Z2Z2, S2 = q.Y * Z * Z1Z1;
    F H = U2 - U1;
    F rr = (S2 - S1).dbl();
    if (H.is_zero()) {
      if (rr.is_zero()) return dbl();
      return inf();
    }
    F I = H.dbl().sq();
    F J = H * I;
    F V = U1 * I;
    Jacobian r;
    r.X = rr.sq() - J - V.dbl();
    r.Y = rr * (V - r.X) - (S1 * J).dbl();
    r.Z = ((Z + q.Z).sq() - Z1Z1 - Z2Z2) * H;
    return r;
  }
  Jacobian& operator+=(const Jacobian& q) { return *this = *this + q; }

  // Mixed addition with an affine point (madd-2007-bl).
  void add_affine(const Affine<F>& q) {
    if (q.is_inf()) return;
    if (is_inf()) {
      X = q.x;
      Y = q.y;
      Z = F::one();
      return;
    }
    F Z1Z1 = Z.sq();
    F U2 = q.x * Z1Z1;
    F S2 = q.y * Z * Z1Z1;
    F H = U2 - X;
    F rr = (S2 - Y).dbl();
    if (H.is_zero()) {
      if (rr.is_zero()) {
        *this = dbl();
      } else {
        *this = inf();
      }
      return;
    }
    F HH = H.sq();
    F I = HH.dbl().dbl();
    F J = H * I;
    F V = X * I;
    F X3 = rr.sq() - J - V.dbl();
    F Y3 = rr * (V - X3) - (Y * J).dbl();
    F Z3 = (Z + H).sq() - Z1Z1 - HH;
    X = X3;
    Y = Y3;
    Z = Z3;
  }

  Jacobian neg() const { return {X, -Y, Z}; }

  Affine<F> to_affine() const {
    if (is_inf()) return {F::zero(), F::zero()};
    F zi = Z.inv();
    F zi2 = zi.sq();
    return {X * zi2, Y * zi2 * zi};
  }

  // Double-and-add by a plain 256-bit scalar.
  Jacobian mul(const u64* k) const {
    Jacobian r = inf();
    for (int i = u256_bits(k) - 1; i >= 0; i--) {
      r = r.dbl();
      if (u256_bit(k, i)) r += *this;
    }
    return r;
  }
};

using G1Affine = Affine<Fq>;
using G2Affine = Affine<Fq2>;
using G1 = Jacobian<Fq>;
using G2 = Jacobian<Fq2>;

}  // namespace zkrs
