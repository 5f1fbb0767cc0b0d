#!/usr/bin/env node
// Launcher for the installed CLI: the bundled build when present (fast start),
// otherwise the TypeScript sources through tsx.
import { existsSync } from "node:fs";

const bundle = new URL("../dist/impactsim.mjs", import.meta.url);
if (existsSync(bundle)) {
  await import(bundle.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
