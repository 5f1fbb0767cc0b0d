import { readFile } from "node:fs/promises";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { inputIssues } from "../../helpers/issues.js";
import { describe, expect, it } from "vitest";
import { formatIssue, InputError } from "../../../src/core/errors.js";
import { checkNodeType, checkPlatform, loadNodeType, loadPlatform, platformForProcs } from "../../../src/io/platform.js";
import { parseJsonText } from "../../../src/io/json.js";
import type { NodeTypeSpec, PlatformSpec, PowerSpec } from "../../../src/io/spec.js";

/** A path from the working directory (the repository root under vitest), so messages are stable. */
const fromRoot = (p: string): string => relative(process.cwd(), fileURLToPath(new URL(`../../../${p}`, import.meta.url)));
const readJson = async (p: string): Promise<unknown> => JSON.parse(await readFile(fromRoot(p), "utf8"));
/** A node type's measured power (these node types have one, not a profile). */
const measured = (t: NodeTypeSpec): PowerSpec => {
  if ("profile" in t.power) throw new Error(`expected a measured power, got profile ${t.power.profile}`);
  return t.power;
};

const node: NodeTypeSpec = {
  cores: 8,
  power: { idle_w: 50, max_w: 200, source: "test" },
  embodied: { lifetime_years: 4, lifetime_source: "test", impacts: { fabrication: { CC: 1000 } }, source: "test" },
};

const minimal: PlatformSpec = {
  name: "one",
  node_types: { n: node },
  sites: [{ id: "a", pue: 1.2, pue_source: "test", grid: { zone: "FRA" }, nodes: [{ type: "n", count: 2 }] }],
};

const loadIssues = inputIssues;

describe("checkPlatform", () => {
  it("checkPlatform(minimal, file) finds no issue in a one-site platform with a linear power curve", () => {
    expect(checkPlatform(minimal, "one.json")).toEqual([]);
  });

  it("checkPlatform(broken, file) returns every issue, each with its JSON path", async () => {
    const issues = checkPlatform(await readJson("test/fixtures/platform/broken.json"), "platforms/broken.json");
    expect(issues.map(formatIssue)).toMatchInlineSnapshot(`
      [
        "platforms/broken.json: name: expected a non-empty string, got """,
        "platforms/broken.json: node_types.big.cores: expected a number >= 1, got 0",
        "platforms/broken.json: node_types.big.power.idle_w: expected a number >= 0, got -5",
        "platforms/broken.json: node_types.big.embodied.lifetime_years: expected a number > 0, got 0",
        "platforms/broken.json: sites[0].pue: expected a number >= 1, got 0.8",
        "platforms/broken.json: sites[0].pue_source: expected a string, got nothing (missing field)",
        "platforms/broken.json: sites[0].grid.zone: expected a 3-letter zone code (ISO 3166-1 alpha-3, WOR or EEE), got "FR"",
        "platforms/broken.json: sites[0].grid.series.timezone: expected an IANA time zone such as "Europe/Paris", or "UTC", got "Europe/Pariss"",
        "platforms/broken.json: sites[0].grid.series.unit: expected "gCO2e/kWh", got "g/kWh"",
        "platforms/broken.json: sites[0].nodes[1].count: expected a number >= 1, got 0",
        "platforms/broken.json: sites[0].pue_src: unknown field, expected one of: id, name, pue, pue_source, grid, nodes, power_budget_w, power_budget_series, storage_tiers",
        "platforms/broken.json: sites[1].grid.series.kind: expected one of "carbon_intensity", "generation_mix", got "hourly"",
        "platforms/broken.json: sites[1].nodes: expected at least 1 item(s), got 0",
        "platforms/broken.json: node_types.big.power: expected curve_w or max_w, got neither",
        "platforms/broken.json: node_types.big.embodied.impacts.use: expected phase fabrication, transport or endOfLife (use-phase impacts come from electricity), got "use"",
        "platforms/broken.json: node_types.big.embodied.impacts.fabrication.GWP: expected a category id (CC, ODP, HTC, HTNC, PM, IR, POCP, AC, EUT, EUF, EUM, ETF, LU, WU, RUMM, RUF, PE), got "GWP"",
        "platforms/broken.json: node_types.big.embodied.proxy.reference: expected a reference defined in lca_references (ref), got "nope"",
        "platforms/broken.json: node_types.small.power.curve_w[1][0]: expected a utilisation > 0.5 (points sorted by utilisation), got 0.4",
        "platforms/broken.json: node_types.small.power.curve_w[2][0]: expected the last point at utilisation 1, got 0.9",
        "platforms/broken.json: node_types.tiny.power.max_w: expected the curve's full-load draw 3 W (or no max_w), got 4",
        "platforms/broken.json: lca_references.ref.impacts.CC: expected a non-zero CC value (proxies scale by it), got nothing (missing field)",
        "platforms/broken.json: sites[0].nodes[1].type: expected a node type defined in node_types (big, small, tiny), got "huge"",
        "platforms/broken.json: sites[1].id: expected a unique site id, got "fr" again (first at sites[0].id)",
      ]
    `);
    expect(issues.map((i) => i.code)).toContain("unknown_reference");
    expect(issues.map((i) => i.code)).toContain("duplicate_id");
  });

  it("checkPlatform(null, file) expects an object at the top", () => {
    expect(checkPlatform(null, "x.json").map(formatIssue)).toMatchInlineSnapshot(`
      [
        "x.json: expected an object, got null",
      ]
    `);
  });

  it("checkPlatform(json, file) names the allowed fields of an object with an unknown one", () => {
    const json = { ...minimal, sites: [{ ...minimal.sites[0], pue_sorce: "typo" }] };
    expect(checkPlatform(json, "x.json").map(formatIssue)).toMatchInlineSnapshot(`
      [
        "x.json: sites[0].pue_sorce: unknown field, expected one of: id, name, pue, pue_source, grid, nodes, power_budget_w, power_budget_series, storage_tiers",
      ]
    `);
  });

  it("checkPlatform(json, file) refuses use-phase embodied impacts and names node types in brackets", () => {
    const json = { ...minimal, node_types: { "dell-x": { ...node, embodied: { ...node.embodied, impacts: { use: { CC: 1 } } } } }, sites: [{ ...minimal.sites[0], nodes: [{ type: "dell-x", count: 1 }] }] };
    expect(checkPlatform(json, "x.json").map(formatIssue)).toMatchInlineSnapshot(`
      [
        "x.json: node_types["dell-x"].embodied.impacts.use: expected phase fabrication, transport or endOfLife (use-phase impacts come from electricity), got "use"",
      ]
    `);
  });

  it("checkPlatform(json, file) accepts a curve whose max_w equals its last point", () => {
    const power = { idle_w: 10, curve_w: [[0.5, 20], [1, 30]] as [number, number][], max_w: 30, source: "test" };
    expect(checkPlatform({ ...minimal, node_types: { n: { ...node, power } } }, "x.json")).toEqual([]);
  });
});

