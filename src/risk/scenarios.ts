/** One stress scenario of the SPAN grid, in units of the price-scan and volatility-scan ranges. */
export interface Scenario {
  /** Underlying move as a multiple of the price-scan range (-2..2). */
  priceMove: number;
  /** Volatility move as a multiple of the vol-scan range (+1 up, -1 down, 0 unchanged). */
  volMove: number;
  /** Share of the scenario's gain or loss that counts (0.35 for the two extreme moves). */
  weight: number;
  label: string;
}

/**
 * CME SPAN's 16 risk scenarios, in SPAN's order: moves of 0, ±1/3, ±2/3 and ±1 price-scan
 * range, each with volatility up and down (14); then ±2 ranges with volatility unchanged,
 * whose gain or loss counts at 35%.
 */
export const SPAN_SCENARIOS: readonly Scenario[] = (() => {
  const out: Scenario[] = [];
  const moves: [number, string][] = [[0, "0"], [1 / 3, "+1/3"], [-1 / 3, "-1/3"], [2 / 3, "+2/3"], [-2 / 3, "-2/3"], [1, "+1"], [-1, "-1"]];
  for (const [priceMove, name] of moves) {
    for (const volMove of [1, -1]) out.push({ priceMove, volMove, weight: 1, label: `price ${name}, vol ${volMove > 0 ? "up" : "down"}` });
  }
  out.push({ priceMove: 2, volMove: 0, weight: 0.35, label: "price +2 (extreme, 35%)" });
  out.push({ priceMove: -2, volMove: 0, weight: 0.35, label: "price -2 (extreme, 35%)" });
  return out;
})();

/** Column labels of a risk table: column 0 is mark, column s is scenario s. */
export function columnLabel(column: number): string {
  return column === 0 ? "mark" : `scenario ${column} (${SPAN_SCENARIOS[column - 1]?.label ?? "?"})`;
}
