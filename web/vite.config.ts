import { builtinModules } from "node:module";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const WEB = fileURLToPath(new URL(".", import.meta.url));
const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const OUT = fileURLToPath(new URL("../build/auditor-page/", import.meta.url));
const BUILTINS = new Set(builtinModules);

/**
 * The page reuses the project's library modules (account commitments, file decoders, risk
 * commitment). A few of those import Node built-ins for functions the page never calls
 * (reading files, random salts). This plugin gives them, and only them, a stand-in whose every
 * export throws "not available in the browser" — so a call that slipped in fails loudly.
 * src/auditor/ itself must not import Node: the build fails if it does.
 */
function nodeBuiltinStandIns(): Plugin {
  const PREFIX = "\0node-stand-in:";
  return {
    name: "zkrs-node-stand-ins",
    enforce: "pre",
    resolveId(id, importer) {
      const bare = id.startsWith("node:") ? id.slice(5) : id;
      if (!BUILTINS.has(bare) || !importer || !importer.startsWith(SRC)) return null;
      if (importer.startsWith(`${SRC}auditor/`) && !importer.startsWith(`${SRC}auditor/node/`)) {
        this.error(`${importer} imports ${id}: src/auditor/ must stay browser-safe (Node-only code goes in src/auditor/node/)`);
      }
      return PREFIX + bare;
    },
    async load(id) {
      if (!id.startsWith(PREFIX)) return null;
      const name = id.slice(PREFIX.length);
      const real = (await import(`node:${name}`)) as Record<string, unknown>;
      const names = Object.keys(real).filter((k) => k !== "default" && /^[A-Za-z_$][\w$]*$/.test(k));
      const fail = `function unavailable(what) { return function () { throw new Error("node:${name} " + what + " is not available in the browser"); }; }`;
      return [fail, ...names.map((k) => `export const ${k} = unavailable(${JSON.stringify(k)});`), "export default {};"].join("\n");
    },
  };
}

export default defineConfig({
  root: WEB,
  base: "./",
  logLevel: "warn",
  plugins: [nodeBuiltinStandIns()],
  build: { outDir: OUT, emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 4096, reportCompressedSize: false },
});
