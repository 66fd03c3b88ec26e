/** Progress of a distributed proof: batches done out of total, the rate so far and the time left at that rate. */
export interface QueueProgress {
  done: number;
  total: number;
  elapsedMs: number;
  /** Batches per second since collecting started (0 before the first result). */
  batchesPerSecond: number;
  /** Estimated time to the last batch at the current rate (undefined before the first result). */
  etaMs?: number;
}

export function measureProgress(done: number, total: number, startedAt: number, now = Date.now()): QueueProgress {
  const elapsedMs = Math.max(0, now - startedAt);
  const batchesPerSecond = done > 0 && elapsedMs > 0 ? done / (elapsedMs / 1000) : 0;
  const etaMs = batchesPerSecond > 0 ? ((total - done) / batchesPerSecond) * 1000 : undefined;
  return { done, total, elapsedMs, batchesPerSecond, etaMs };
}

function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** One line for a person: "batch 3/8 proven (38%), 0.42 batches/s (6.7 accounts/s), ETA 12 s". */
export function formatProgress(p: QueueProgress, batchSize: number): string {
  const pct = p.total > 0 ? Math.floor((100 * p.done) / p.total) : 100;
  const rate = p.batchesPerSecond > 0
    ? `${p.batchesPerSecond.toFixed(2)} batches/s (${(p.batchesPerSecond * batchSize).toFixed(1)} accounts/s)`
    : "rate not known yet";
  const eta = p.done >= p.total ? `done in ${duration(p.elapsedMs)}` : p.etaMs === undefined ? "ETA unknown" : `ETA ${duration(p.etaMs)}`;
  return `batch ${p.done}/${p.total} proven (${pct}%), ${rate}, ${eta}`;
}
