#!/usr/bin/env node
// zkrs launcher: registers tsx's ESM loader, then runs the TypeScript CLI (src/cli/main.ts).
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
await main(process.argv.slice(2));
