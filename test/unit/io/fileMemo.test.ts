import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileMemo } from "../../../src/io/fileMemo.js";
import { sha256File } from "../../../src/run/provenance.js";
import { useTempCache } from "../../helpers/tempCache.js";

const tempDir = useTempCache("impactsim-filememo-");

describe("FileMemo", () => {
  it("keeps a value while its files are unchanged, and not once one is rewritten (same size and time), touched or removed", () => {
    const a = join(tempDir(), "a.txt");
    const b = join(tempDir(), "b.txt");
    writeFileSync(a, "abc");
    writeFileSync(b, "xyz");
    const memo = new FileMemo<number>();
    const before = memo.stamps([a, b]);
    expect(memo.get("k", before)).toBeUndefined();
    memo.set("k", before, 1);
    expect(memo.get("k", memo.stamps([a, b]))).toBe(1);
    expect(memo.get("other", memo.stamps([a, b]))).toBeUndefined();
    // The same size, its times set back as they were: the change time still moves.
    const t = new Date(2020, 0, 1);
    utimesSync(a, t, t);
    memo.set("k", memo.stamps([a, b]), 2);
    writeFileSync(a, "abd");
    utimesSync(a, t, t);
    expect(memo.get("k", memo.stamps([a, b]))).toBeUndefined();
    memo.set("k", memo.stamps([a, b]), 3);
    expect(memo.get("k", memo.stamps([a, b]))).toBe(3);
    rmSync(b);
    expect(memo.stamps([a, b])).toBeUndefined();
    expect(memo.get("k", memo.stamps([a, b]))).toBeUndefined();
  });

  it("keeps nothing with the parse cache off (IMPACTSIM_CACHE=off)", () => {
    const a = join(tempDir(), "a.txt");
    writeFileSync(a, "abc");
    process.env.IMPACTSIM_CACHE = "off";
    const memo = new FileMemo<number>();
    expect(memo.stamps([a])).toBeUndefined();
    memo.set("k", memo.stamps([a]), 1);
    delete process.env.IMPACTSIM_CACHE;
    expect(memo.get("k", memo.stamps([a]))).toBeUndefined();
  });

  it("keeps at most its bound, dropping the oldest", () => {
    const a = join(tempDir(), "a.txt");
    writeFileSync(a, "abc");
    const memo = new FileMemo<number>(2);
    const s = memo.stamps([a]);
    memo.set("x", s, 1);
    memo.set("y", s, 2);
    memo.set("z", s, 3);
    expect([memo.get("x", s), memo.get("y", s), memo.get("z", s)]).toEqual([undefined, 2, 3]);
  });
});

describe("sha256File", () => {
  it("hashes a file's bytes, a big one in chunks, and again once it changed", () => {
    const f = join(tempDir(), "trace.swf");
    // Over two of its 128 KiB chunks, not a multiple of one.
    const big = Buffer.alloc(300_001, 7);
    big.write("first", 0);
    writeFileSync(f, big);
    const hex = (b: Buffer) => createHash("sha256").update(b).digest("hex");
    expect(sha256File(f)).toBe(hex(big));
    expect(sha256File(f)).toBe(hex(big));
    const changed = Buffer.from(big);
    changed.write("later", 200_000);
    writeFileSync(f, changed);
    expect(sha256File(f)).toBe(hex(changed));
    writeFileSync(f, "");
    expect(sha256File(f)).toBe(hex(Buffer.alloc(0)));
  });
});
