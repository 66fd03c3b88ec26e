/**
 * Progress of long steps as one line: each running step's stage, percent, elapsed time and ETA
 * ("solvency keys  42%  12 s ETA 17 s · compiling liquidation  35 s"). On a terminal the line is
 * redrawn in place and log lines are printed above it; otherwise (CI, pipes, tests) each step
 * logs a plain line at most every `plainEveryMs`, never one line per unit of work.
 */

export interface Progress {
  /** Work done out of total; total 0 when unknown (only the elapsed time is shown). */
  update(done: number, total: number): void;
  /** The step is over: it leaves the line (the caller logs its own summary). */
  end(): void;
}

export interface ProgressBoard {
  start(stage: string): Progress;
  /** Prints a line without disturbing the live line. */
  log(line: string): void;
}

export interface ProgressOptions {
  /** Where lines go (plain progress lines too, when not on a terminal). */
  log: (line: string) => void;
  /** The terminal (default process.stderr): a live line only when it is a TTY and CI is unset. */
  stream?: NodeJS.WriteStream;
  /** Force the live line on or off (default: on when `stream` is a TTY and CI is unset). */
  live?: boolean;
  /** Minimum gap between a step's plain lines (default 15 s). */
  plainEveryMs?: number;
  now?: () => number;
}

/** "42 s" / "3:05" */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 100 ? `${s} s` : `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** "solvency keys  42%  12 s ETA 17 s", or "compiling solvency  35 s" when the total is unknown. */
export function progressText(stage: string, done: number, total: number, elapsedMs: number): string {
  if (total <= 0) return `${stage}  ${formatDuration(elapsedMs)}`;
  const frac = Math.min(1, Math.max(0, done / total));
  const eta = frac > 0.02 && frac < 1 ? ` ETA ${formatDuration((elapsedMs / frac) * (1 - frac))}` : "";
  return `${stage} ${String(Math.floor(frac * 100)).padStart(3)}%  ${formatDuration(elapsedMs)}${eta}`;
}

interface Task {
  stage: string;
  started: number;
  done: number;
  total: number;
  lastPlain: number;
}

export function progressBoard(options: ProgressOptions): ProgressBoard {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const live = options.live ?? (Boolean(stream.isTTY) && !process.env.CI);
  const every = options.plainEveryMs ?? 15_000;
  const tasks = new Set<Task>();
  let drawn = false;
  let lastDraw = 0;
  let timer: NodeJS.Timeout | undefined;

  const text = (t: Task, at: number): string => progressText(t.stage, t.done, t.total, at - t.started);
  const plain = (t: Task, at: number): void => {
    if (at - t.lastPlain < every) return;
    t.lastPlain = at;
    options.log(`  … ${text(t, at)}`);
  };
  const clear = (): void => {
    if (drawn) stream.write("\r\x1b[K");
    drawn = false;
  };
  const draw = (): void => {
    const at = now();
    lastDraw = at;
    if (live) {
      if (tasks.size === 0) return clear();
      const line = [...tasks].map((t) => text(t, at)).join(" · ");
      const width = stream.columns && stream.columns > 20 ? stream.columns - 1 : 200;
      stream.write(`\r\x1b[K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
      drawn = true;
    } else {
      for (const t of tasks) plain(t, at);
    }
  };
  const ensureTimer = (): void => {
    if (!timer && tasks.size > 0) {
      timer = setInterval(draw, live ? 1000 : Math.min(every, 5000));
      timer.unref();
    } else if (timer && tasks.size === 0) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  return {
    start(stage) {
      const at = now();
      const task: Task = { stage, started: at, done: 0, total: 0, lastPlain: at };
      tasks.add(task);
      ensureTimer();
      if (live) draw();
      return {
        update(done, total) {
          task.done = done;
          task.total = total;
          if (live && now() - lastDraw >= 200) draw();
          else if (!live && done < total) plain(task, now());
        },
        end() {
          if (!tasks.delete(task)) return;
          ensureTimer();
          if (live) draw();
        },
      };
    },
    log(line) {
      if (live && drawn) {
        clear();
        options.log(line);
        draw();
      } else {
        options.log(line);
      }
    },
  };
}
