#!/usr/bin/env node
// Launcher for the installed CLI: the bundled build when present (fast start),
// otherwise the TypeScript sources through tsx. In a development checkout
// (tsconfig.json beside package.json; never shipped) a bundle older than the
// sources is passed over too. An installed package is not checked: npm gives
// extracted files the time of extraction, so src/ may look newer than dist/.
import { existsSync, readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundle = new URL("../dist/impactsim.mjs", import.meta.url);
const src = fileURLToPath(new URL("../src", import.meta.url));
const checkout = existsSync(fileURLToPath(new URL("../tsconfig.json", import.meta.url)));

/** Newest modification time of the files under dir, ms. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

let fresh = existsSync(bundle);
if (fresh && checkout && existsSync(src) && newest(src) > statSync(bundle).mtimeMs) {
  process.stderr.write("impactsim: dist/ is older than src/; running the sources (npm run build to refresh the fast bundle)\n");
  fresh = false;
}
if (fresh) {
  await import(bundle.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/cli/main.ts");
}
