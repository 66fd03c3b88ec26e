#!/usr/bin/env node
// solc for forge, from the project's solc-js (npm `solc`, the compiler the build uses): forge's
// `solc` setting (foundry.toml) names this file, so forge never downloads a compiler. It speaks
// the part of solc's command line forge uses: `--version`, and `--standard-json` (input on stdin,
// output on stdout), with imports read from disk under the base / include / allowed paths.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, join, resolve } from "node:path";

const require = createRequire(import.meta.url);
const solc = require("solc");
const args = process.argv.slice(2);

if (args.includes("--version")) {
  // Native solc's form ("Version: 0.8.28+commit.7893614a.<platform>"): forge reads the version from it.
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}
if (!args.includes("--standard-json")) {
  process.stderr.write(`solc.mjs (solc-js ${solc.version()}): only --version and --standard-json are supported, got: ${args.join(" ")}\n`);
  process.exit(1);
}

/** Folders an import may be read from: --base-path, --include-path, --allow-paths, and the working folder. */
const roots = [process.cwd()];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  const value = (flag) => (a === flag ? args[++i] : a.startsWith(`${flag}=`) ? a.slice(flag.length + 1) : undefined);
  for (const flag of ["--base-path", "--include-path", "--allow-paths"]) {
    const v = value(flag);
    if (v !== undefined) roots.push(...v.split(",").filter(Boolean).map((p) => resolve(p)));
  }
}

function findImport(path) {
  const candidates = isAbsolute(path) ? [path] : roots.map((r) => join(r, path));
  for (const file of candidates) {
    try {
      return { contents: readFileSync(file, "utf8") };
    } catch {
      // try the next root
    }
  }
  return { error: `file not found: ${path} (looked under ${roots.join(", ")})` };
}

const input = readFileSync(0, "utf8");
process.stdout.write(solc.compile(input, { import: findImport }));
