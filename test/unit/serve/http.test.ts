/**
 * The service's HTTP API (serve/http.ts) in process (fastify inject): tokens
 * (401 without or with an unknown one, 403 for another project's or for admin
 * routes), body limits and malformed bodies refused with JSON errors naming
 * their paths, the rate limit, tokens stored hashed, the OpenAPI document,
 * metrics, and budgets (refused or deferred, as the job's QoS says).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openLedger, type LedgerStore } from "../../../src/ledger/index.js";
import { buildApp, loadServiceWorld, Service, ServiceMetrics, Tokens, type ServiceWorld } from "../../../src/serve/index.js";

const ADMIN = "admin-token-for-tests-0123456789";
const P1 = "project-one-token-0123456789";
const P2 = "project-two-token-0123456789";
const dir = mkdtempSync(join(tmpdir(), "impactsim-http-"));
let world: ServiceWorld;
let qosWorld: ServiceWorld;
let n = 0;

async function app(o: { rateLimit?: number; bodyLimit?: number; w?: ServiceWorld } = {}): Promise<{ app: FastifyInstance; ledger: LedgerStore; service: Service }> {
  const ledger = await openLedger(join(dir, `l${n++}.sqlite`));
  const service = await Service.open({ world: o.w ?? world, ledger, clock: "simulated", cluster: "t" });
  const tokens = await Tokens.load(ledger);
  await tokens.add(ADMIN, "admin", "admin");
  await tokens.add(P1, "project", "p1", "p1");
  await tokens.add(P2, "project", "p2", "p2");
  return { app: await buildApp({ service, ledger, tokens, metrics: new ServiceMetrics(), rateLimit: o.rateLimit ?? 0, bodyLimit: o.bodyLimit }), ledger, service };
}

const auth = (t: string) => ({ authorization: `Bearer ${t}` });
const job = (id: number, project = "p1", extra: Record<string, unknown> = {}) => ({ id, project, user: "alice", cores: 4, walltime_s: 3600, ...extra });

beforeAll(async () => {
  world = await loadServiceWorld();
  qosWorld = await loadServiceWorld("scenarios/qos-eu.json");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the service's HTTP API", () => {
  it("GET /healthz needs no token and says the clock", async () => {
    const { app: a } = await app();
    const r = await a.inject({ method: "GET", url: "/healthz" });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({ status: "ok", clock: "simulated", now: "2019-12-31T23:00:00.000Z" });
  });

  it("POST /v1/jobs is 401 without a token or with an unknown one, 403 with another project's, 201 with its own", async () => {
    const { app: a } = await app();
    const none = await a.inject({ method: "POST", url: "/v1/jobs", payload: job(1) });
    const unknown = await a.inject({ method: "POST", url: "/v1/jobs", payload: job(1), headers: auth("not-a-token-of-this-service") });
    const other = await a.inject({ method: "POST", url: "/v1/jobs", payload: job(1), headers: auth(P2) });
    const own = await a.inject({ method: "POST", url: "/v1/jobs", payload: job(1), headers: auth(P1) });
    expect([none.statusCode, unknown.statusCode, other.statusCode, own.statusCode]).toEqual([401, 401, 403, 201]);
    expect(none.json()).toEqual({ error: { code: "unauthenticated", message: "expected an Authorization: Bearer <token> header" } });
    expect(other.json().error).toEqual({ code: "forbidden", message: "this token is for project p2, not p1" });
    // The job is p1's: p2 may not read it, the admin may.
    expect((await a.inject({ method: "GET", url: "/v1/jobs/1", headers: auth(P2) })).statusCode).toBe(403);
    expect((await a.inject({ method: "GET", url: "/v1/jobs/1", headers: auth(ADMIN) })).json()).toMatchObject({ id: 1, project: "p1", state: "waiting" });
  });

  it("admin routes refuse a project's token with 403", async () => {
    const { app: a } = await app();
    for (const [method, url, payload] of [["POST", "/v1/clock", { t: 10 }], ["GET", "/v1/decisions"], ["GET", "/metrics"], ["POST", "/v1/projects/p1/grants", { unit: "score_pt", amount: 1, period_start: "2020-01-01T00:00:00Z", period_end: "2020-02-01T00:00:00Z" }], ["POST", "/v1/projects/p1/tokens", { label: "x" }]] as const) {
      const r = await a.inject({ method, url, payload, headers: auth(P1) });
      expect([url, r.statusCode, r.json().error.code]).toEqual([url, 403, "forbidden"]);
    }
  });

  it("refuses malformed, mistyped, unknown-field and oversized bodies with JSON errors naming each path", async () => {
    const { app: a } = await app({ bodyLimit: 2048 });
    const bad = await a.inject({ method: "POST", url: "/v1/jobs", payload: '{"id": 1, "project": ', headers: { ...auth(P1), "content-type": "application/json" } });
    expect([bad.statusCode, bad.json().error.code]).toEqual([400, "malformed_json"]);
    const typed = await a.inject({ method: "POST", url: "/v1/jobs", payload: { ...job(1), cores: 0, walltime_s: "1h", color: "red" }, headers: auth(P1) });
    expect(typed.statusCode).toBe(400);
    expect(typed.json().error.issues).toEqual([
      { path: "cores", message: "Too small: expected number to be >=1" },
      { path: "walltime_s", message: "Invalid input: expected number, received string" },
      { path: "(body)", message: "unknown field(s) color" },
    ]);
    const fc = await a.inject({ method: "POST", url: "/v1/sites/fr/forecast", payload: { issued: "2020-01-01T00:00:00Z", points: [{ time: "2020-01-01T00:00:00Z", g_per_kwh: 50 }, { time: "yesterday", g_per_kwh: -1 }] }, headers: auth(ADMIN) });
    expect(fc.json().error.issues.map((i: { path: string }) => i.path)).toEqual(["points[1].time", "points[1].g_per_kwh"]);
    const big = await a.inject({ method: "POST", url: "/v1/jobs", payload: { ...job(1), user: "x".repeat(4000) }, headers: auth(P1) });
    expect([big.statusCode, big.json().error]).toEqual([413, { code: "body_too_large", message: "request body larger than 2048 bytes" }]);
    const text = await a.inject({ method: "POST", url: "/v1/jobs", payload: "id=1", headers: { ...auth(P1), "content-type": "text/plain" } });
    expect([text.statusCode, text.json().error.code]).toEqual([415, "unsupported_media_type"]);
    // The largest pool: 16 Dell R620 of 16 cores = 256 cores (the R640 pool: 4 x 56 = 224).
    const huge = await a.inject({ method: "POST", url: "/v1/jobs", payload: job(2, "p1", { cores: 1_000_000 }), headers: auth(P1) });
    expect(huge.statusCode).toBe(400);
    expect(huge.json().error.message).toMatch(/^job\.cores: expected a job some pool of platform two-site-eu can hold \(largest 256 cores\), got 1000000 cores$/);
  });

  it("a job id submitted again with other figures is 409; the same job again returns its state", async () => {
    const { app: a } = await app();
    expect((await a.inject({ method: "POST", url: "/v1/jobs", payload: job(5), headers: auth(P1) })).statusCode).toBe(201);
    expect((await a.inject({ method: "POST", url: "/v1/jobs", payload: job(5), headers: auth(P1) })).json()).toMatchObject({ id: 5, state: "waiting" });
    const clash = await a.inject({ method: "POST", url: "/v1/jobs", payload: job(5, "p1", { cores: 8 }), headers: auth(P1) });
    expect([clash.statusCode, clash.json().error.code]).toEqual([409, "conflict"]);
  });

  it("the rate limit lets twice the rate through at once, then answers 429 with Retry-After", async () => {
    const { app: a } = await app({ rateLimit: 5 });
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await a.inject({ method: "GET", url: "/healthz" })).statusCode);
    expect(codes).toEqual([...Array(10).fill(200), 429, 429]);
    const r = await a.inject({ method: "GET", url: "/healthz" });
    expect(r.headers["retry-after"]).toBe("1");
  });

  it("tokens are stored as SHA-256 hashes, and a new project token is shown once", async () => {
    const { app: a, ledger } = await app();
    const r = await a.inject({ method: "POST", url: "/v1/projects/p3/tokens", payload: { label: "ci" }, headers: auth(ADMIN) });
    expect(r.statusCode).toBe(201);
    const token = r.json().token as string;
    const stored = await ledger.tokens();
    expect(stored.map((t) => t.hash)).toContain(createHash("sha256").update(token).digest("hex"));
    const dump = JSON.stringify(await ledger.db.all("SELECT * FROM tokens"));
    for (const t of [token, ADMIN, P1]) expect(dump).not.toContain(t);
    expect((await a.inject({ method: "POST", url: "/v1/jobs", payload: job(9, "p3"), headers: auth(token) })).statusCode).toBe(201);
  });

  it("GET /openapi.json lists every route, with the request schemas the checks use", async () => {
    const { app: a } = await app();
    const doc = (await a.inject({ method: "GET", url: "/openapi.json" })).json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/jobs", "/v1/jobs/{id}/end", "/v1/projects/{project}/balance", "/v1/projects/{project}/statement", "/v1/estimates", "/metrics", "/healthz"]));
    const submit = doc.paths["/v1/jobs"].post.requestBody.content["application/json"].schema;
    expect(submit.required).toEqual(["id", "project", "user", "cores", "walltime_s"]);
    expect(submit.additionalProperties).toBe(false);
    expect(doc.paths["/v1/jobs"].post.responses["401"]).toBeDefined();
  });

  it("a job's life through the API: placed, ended, charged once; metrics count the decision and the charge", async () => {
    const { app: a } = await app();
    await a.inject({ method: "POST", url: "/v1/jobs", payload: { ...job(1), t: 60 }, headers: auth(P1) });
    const tick = await a.inject({ method: "POST", url: "/v1/clock", payload: { t: 60 }, headers: auth(ADMIN) });
    expect(tick.json()).toMatchObject({ now_t: 60, running: 1, queued: 0 });
    const placed = (await a.inject({ method: "GET", url: "/v1/jobs/1", headers: auth(P1) })).json();
    expect(placed).toMatchObject({ state: "running", decision: { kind: "start", site: "fr", node_type: "dell-r640", nodes: 1, t: 60 } });
    await a.inject({ method: "POST", url: "/v1/jobs/1/end", payload: { t: 1860 }, headers: auth(P1) });
    await a.inject({ method: "POST", url: "/v1/clock", payload: { t: 1860 }, headers: auth(ADMIN) });
    const again = await a.inject({ method: "POST", url: "/v1/jobs/1/end", payload: { t: 1860 }, headers: auth(P1) });
    expect(again.json()).toMatchObject({ state: "ended", charge: "t/job/1", entry: { key: "t/job/1", kind: "charge", site: "fr", basis: "model" } });
    const csv = (await a.inject({ method: "GET", url: "/v1/projects/p1/entries.csv", headers: auth(P1) })).body.trim().split("\n");
    expect(csv.length).toBe(2);
    const m = (await a.inject({ method: "GET", url: "/metrics", headers: auth(ADMIN) })).body;
    expect(m).toMatch(/impactsim_decisions_total\{kind="start"\} 1/);
    expect(m).toMatch(/impactsim_charges_total\{site="fr",project="p1",basis="model"\} 1/);
  });

  it("GET /metrics counts requests by route, method and status, and times them by route (the requests made here, counted by hand)", async () => {
    const { app: a } = await app({ rateLimit: 1 });
    const codes: number[] = [];
    for (const id of [1, 2]) codes.push((await a.inject({ method: "POST", url: "/v1/jobs", payload: { ...job(id), t: 0 }, headers: auth(P1) })).statusCode);
    codes.push((await a.inject({ method: "POST", url: "/v1/jobs", payload: job(3) })).statusCode);
    codes.push((await a.inject({ method: "GET", url: "/healthz" })).statusCode);
    codes.push((await a.inject({ method: "GET", url: "/no/such/route", headers: auth(ADMIN) })).statusCode);
    // A rate of 1/s with bursts of 2 per client: P1's third request in the same instant is refused in the onRequest hook.
    codes.push((await a.inject({ method: "GET", url: "/v1/jobs/1", headers: auth(P1) })).statusCode);
    expect(codes).toEqual([201, 201, 401, 200, 404, 429]);
    // This request is counted once answered, after its body was made: it is not in it.
    const m = (await a.inject({ method: "GET", url: "/metrics", headers: auth(ADMIN) })).body;
    const line = (name: string, labels: string) => new RegExp(`^${name}\\{${labels.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}\\} (\\S+)$`, "m").exec(m)?.[1];
    expect(line("impactsim_http_requests_total", 'route="/v1/jobs",method="POST",status="201"')).toBe("2");
    expect(line("impactsim_http_requests_total", 'route="/v1/jobs",method="POST",status="401"')).toBe("1");
    expect(line("impactsim_http_requests_total", 'route="/healthz",method="GET",status="200"')).toBe("1");
    expect(line("impactsim_http_requests_total", 'route="unknown",method="GET",status="404"')).toBe("1");
    expect(line("impactsim_http_requests_total", 'route="/v1/jobs/:id",method="GET",status="429"')).toBe("1");
    expect(line("impactsim_http_request_duration_seconds_count", 'route="/v1/jobs"')).toBe("3");
    expect(line("impactsim_http_request_duration_seconds_count", 'route="/healthz"')).toBe("1");
    // Every request timed: the largest bucket holds them all, and the sum of their times is a time (positive, finite, under a minute).
    expect(line("impactsim_http_request_duration_seconds_bucket", 'le="+Inf",route="/v1/jobs"')).toBe("3");
    const sum = Number(line("impactsim_http_request_duration_seconds_sum", 'route="/v1/jobs"'));
    expect(sum > 0 && sum < 60).toBe(true);
  });

  it("a grant or a charge made through the service is counted by the next submission's budget check (cached, ledger/budget.ts)", async () => {
    const { app: a, ledger } = await app();
    const grant = (key: string, amount: number) => a.inject({ method: "POST", url: "/v1/projects/p1/grants", payload: { key, unit: "score_pt", amount, period_start: "2019-12-01T00:00:00Z", period_end: "2020-02-01T00:00:00Z" }, headers: auth(ADMIN) });
    const submit = async (id: number, t: number) => (await a.inject({ method: "POST", url: "/v1/jobs", payload: { ...job(id), t }, headers: auth(P1) })).json().budget;
    expect(await submit(1, 60)).toBeUndefined();
    expect((await grant("g1", 10)).statusCode).toBe(201);
    expect(await submit(2, 60)).toEqual({ verdict: "ok", left: 10, unit: "score_pt" });
    await a.inject({ method: "POST", url: "/v1/clock", payload: { t: 60 }, headers: auth(ADMIN) });
    await a.inject({ method: "POST", url: "/v1/jobs/1/end", payload: { t: 1860 }, headers: auth(P1) });
    await a.inject({ method: "POST", url: "/v1/clock", payload: { t: 1860 }, headers: auth(ADMIN) });
    const pt = (await ledger.entry("t/job/1"))!.singleScorePt;
    expect(pt).toBeGreaterThan(0);
    // The job's charge, written with its end event, is in the next check: 10 less what it cost.
    expect(await submit(3, 1860)).toEqual({ verdict: "ok", left: 10 - pt, unit: "score_pt" });
    await grant("g2", 5);
    expect(await submit(4, 1860)).toEqual({ verdict: "ok", left: 15 - pt, unit: "score_pt" });
    // Refunded through the API: the charge counts no more.
    await a.inject({ method: "POST", url: "/v1/refunds", payload: { refers: "t/job/1", reason: "test" }, headers: auth(ADMIN) });
    expect(await submit(5, 1860)).toEqual({ verdict: "ok", left: 15, unit: "score_pt" });
  });

  it("a project over budget: a job whose QoS allows no delay is refused, one that may wait is deferred to the cleanest window", async () => {
    const { app: a } = await app({ w: qosWorld });
    const g = await a.inject({ method: "POST", url: "/v1/projects/p1/grants", payload: { key: "g0", unit: "cc_kgco2eq", amount: 0, period_start: "2019-12-01T00:00:00Z", period_end: "2020-02-01T00:00:00Z" }, headers: auth(ADMIN) });
    expect(g.statusCode).toBe(201);
    const urgent = (await a.inject({ method: "POST", url: "/v1/jobs", payload: job(1, "p1", { qos: "urgent" }), headers: auth(P1) })).json();
    expect(urgent).toMatchObject({ state: "refused", budget: { verdict: "refused", left: 0, unit: "cc_kgco2eq" }, decision: { kind: "reject" } });
    const green = (await a.inject({ method: "POST", url: "/v1/jobs", payload: job(2, "p1", { qos: "green" }), headers: auth(P1) })).json();
    expect(green.state).toBe("deferred");
    expect(green.budget.verdict).toBe("deferred");
    expect(green.decision.until_t).toBeGreaterThanOrEqual(0);
    expect(green.decision.until_t).toBeLessThanOrEqual(86400);
    // p2 has no grant: no budget, no check.
    expect((await a.inject({ method: "POST", url: "/v1/jobs", payload: job(3, "p2", { qos: "urgent" }), headers: auth(P2) })).json().state).toBe("waiting");
  });
});
