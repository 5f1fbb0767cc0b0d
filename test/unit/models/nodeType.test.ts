import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { categoryIndex, N_COORDS, PHASE_INDEX } from "../../../src/core/categories.js";
import { InputError } from "../../../src/core/errors.js";
import { Basis } from "../../../src/core/impact.js";
import { yearsToSeconds } from "../../../src/core/units.js";
import { loadNodeType } from "../../../src/io/platform.js";
import type { NodeTypeSpec, PlatformSpec } from "../../../src/io/spec.js";
import { buildNodeTypes, componentData, buildNodeType, nodeTypeProvenance } from "../../../src/models/nodeType.js";
import { buildPlatform } from "../../../src/models/buildPlatform.js";
import { readElectricityFactors } from "../../../src/io/electricityFactors.js";
import { AdjustmentLog } from "../../../src/core/errors.js";

const root = (p: string) => new URL(`../../../${p}`, import.meta.url).pathname;
const at = (phase: keyof typeof PHASE_INDEX, id: string) => PHASE_INDEX[phase] * N_COORDS + categoryIndex(id);

async function defaultPlatform(): Promise<PlatformSpec> {
  return JSON.parse(await readFile(root("platforms/two-site-eu.json"), "utf8")) as PlatformSpec;
}

describe("buildNodeType", () => {
  it("buildNodeType(BoaviztaAPI's R740 by parts) amortises its 967.9 kg CO2 eq over 4 years and draws by the boavizta profile", async () => {
    const type = await loadNodeType(root("platforms/nodes/dell-r740-boavizta.json"));
    const built = buildNodeType(type, undefined, await componentData(), { file: "r740.json", path: "(node type)" });
    const life = yearsToSeconds(4);
    // BoaviztaAPI tests/api/test_server.py::test_dell_r740_server: 967.9 kg CO2 eq embedded.
    expect(Math.abs(built.embodied.perPhase[at("fabrication", "CC")] * life - 967.9) / 967.9).toBeLessThan(5e-4);
    expect(built.embodied.basis[at("transport", "CC")]).toBe(Basis.Missing);
    expect(built.embodied.basis[at("fabrication", "ODP")]).toBe(Basis.Missing);
    expect(built.profile!.profile).toBe("boavizta");
    expect(built.curve.describe()).toMatch(/^boavizta profile: \(2 x CPU \+ RAM\) x \(1 \+ other\)/);
    expect(built.curve.idle).toBeLessThan(built.curve.max);
  });

  it("buildNodeType(R620 by parts, the default platform's references) fills the 13 categories the method lacks by proxy from the ADEME server, scaled by CC", async () => {
    const platform = await defaultPlatform();
    const type = await loadNodeType(root("platforms/nodes/dell-r620-parts.json"), platform.lca_references);
    const built = buildNodeType(type, platform.lca_references, await componentData(), { file: "r620.json", path: "(node type)" });
    const life = yearsToSeconds(6);
    const cc = built.embodied.perPhase[at("fabrication", "CC")] * life;
    const ademe = platform.lca_references!["ademe-generic-server"].impacts;
    expect(built.embodied.basis[at("fabrication", "IR")]).toBe(Basis.Proxy);
    expect(built.embodied.perPhase[at("fabrication", "IR")] * life).toBeCloseTo((ademe.IR * cc) / ademe.CC, 9);
    // The method's own figures stay data; PE from UBA's factors, not from the proxy (ADEME has none).
    expect(built.embodied.basis[at("fabrication", "RUMM")]).toBe(Basis.Data);
    expect(built.embodied.basis[at("fabrication", "PE")]).toBe(Basis.Data);
    // A negative reference value (ADEME's WU) keeps its low end below its high end.
    const k = at("fabrication", "WU");
    expect(built.totals!.low[k]).toBeLessThanOrEqual(built.totals!.high[k]);
  });

  it("buildNodeTypes(platform) reports every node type's unknown models together, each with its JSON path", async () => {
    const base = await loadNodeType(root("platforms/nodes/dell-r740-boavizta.json"));
    const bad = (cpu: string): NodeTypeSpec => ({ ...base, parts: { ...base.parts!, cpu: { name: cpu } } });
    const spec = { name: "p", node_types: { a: bad("Intel Xeon Gold 9999"), b: bad("AMD EPYC 1") }, sites: [] } as unknown as PlatformSpec;
    const err = await buildNodeTypes(spec, { file: "p.json" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).issues.map((i) => `${i.file}: ${i.path}`)).toEqual(['p.json: node_types["a"].parts.cpu.name', 'p.json: node_types["b"].parts.cpu.name']);
  });

  it("buildNodeTypes(the default platform) reads no component table: every node type is given by figures", async () => {
    const built = await buildNodeTypes(await defaultPlatform(), { file: "two-site-eu.json" });
    expect([...built.keys()]).toEqual(["dell-r640", "dell-r620"]);
    for (const b of built.values()) expect(b.parts).toBeUndefined();
    // The R620's figures stand in for it (basis proxy): every category is a proxy, PE missing.
    const r620 = built.get("dell-r620")!;
    expect(r620.embodied.basis[at("fabrication", "CC")]).toBe(Basis.Proxy);
    expect(r620.embodied.basis[at("fabrication", "PE")]).toBe(Basis.Missing);
    expect(r620.embodied.source).toContain("these figures stand in for the node (basis proxy)");
  });

  it("buildPlatform(platform with a node type by parts).nodeTypes says, per node type, figures or parts, the power profile used and what was filled in", async () => {
    const platform = await defaultPlatform();
    const r620 = await loadNodeType(root("platforms/nodes/dell-r620-parts.json"), platform.lca_references);
    // Static grid factors (no series to read); one R620 by parts beside the German R620s.
    const sites = platform.sites.map((s, i) => ({ ...s, grid: { zone: s.grid.zone }, nodes: i === 1 ? [...s.nodes, { type: "r620-parts", count: 1 }] : s.nodes }));
    const spec = { ...platform, node_types: { ...platform.node_types, "r620-parts": r620 }, sites } as PlatformSpec;
    const zones = await readElectricityFactors(root("platforms/electricity/electricity_factors_by_zone.csv"));
    const built = await buildPlatform(spec, { file: root("platforms/two-site-eu.json"), zones, t0Epoch: 0, extension: "error", log: new AdjustmentLog() });
    expect(Object.keys(built.nodeTypes)).toEqual(["dell-r640", "dell-r620", "r620-parts"]);
    // The bundled R620: figures and a measured SPECpower curve, nothing filled in.
    expect(built.nodeTypes["dell-r620"]).toMatchObject({ embodied_from: "figures", power_profile: "measured", filled_in: [] });
    expect(built.nodeTypes["dell-r620"].power).toMatch(/^interpolated\(idle=54.1 W/);
    expect(built.nodeTypes["dell-r620"].power_source).toContain("SPECpower");
    // By its parts: the boavizta profile from the E5-2670's TDP (115 W in BoaviztaAPI's CPU table), disks and power supply from the archetype.
    const parts = built.nodeTypes["r620-parts"];
    expect(parts).toMatchObject({ embodied_from: "parts", power_profile: "boavizta" });
    expect(parts.power_source).toContain("for a TDP of 115 W (cpu_specs.csv: Intel Xeon E5-2670)");
    expect(parts.filled_in).toContain("power supply.unit_weight_kg = 2.99 [1..5] kg (archetype platform_compute_medium)");
    // The same provenance lca gives.
    const one = buildNodeType(r620, platform.lca_references, await componentData(), { file: "r620.json", path: "" });
    expect(nodeTypeProvenance(r620, one)).toEqual(parts);
  });
});