describe("shipped platform files", () => {
  it("loadPlatform(platforms/two-site-eu.json) validates, with two sites and every node type referenced", async () => {
    const p = await loadPlatform(fromRoot("platforms/two-site-eu.json"));
    expect(checkPlatform(p, "two-site-eu.json")).toEqual([]);
    expect(p.sites.map((s) => [s.id, s.grid.zone, s.nodes])).toEqual([
      ["fr", "FRA", [{ type: "dell-r640", count: 4 }]],
      ["de", "DEU", [{ type: "dell-r620", count: 16 }]],
    ]);
    expect(measured(p.node_types["dell-r640"]).curve_w).toHaveLength(10);
  });

  it("loadNodeType(platforms/single-core-node.json, references) validates and is the dell-r640 divided by 56", async () => {
    const p = await loadPlatform(fromRoot("platforms/two-site-eu.json"));
    const one = await loadNodeType(fromRoot("platforms/single-core-node.json"), p.lca_references);
    const r640 = p.node_types["dell-r640"];
    const [onePower, r640Power] = [measured(one), measured(r640)];
    expect(one.cores).toBe(1);
    expect(onePower.idle_w).toBeCloseTo(r640Power.idle_w / 56, 12);
    onePower.curve_w!.forEach(([u, w], k) => {
      expect(u).toBe(r640Power.curve_w![k][0]);
      expect(w).toBeCloseTo(r640Power.curve_w![k][1] / 56, 12);
    });
    expect(one.power_states!.off!.w).toBeCloseTo(r640.power_states!.off!.w / 56, 12);
    expect(one.power_states!.off!.switch_on_s).toBe(r640.power_states!.off!.switch_on_s);
    expect(one.embodied.impacts!.fabrication!.CC).toBeCloseTo(r640.embodied.impacts!.fabrication!.CC / 56, 12);
    expect(one.embodied.proxy).toEqual(r640.embodied.proxy);
  });
});

