import type { WithdrawalHeadroom } from "../../../src/trader/withdrawalHeadroom.js";
import { el, short } from "../svg.js";

/**
 * The headroom E_s − R − amount in every column (mark and each stress scenario) as SVG bars
 * around a zero line: green above, red below (not compliant), the binding column outlined.
 * Redrawn on every keystroke of the amount; a dashed outline shows each column's headroom with
 * nothing withdrawn, so the bars visibly fall inside it as the amount grows.
 */

const abs = (x: bigint): bigint => (x < 0n ? -x : x);

export function renderHeadroomChart(h: WithdrawalHeadroom): SVGSVGElement {
  const W = 900, H = 300, L = 64, R = 16, T = 16, B = 58;
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, width: "100%", role: "img", "aria-label": "margin headroom after the withdrawal, per scenario" }) as SVGSVGElement;
  // Scale: the headroom with nothing withdrawn and with this amount, whichever reaches further from 0.
  const free = h.headroom.map((v) => v + h.amount);
  const span = [...free, ...h.headroom].reduce((m, v) => (abs(v) > m ? abs(v) : m), 1n);
  const up = free.some((v) => v > 0n) || h.headroom.some((v) => v > 0n);
  const down = h.headroom.some((v) => v < 0n) || free.some((v) => v < 0n);
  const top = up ? span : 0n, bottom = down ? -span : 0n;
  const range = top - bottom || 1n;
  const plotH = H - T - B;
  const y = (v: bigint): number => T + plotH * (Number(((top - v) * 10_000n) / range) / 10_000);
  const n = h.headroom.length;
  const slot = (W - L - R) / n;
  for (const v of [top, (top + bottom) / 2n, bottom]) {
    svg.append(el("line", { x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#eaeef2" }), el("text", { x: L - 6, y: y(v) + 4, "text-anchor": "end" }, short(v)));
  }
  svg.append(el("line", { x1: L, x2: W - R, y1: y(0n), y2: y(0n), stroke: "#1f2328", "stroke-width": 1.5, "data-zero": "true" }));
  const binding = h.binding.kind === "scenario" ? h.binding.column : -1;
  h.headroom.forEach((v, s) => {
    const x = L + s * slot + slot * 0.15;
    const y0 = y(0n), y1 = y(v), yFree = y(free[s]);
    // what the account had before this withdrawal: a dashed outline the bar falls inside as the amount grows
    svg.append(el("rect", { x, width: slot * 0.7, y: Math.min(y0, yFree), height: Math.max(1, Math.abs(yFree - y0)), fill: "none", stroke: "#8c959f", "stroke-dasharray": "3 3" }));
    const bar = el("rect", {
      x, width: slot * 0.7, y: Math.min(y0, y1), height: Math.max(1, Math.abs(y1 - y0)),
      fill: v < 0n ? "#c62828" : "#1a7f37", opacity: s === h.worstColumn ? 0.95 : 0.65,
      stroke: s === binding ? "#1f2328" : "none", "stroke-width": 2,
      "data-column": s, "data-headroom": v.toString(), "data-binding": String(s === binding),
    });
    bar.append(el("title", {}, `${h.labels[s]}: E − R − amount = ${v.toLocaleString("en-US")}`));
    svg.append(bar, el("text", { x: x + slot * 0.35, y: H - B + 16, "text-anchor": "middle" }, s === 0 ? "mark" : String(s)));
  });
  svg.append(el("text", { x: L, y: H - 22 }, "column: mark, then the 16 stress scenarios of the epoch's risk table (outlined: the one that binds; dashed: before the withdrawal)"));
  svg.append(el("text", { x: L, y: H - 6 }, `headroom E_s − R − amount, R = ${h.requirement.toLocaleString("en-US")}, amount = ${h.amount.toLocaleString("en-US")} (token base units)`));
  return svg;
}
