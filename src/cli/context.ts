import type { Context } from "./framework.js";

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Where progress goes: a stream's write, and whether it is a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Progress on stderr. On a terminal a running step shows a ticking timer on its own line;
 * piped (CI, tests) every event is one plain line.
 */
export function makeContext(json: boolean, stream: ProgressStream = process.stderr, ci = Boolean(process.env.CI)): Context {
  const tty = Boolean(stream.isTTY) && !ci;
  let active: { label: string; started: number } | undefined;
  const redraw = (): void => {
    if (active) stream.write(`\r\x1b[K${active.label} ... ${seconds(Date.now() - active.started)}`);
  };
  const log = (line: string): void => {
    if (tty && active) {
      stream.write(`\r\x1b[K${line}\n`);
      redraw();
    } else {
      stream.write(`${line}\n`);
    }
  };
  const step = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
    const outer = active;
    const started = Date.now();
    active = { label, started };
    let timer: NodeJS.Timeout | undefined;
    if (tty) {
      redraw();
      timer = setInterval(redraw, 500);
      timer.unref();
    } else {
      stream.write(`${label} ...\n`);
    }
    try {
      const result = await fn();
      if (tty) stream.write(`\r\x1b[K`);
      active = outer;
      log(`${label}: done in ${seconds(Date.now() - started)}`);
      return result;
    } catch (err) {
      if (tty) stream.write(`\r\x1b[K`);
      active = outer;
      throw err;
    } finally {
      if (timer) clearInterval(timer);
      active = outer;
    }
  };
  return { json, log, step };
}
