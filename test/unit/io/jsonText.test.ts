// parseJsonText reads valid files through JSON.parse and counts keys to find
// duplicates; its own parser (parseJsonExactly) reads the rest. The two must
// give the same value and the same issues on any text: generated JSON with
// repeated keys, escapes, "__proto__", ':' inside strings, a BOM, and broken
// variants of it; and the shipped JSON files.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parseJsonExactly, parseJsonText } from "../../../src/io/json.ts";

const key = fc.constantFrom("a", "b", "__proto__", 'q"uote', "co:lon", "1", "é", "back\\slash", "");
const str = fc.constantFrom("x", "a:b", '":', "\\", "\n", "\u2028", "ünï", "{", "}");
const json: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("0", "-0", "1.5e300", "true", "false", "null", "-12.25"),
    str.map((s) => JSON.stringify(s)),
    fc.array(tie("value"), { maxLength: 3 }).map((xs) => `[${xs.join(",")}]`),
    fc.array(fc.tuple(key, tie("value"), fc.constantFrom("", " ", "\n", "\r\n\t")), { maxLength: 4 }).map((kvs) => `{${kvs.map(([k, v, w]) => `${JSON.stringify(k)}${w}:${w}${v}`).join(",")}}`),
  ),
})).value;

function same(text: string): void {
  const fast = parseJsonText(text, "f.json");
  const exact = parseJsonExactly(text, "f.json");
  expect(fast.issues).toEqual(exact.issues);
  expect(fast.value).toStrictEqual(exact.value);
  expect(Object.is(fast.value, -0)).toBe(Object.is(exact.value, -0));
}

describe("parseJsonText", () => {
  it("property: equals its exact parser on generated JSON (duplicate keys included), with or without a BOM", () => {
    fc.assert(
      fc.property(json, fc.boolean(), (text, bom) => same((bom ? "\uFEFF" : "") + text)),
      { numRuns: 3000 },
    );
  });

  it("property: equals its exact parser on broken JSON (cut short, a character dropped or doubled)", () => {
    fc.assert(
      fc.property(json, fc.nat(), fc.constantFrom("cut", "drop", "double"), (text, at, how) => {
        const k = text.length === 0 ? 0 : at % text.length;
        same(how === "cut" ? text.slice(0, k) : how === "drop" ? text.slice(0, k) + text.slice(k + 1) : text.slice(0, k + 1) + text.slice(k));
      }),
      { numRuns: 3000 },
    );
  });

  it("reports a duplicated key with its line, and a syntax error with line and column, as before", () => {
    expect(parseJsonText('{\n  "a": 1,\n  "a": 2\n}', "d.json").issues).toEqual([
      { code: "duplicate_id", file: "d.json", line: 3, path: "a", message: 'expected each key once, got "a" again (first at line 2; JSON would keep only the last)' },
    ]);
    expect(parseJsonText('{\n  "a": 1,\n}', "s.json")).toEqual({ value: undefined, issues: [{ code: "parse_error", file: "s.json", line: 3, message: "column 1: expected a property name after ',' (JSON allows no trailing comma), got '}'" }] });
  });

  it("equals its exact parser on every shipped JSON file", () => {
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    let n = 0;
    for (const dir of ["platforms", "platforms/nodes", "scenarios", "scenarios/studies"]) {
      for (const f of readdirSync(root + dir).filter((x) => x.endsWith(".json"))) {
        same(readFileSync(`${root}${dir}/${f}`, "utf8"));
        n++;
      }
    }
    expect(n).toBeGreaterThan(5);
  });
});
