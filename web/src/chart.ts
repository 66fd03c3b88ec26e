import type { EpochPoint } from "../../src/auditor/poolAudit.js";
import { el, short } from "./svg.js";

/**
 * A dependency-free SVG chart over epochs: the pool's balance at each opening against the
 * proven stress and mark totals, the insurance fund and the LPs' NAV at the end of each
 * epoch, and the waterfall steps taken (stacked bars), each epoch's status as a coloured dot.
 */
const SERIES = [
  { key: "poolBalance", label: "pool balance", color: "#1f2328", dash: "" },
  { key: "stressTotal", label: "stress total (proven)", color: "#c62828", dash: "6 4" },
  { key: "markTotal", label: "mark total (proven)", color: "#b35900", dash: "2 3" },
  { key: "insuranceFund", label: "insurance fund", color: "#0969da", dash: "" },
  { key: "lpCapital", label: "LP NAV", color: "#8250df", dash: "" },
] as const;
const STEPS = [
  { key: "penalties", label: "penalties in", color: "#54aeff" },
  { key: "fundDrawn", label: "fund drawn", color: "#0969da" },
  { key: "lpWrittenDown", label: "borne by the LPs", color: "#8250df" },
  { key: "leftToHaircut", label: "left to haircut", color: "#c62828" },
] as const;
const STATUS_COLOR: Record<string, string> = { solvent: "#1a7f37", stressed: "#b35900", haircut: "#c62828" };


export function renderChart(points: readonly EpochPoint[]): SVGSVGElement {
  // Two bands, one x axis: balances and bounds on top, the waterfall steps below on their own
  // scale (they are often small against the balance), each with its own labelled axis.
  const W = 900, H = 380, L = 70, R = 170, T = 14, TOP_H = 220, GAP = 34, BAND_H = 70, B = 42;
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img", "aria-label": "pool balance against proven bounds, and waterfall steps, over epochs" }) as SVGSVGElement;
  const max = points.flatMap((p) => SERIES.map((s) => p[s.key])).filter((v): v is bigint => v !== undefined).reduce((m, v) => (v > m ? v : m), 1n);
  const stepMax = points.map((p) => p.penalties + p.fundDrawn + p.lpWrittenDown + p.leftToHaircut).reduce((m, v) => (v > m ? v : m), 1n);
  const x = (i: number): number => L + (points.length === 1 ? (W - L - R) / 2 : (i * (W - L - R)) / (points.length - 1));
  const y = (v: bigint): number => T + TOP_H * (1 - Number((v * 10_000n) / max) / 10_000);
  const bandTop = T + TOP_H + GAP;
  const yb = (v: bigint): number => bandTop + BAND_H * (1 - Number((v * 10_000n) / stepMax) / 10_000);
  // axes and grid
  for (let k = 0; k <= 4; k++) {
    const v = (max * BigInt(k)) / 4n;
    svg.append(el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#eaeef2" }), el("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, short(v)));
  }
  for (const v of [0n, stepMax]) {
    svg.append(el("line", { x1: L, x2: W - R, y1: yb(v), y2: yb(v), stroke: "#eaeef2" }), el("text", { x: L - 6, y: yb(v) + 4, "text-anchor": "end" }, short(v)));
  }
  svg.append(el("text", { x: L, y: bandTop - 8 }, "waterfall steps taken in the epoch (own scale)"));
  points.forEach((p, i) => svg.append(el("text", { x: x(i), y: H - 6, "text-anchor": "middle" }, `epoch ${p.epoch}`)));
  // waterfall steps: stacked bars in the lower band
  const barW = Math.min(26, (W - L - R) / Math.max(points.length, 1) / 3);
  points.forEach((p, i) => {
    let base = 0n;
    for (const s of STEPS) {
      const v = p[s.key];
      if (v === 0n) continue;
      svg.append(el("rect", { x: x(i) - barW / 2, y: yb(base + v), width: barW, height: Math.max(1, yb(base) - yb(base + v)), fill: s.color, opacity: 0.7, "data-step": s.key },
      ));
      base += v;
    }
  });
  // lines
  for (const s of SERIES) {
    const pts = points.map((p, i) => [i, p[s.key]] as const).filter((q): q is readonly [number, bigint] => q[1] !== undefined);
    if (pts.length === 0) continue;
    if (pts.length > 1) {
      svg.append(el("polyline", { points: pts.map(([i, v]) => `${x(i)},${y(v)}`).join(" "), fill: "none", stroke: s.color, "stroke-width": 2, "stroke-dasharray": s.dash, "data-series": s.key }));
    }
    for (const [i, v] of pts) svg.append(el("circle", { cx: x(i), cy: y(v), r: 3, fill: s.color }));
  }
  // status dots under each epoch
  points.forEach((p, i) => svg.append(el("circle", { cx: x(i), cy: H - B + 14, r: 6, fill: STATUS_COLOR[p.status ?? ""] ?? "#8c959f", "data-status": p.status ?? "pending" })));
  // legend
  let ly = T + 4;
  for (const s of SERIES) {
    svg.append(el("line", { x1: W - R + 12, x2: W - R + 36, y1: ly, y2: ly, stroke: s.color, "stroke-width": 2, "stroke-dasharray": s.dash }), el("text", { x: W - R + 42, y: ly + 4 }, s.label));
    ly += 17;
  }
  for (const [status, color] of Object.entries(STATUS_COLOR)) {
    svg.append(el("circle", { cx: W - R + 23, cy: ly, r: 5, fill: color }), el("text", { x: W - R + 42, y: ly + 4 }, status));
    ly += 17;
  }
  ly = bandTop + 4;
  for (const s of STEPS) {
    svg.append(el("rect", { x: W - R + 16, y: ly - 6, width: 14, height: 11, fill: s.color, opacity: 0.7 }), el("text", { x: W - R + 42, y: ly + 4 }, s.label));
    ly += 17;
  }
  return svg;
}
