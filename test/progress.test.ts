import assert from "node:assert/strict";
import { formatDuration, progressBoard, progressText } from "../src/io/progress.js";

/** A stand-in terminal that records what is written. */
function fakeStream(): NodeJS.WriteStream & { out: string } {
  const s = { out: "", columns: 120, write(chunk: string) { s.out += chunk; return true; } };
  return s as unknown as NodeJS.WriteStream & { out: string };
}

describe("progress line", function () {
  it("shows stage, percent, elapsed and ETA; only the elapsed time when the total is unknown", function () {
    assert.equal(progressText("solvency keys", 25, 100, 10_000), "solvency keys  25%  10 s ETA 30 s");
    assert.equal(progressText("compiling solvency", 0, 0, 125_000), "compiling solvency  2:05");
    assert.equal(progressText("x", 100, 100, 5_000), "x 100%  5 s");
    assert.equal(formatDuration(99_400), "99 s");
  });

  it("off a terminal logs at most one plain line per interval per step, however many updates", function () {
    let t = 0;
    const lines: string[] = [];
    const board = progressBoard({ log: (l) => lines.push(l), stream: fakeStream(), live: false, plainEveryMs: 15_000, now: () => t });
    const p = board.start("margin keys");
    for (let i = 0; i <= 1000; i++) {
      t = i * 60; // 60 s in all
      p.update(i, 1000);
    }
    p.end();
    assert.ok(lines.length >= 1 && lines.length <= 4, `expected a few plain lines, got ${lines.length}: ${lines.join(" | ")}`);
    assert.match(lines[0]!, /^ {2}… margin keys +\d+%  \d+ s ETA \d+ s$/);
  });

  it("on a terminal redraws one line in place, keeps log lines above it and clears it at the end", function () {
    let t = 0;
    const stream = fakeStream();
    const lines: string[] = [];
    const board = progressBoard({ log: (l) => { stream.write(`${l}\n`); lines.push(l); }, stream, live: true, now: () => t });
    const a = board.start("compiling solvency");
    const b = board.start("margin keys");
    t = 1000;
    b.update(50, 100);
    assert.match(stream.out, /\r\x1b\[Kcompiling solvency  1 s · margin keys  50%  1 s ETA 1 s$/);
    board.log("  margin: keys ready");
    assert.ok(stream.out.endsWith("\r\x1b[K  margin: keys ready\n\r\x1b[Kcompiling solvency  1 s · margin keys  50%  1 s ETA 1 s"));
    b.end();
    a.end();
    assert.ok(stream.out.endsWith("\r\x1b[K"), "the live line is cleared when the last step ends");
    assert.equal(stream.out.includes("\n\n"), false);
    assert.deepEqual(lines, ["  margin: keys ready"]);
  });
});
