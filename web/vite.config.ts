import { builtinModules } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

const WEB = fileURLToPath(new URL(".", import.meta.url));
const SRC = fileURLToPath(new URL("../src/", import.meta.url));
const OUT = fileURLToPath(new URL("../build/auditor-page/", import.meta.url));
const BUILTINS = new Set(builtinModules);

/**
 * The page reuses the project's browser-safe modules (src/protocol/, src/auditor/, the file
 * decoders, the risk commitment). Where a module has a Node variant, it is a separate file
 * (io/jsonFile.ts beside io/json.ts, auditor/node/), so nothing here needs a stand-in: a Node
 * built-in reached from src/ fails the build, naming the importer.
 */
function noNodeBuiltins(): Plugin {
  return {
    name: "zkrs-no-node-builtins",
    enforce: "pre",
    resolveId(id, importer) {
      const bare = id.startsWith("node:") ? id.slice(5) : id;
      if (BUILTINS.has(bare) && importer?.startsWith(SRC)) {
        this.error(`${importer} imports ${id}: the auditor's page runs in the browser (Node-only code goes in a separate file)`);
      }
      return null;
    },
  };
}

export default defineConfig({
  root: WEB,
  base: "./",
  logLevel: "warn",
  plugins: [noNodeBuiltins()],
  build: {
    outDir: OUT, emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 4096, reportCompressedSize: false,
    // two pages: the auditor's (index.html) and the trader's (trader.html)
    rolldownOptions: { input: { index: join(WEB, "index.html"), trader: join(WEB, "trader.html") }, checks: { bundlerTimings: false } },
  },
  // The trader's prover runs in a module worker, under a fixed name (the bench loads it by name).
  worker: { format: "es", plugins: () => [noNodeBuiltins()], rolldownOptions: { output: { entryFileNames: "assets/[name].js" } } },
});
