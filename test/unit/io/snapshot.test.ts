/** Cluster snapshot files: a valid one read whole, and every issue named by its JSON path. */
import { describe, expect, it } from "vitest";
import { checkSnapshot, loadSnapshot } from "../../../src/io/snapshot.js";
import { inputIssues } from "../../helpers/issues.js";

describe("loadSnapshot", () => {
  it("reads pools, running jobs and the queue of a valid snapshot", async () => {
    const s = await loadSnapshot("test/fixtures/snapshot/two-site-busy.json");
    expect(s.time).toBe("2020-03-02T09:00:00+01:00");
    expect(s.pools).toEqual([{ site: "de", node_type: "dell-r620", off: 4 }]);
    expect(s.running.map((r) => [r.id, r.nodes])).toEqual([
      [11, 3],
      [12, 1],
      [13, 10],
    ]);
    expect(s.queue[0]).toEqual({ id: 20, submit: "2020-03-02T08:50:00+01:00", cores: 112, time_limit_s: 3600, user: 3 });
  });

  it("names every issue with the file and JSON path", async () => {
    const issues = await inputIssues(() => loadSnapshot("test/fixtures/snapshot/bad.json"));
    expect(issues).toEqual([
      'test/fixtures/snapshot/bad.json: time: expected an ISO 8601 time with an offset, e.g. 2020-03-02T09:00:00+01:00, got "2020-03-02T09:00:00"',
      "test/fixtures/snapshot/bad.json: running[0].nodes: expected a number >= 1, got 0",
      "test/fixtures/snapshot/bad.json: queue[0].priority: unknown field",
    ]);
  });

  it("refuses a job listed twice (it would hold its nodes twice)", async () => {
    const json = { time: "2020-03-02T09:00:00Z", source: "t", running: [{ id: 5, site: "a", node_type: "n", nodes: 1, start: "2020-03-02T08:00:00Z", time_limit_s: 60 }], queue: [{ id: 5, submit: "2020-03-02T08:00:00Z", cores: 1, time_limit_s: 60 }] };
    expect(await inputIssues(() => checkSnapshot(json, "s.json"))).toEqual(["s.json: queue[0].id: expected each job once, got id 5 again (first at running.0.id)"]);
  });
});