describe("loadPlatform", () => {
  it("loadPlatform(path) reports a JSON syntax error with file, line and column", async () => {
    const file = fromRoot("test/fixtures/platform/syntax-error.json");
    expect((await loadIssues(() => loadPlatform(file))).map((s) => s.replace(file, "FILE"))).toMatchInlineSnapshot(`
      [
        "FILE:5: column 3: expected a value after ',' (JSON allows no trailing comma), got ']'",
      ]
    `);
  });

  it("loadPlatform(path) reports a duplicated key with its line, besides the schema issues", async () => {
    const file = fromRoot("test/fixtures/platform/duplicate-key.json");
    expect((await loadIssues(() => loadPlatform(file))).map((s) => s.replace(file, "FILE"))).toMatchInlineSnapshot(`
      [
        "FILE:3: name: expected each key once, got "name" again (first at line 2; JSON would keep only the last)",
        "FILE: sites: expected at least 1 item(s), got 0",
        "FILE: node_types: expected at least one node type, got none",
      ]
    `);
  });

  it("loadPlatform(path) throws one InputError holding every issue checkPlatform finds", async () => {
    const file = fromRoot("test/fixtures/platform/broken.json");
    const expected = checkPlatform(await readJson("test/fixtures/platform/broken.json"), file);
    await expect(loadPlatform(file)).rejects.toBeInstanceOf(InputError);
    await expect(loadPlatform(file)).rejects.toHaveProperty("issues", expected);
  });
});

describe("parseJsonText", () => {
  it("parseJsonText(text, file) parses what JSON.parse parses", () => {
    const text = '{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n"], "b": {}}';
    expect(parseJsonText(text, "t.json")).toEqual({ value: JSON.parse(text), issues: [] });
  });

  it("parseJsonText(text, file) names what it expected and what it found", () => {
    const cases = ["", "{", '{"a" 1}', "[1 2]", "[1,]", "{'a': 1}", "True", '{"a": 1} x', '"abc'];
    expect(cases.map((t) => parseJsonText(t, "t.json").issues.map(formatIssue)[0])).toMatchInlineSnapshot(`
      [
        "t.json:1: column 1: expected a value, got end of file",
        "t.json:1: column 2: expected a property name in double quotes, got end of file",
        "t.json:1: column 6: expected ':' after a property name, got '1'",
        "t.json:1: column 4: expected ',' or ']' after an array item, got '2'",
        "t.json:1: column 4: expected a value after ',' (JSON allows no trailing comma), got ']'",
        "t.json:1: column 2: expected a property name in double quotes, got "'"",
        "t.json:1: column 1: expected a value, got 'True'",
        "t.json:1: column 10: expected end of file after the value, got 'x'",
        "t.json:1: column 5: expected a closing '"', got end of file",
      ]
    `);
  });

  it("parseJsonText(text, file) keeps a __proto__ key as plain data", () => {
    const { value } = parseJsonText('{"__proto__": {"x": 1}}', "t.json");
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value as object)).toEqual(["__proto__"]);
  });
});

describe("checkNodeType", () => {
  it("checkNodeType(json, file) checks a node type on its own, without its proxy reference", () => {
    const json = { ...node, embodied: { ...node.embodied, proxy: { reference: "ref" } } };
    expect(checkNodeType(json, "n.json")).toEqual([]);
  });

  it("checkNodeType(json, file, references) reports a proxy reference missing from references", () => {
    const json = { ...node, embodied: { ...node.embodied, proxy: { reference: "ref" } } };
    expect(checkNodeType(json, "n.json", { other: { impacts: { CC: 1 }, source: "test" } }).map(formatIssue)).toMatchInlineSnapshot(`
      [
        "n.json: embodied.proxy.reference: expected a reference defined in lca_references (other), got "ref"",
      ]
    `);
  });
});

describe("platformForProcs", () => {
  it("platformForProcs(procs, nodeType, zone) builds one site of procs nodes of that type on the zone's static factors", () => {
    const p = platformForProcs(100, node, "SWE");
    expect(checkPlatform(p, "built")).toEqual([]);
    expect(p.node_types).toEqual({ node });
    expect(p.sites).toHaveLength(1);
    expect(p.sites[0].nodes).toEqual([{ type: "node", count: 100 }]);
    expect(p.sites[0].grid).toEqual({ zone: "SWE" });
    expect(p.sites[0].pue).toBe(1.56);
  });

  it("platformForProcs(procs, nodeType, zone, { references }) carries the references a proxy needs", () => {
    const proxied = { ...node, embodied: { ...node.embodied, proxy: { reference: "ref" } } };
    const references = { ref: { impacts: { CC: 10, ODP: 1 }, source: "test" } };
    expect(platformForProcs(4, proxied, "FRA", { references }).lca_references).toEqual(references);
    expect(() => platformForProcs(4, proxied, "FRA")).toThrow(RangeError);
  });

  it("platformForProcs(procs, ...) throws a RangeError naming a bad procs or zone", () => {
    expect(() => platformForProcs(0, node, "FRA")).toThrow("expected procs to be an integer >= 1, got 0");
    expect(() => platformForProcs(2.5, node, "FRA")).toThrow("got 2.5");
    expect(() => platformForProcs(2, node, "FR")).toThrow('expected a 3-letter zone code, got "FR"');
  });
});
