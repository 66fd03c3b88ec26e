import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { BUILD_DIR, PROJECT_ROOT } from "../../artifacts/paths.js";

/** Where the built page goes (never committed: build/ is ignored). */
export const AUDITOR_PAGE_DIR = join(BUILD_DIR, "auditor-page");
const SOURCES = [join(PROJECT_ROOT, "web"), join(PROJECT_ROOT, "src")];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === "dist") continue;
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** True when the built page is missing or older than any source it is built from. */
export function auditorPageStale(): boolean {
  const index = join(AUDITOR_PAGE_DIR, "index.html");
  if (!existsSync(index)) return true;
  const built = statSync(index).mtimeMs;
  return SOURCES.some((d) => existsSync(d) && newestMtime(d) > built);
}

/** Builds web/ with Vite into build/auditor-page (a few seconds); `force` rebuilds even when fresh. */
export async function buildAuditorPage(options: { force?: boolean } = {}): Promise<{ dir: string; built: boolean; ms: number }> {
  const started = Date.now();
  if (!options.force && !auditorPageStale()) return { dir: AUDITOR_PAGE_DIR, built: false, ms: 0 };
  let vite: typeof import("vite");
  try {
    vite = await import("vite");
  } catch {
    throw new Error("building the auditor's page needs Vite (a dev dependency): run `npm install`");
  }
  await vite.build({ configFile: join(PROJECT_ROOT, "web", "vite.config.ts"), logLevel: "warn" });
  return { dir: AUDITOR_PAGE_DIR, built: true, ms: Date.now() - started };
}
