/** Standard normal CDF (Abramowitz–Stegun 7.1.26 via erf, |error| < 1.5e-7). */
export function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export type OptionKind = "call" | "put";

/**
 * Black–Scholes value of a European option on spot `s` (Black-76 when `s` is a forward and
 * `rate` discounts only). Volatility and time are annualised; at expiry or zero volatility
 * it returns the discounted intrinsic value.
 */
export function blackScholes(kind: OptionKind, s: number, strike: number, years: number, vol: number, rate = 0): number {
  if (!(s > 0) || !(strike > 0) || !Number.isFinite(s) || !Number.isFinite(strike)) {
    throw new RangeError(`spot and strike must be positive finite numbers (spot ${s}, strike ${strike})`);
  }
  if (!(years >= 0) || !Number.isFinite(years)) throw new RangeError(`time to expiry must be a finite number of years >= 0, got ${years}`);
  if (!(vol >= 0) || !Number.isFinite(vol)) throw new RangeError(`volatility must be a finite number >= 0, got ${vol}`);
  if (!Number.isFinite(rate)) throw new RangeError(`rate must be a finite number, got ${rate}`);
  const discount = Math.exp(-rate * years);
  const forward = s * Math.exp(rate * years);
  if (years <= 0 || vol <= 0) {
    const intrinsic = kind === "call" ? forward - strike : strike - forward;
    return Math.max(0, intrinsic) * discount;
  }
  const sd = vol * Math.sqrt(years);
  const d1 = (Math.log(forward / strike) + 0.5 * sd * sd) / sd;
  const d2 = d1 - sd;
  return kind === "call"
    ? discount * (forward * normalCdf(d1) - strike * normalCdf(d2))
    : discount * (strike * normalCdf(-d2) - forward * normalCdf(-d1));
}
