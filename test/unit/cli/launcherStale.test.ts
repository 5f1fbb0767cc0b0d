import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * The launcher's check (scripts/build.mjs isStale) on a checkout made here:
 * dist/impactsim.mjs with the list of the sources it was built from, and
 * sources older or newer than it. Times are set by hand, a minute apart.
 */
const { isStale, pruneChunks } = (await import(new URL("../../../scripts/build.mjs", import.meta.url).href)) as {
  isStale: (root?: string) => boolean;
  pruneChunks: (dir: string, written: Set<string>, now?: number) => void;
};

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

const BUILT = new Date("2026-01-01T12:00:00Z");
const before = new Date(BUILT.getTime() - 60_000);
const after = new Date(BUILT.getTime() + 60_000);

/** A checkout whose bundle lists src/a.ts and src/b/c.ts, all older than the bundle. */
function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), "impactsim-stale-"));
  roots.push(root);
  mkdirSync(join(root, "dist"));
  mkdirSync(join(root, "src", "b"), { recursive: true });
  for (const f of ["src/a.ts", "src/b/c.ts"]) {
    writeFileSync(join(root, f), "export {};\n");
    utimesSync(join(root, f), before, before);
  }
  writeFileSync(join(root, "dist", "impactsim.inputs.json"), JSON.stringify(["src/a.ts", "src/b/c.ts"]) + "\n");
  writeFileSync(join(root, "dist", "impactsim.mjs"), "\n");
  utimesSync(join(root, "dist", "impactsim.mjs"), BUILT, BUILT);
  return root;
}

describe("the launcher's staleness check (isStale)", () => {
  it("a bundle newer than every source it lists is current, with or without a separator at the root's end", () => {
    const root = checkout();
    expect(isStale(root)).toBe(false);
    expect(isStale(root + "/")).toBe(false);
  });

  it("a source edited after the build (the last listed, or the first) makes it stale", () => {
    const root = checkout();
    utimesSync(join(root, "src/b/c.ts"), after, after);
    expect(isStale(root)).toBe(true);
    utimesSync(join(root, "src/b/c.ts"), before, before);
    utimesSync(join(root, "src/a.ts"), after, after);
    expect(isStale(root)).toBe(true);
  });

  it("a listed source gone, the bundle gone, or a list missing or unreadable makes it stale", () => {
    const gone = checkout();
    rmSync(join(gone, "src/a.ts"));
    expect(isStale(gone)).toBe(true);
    const noBundle = checkout();
    rmSync(join(noBundle, "dist", "impactsim.mjs"));
    expect(isStale(noBundle)).toBe(true);
    const noList = checkout();
    rmSync(join(noList, "dist", "impactsim.inputs.json"));
    expect(isStale(noList)).toBe(true);
    const badList = checkout();
    writeFileSync(join(badList, "dist", "impactsim.inputs.json"), "[not json");
    expect(isStale(badList)).toBe(true);
  });
});

describe("a rebuild's pruning of older builds' chunks (pruneChunks)", () => {
  it("removes a chunk and its map more than a day old that this build did not write, keeps what it wrote and what is younger", () => {
    const dir = mkdtempSync(join(tmpdir(), "impactsim-chunks-"));
    roots.push(dir);
    const now = BUILT.getTime();
    const files: Record<string, number> = {
      "old-A.mjs": now - 25 * 3600_000,
      "old-A.mjs.map": now - 25 * 3600_000,
      "kept-B.mjs": now - 48 * 3600_000, // written by this build (an unchanged chunk keeps its name)
      "kept-B.mjs.map": now - 48 * 3600_000,
      "young-C.mjs": now - 23 * 3600_000,
      "young-C.mjs.map": now - 23 * 3600_000,
    };
    for (const [name, t] of Object.entries(files)) {
      writeFileSync(join(dir, name), "\n");
      utimesSync(join(dir, name), new Date(t), new Date(t));
    }
    pruneChunks(dir, new Set([join(dir, "kept-B.mjs")]), now);
    expect(readdirSync(dir).sort()).toEqual(["kept-B.mjs", "kept-B.mjs.map", "young-C.mjs", "young-C.mjs.map"]);
    pruneChunks(join(dir, "missing"), new Set(), now); // no chunks folder yet: nothing to do
  });
});
