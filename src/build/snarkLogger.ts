import type { Logger } from "snarkjs";

/** A snarkjs logger that forwards info-level lines (with a prefix) and drops debug noise. */
export function snarkLogger(log: (line: string) => void, prefix: string): Logger {
  const forward = (...a: unknown[]): void => log(`${prefix}${a.map(String).join(" ")}`);
  return { debug: () => {}, info: forward, warn: forward, error: forward };
}
