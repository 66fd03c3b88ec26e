import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Project root (the folder holding package.json). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Everything the build makes lives here; it is ignored by git. (circom, compiled to WebAssembly, can only reach files below the project root.) */
export const BUILD_DIR = join(PROJECT_ROOT, "build");

/** The manifest that tests, the CLI and the demo read. */
export const MANIFEST_PATH = join(BUILD_DIR, "manifest.json");
