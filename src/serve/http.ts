/**
 * The service's HTTP JSON API (fastify): `/v1/...` routes over the Service,
 * checked by the zod schemas of serve/schemas.ts (errors name their JSON
 * path), Bearer tokens per project and an admin token (stored hashed, never
 * logged), body size and rate limits, GET /healthz, Prometheus GET /metrics,
 * GET /openapi.json, and structured logs (pino, Authorization redacted).
 *
 * Errors are JSON: { "error": { "code", "message", "issues"?: [{ "path", "message" }] } }
 * with 400 (bad request), 401 (no or unknown token), 403 (not yours), 404,
 * 409 (conflict), 413 (body too large), 415 (not JSON), 429 (rate limit).
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { z } from "zod";
import { InputError } from "../core/index.js";
import { estimate, queuedJobView, type Estimate } from "../planner/index.js";
import { checkUnit, entriesCsv, statement, type LedgerStore, type TokenRecord } from "../ledger/index.js";
import { newToken, type Tokens } from "./auth.js";
import { DEFAULT_BODY_LIMIT, DEFAULT_RATE_LIMIT } from "./limits.js";
import { ServiceMetrics } from "./metrics.js";
import { openApiDocument } from "./openapi.js";
import { clockSchema, endSchema, estimateSchema, forecastSchema, grantSchema, powerBudgetSchema, refundSchema, startSchema, submitSchema, tokenSchema } from "./schemas.js";
import { ServiceFailedError, type Service } from "./service.js";

export interface HttpOptions {
  readonly service: Service;
  readonly ledger: LedgerStore;
  readonly tokens: Tokens;
  readonly metrics?: ServiceMetrics;
  readonly bodyLimit?: number;
  /** Requests per second per client; 0: no limit. */
  readonly rateLimit?: number;
  /** Structured logs (pino) to stderr at this level; false: none. */
  readonly log?: false | "info" | "debug" | "warn";
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: readonly { path: string; message: string }[],
  ) {
    super(message);
  }
}

/** What buildApp keeps on each request (fastify request decorations). */
type Timed = FastifyRequest & { impactsimStart: number; impactsimCaller: TokenRecord | null };

/** A zod path as text: points[3].time. */
function pathText(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : `${out ? "." : ""}${String(p)}`;
  return out || "(body)";
}

/** The body checked by a schema. @throws HttpError 400 listing each issue with its path */
function parse<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: pathText(i.path), message: i.code === "unrecognized_keys" ? `unknown field(s) ${(i as { keys: string[] }).keys.join(", ")}` : i.message }));
  throw new HttpError(400, "invalid_request", `invalid request body: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
}

/** A token bucket per client. */
class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  constructor(private readonly rate: number) {}
  take(key: string, now: number): boolean {
    const cap = 2 * this.rate;
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size > 100_000) this.buckets.clear();
      this.buckets.set(key, (b = { tokens: cap, at: now }));
    }
    b.tokens = Math.min(cap, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }
}

export async function buildApp(o: HttpOptions): Promise<FastifyInstance> {
  const s = o.service;
  const metrics = o.metrics ?? new ServiceMetrics();
  const app = Fastify({
    bodyLimit: o.bodyLimit ?? DEFAULT_BODY_LIMIT,
    logger: o.log ? { level: o.log, redact: { paths: ["req.headers.authorization", "headers.authorization"], censor: "[redacted]" } } : false,
    return503OnClosing: true,
  });
  app.removeContentTypeParser("text/plain");
  s.addListener({ pass: (ms, d) => metrics.pass(ms, d), charge: (c) => metrics.charge(c) });
  const limiter = (o.rateLimit ?? DEFAULT_RATE_LIMIT) > 0 ? new RateLimiter(o.rateLimit ?? DEFAULT_RATE_LIMIT) : undefined;
  // A request's start and caller on the request itself (fastify's decorations, set in its constructor), not in WeakMaps:
  // each WeakMap entry is an ephemeron the garbage collector must trace, at every request.
  app.decorateRequest("impactsimStart", 0);
  app.decorateRequest("impactsimCaller", null);
  // Callback hooks, not async ones: fastify then makes no promise and no microtask per hook and request.
  app.addHook("onRequest", (req, _reply, done) => {
    (req as Timed).impactsimStart = performance.now();
    if (limiter) {
      const auth = req.headers.authorization;
      const key = auth ? `t:${auth.slice(-16)}` : `ip:${req.ip}`;
      if (!limiter.take(key, Date.now())) return done(new HttpError(429, "rate_limited", `more than ${o.rateLimit ?? DEFAULT_RATE_LIMIT} requests per second from this client: slow down`));
    }
    done();
  });
  app.addHook("onResponse", (req, reply, done) => {
    const t = (req as Timed).impactsimStart;
    metrics.request(req.routeOptions.url ?? "unknown", req.method, reply.statusCode, t > 0 ? (performance.now() - t) / 1000 : undefined);
    done();
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err instanceof HttpError) {
      if (err.status === 429) void reply.header("retry-after", "1");
      return reply.code(err.status).send({ error: { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) } });
    }
    if (err instanceof ServiceFailedError) {
      req.log.error({ err: { name: err.name, message: err.message } }, "service failed");
      return reply.code(503).send({ error: { code: "service_failed", message: err.message } });
    }
    if (err instanceof InputError) {
      const issues = err.issues.map((i) => ({ path: i.path ?? i.file, message: i.message }));
      const conflict = err.issues.some((i) => /already submitted with other figures/.test(i.message));
      return reply.code(conflict ? 409 : 400).send({ error: { code: conflict ? "conflict" : "invalid_request", message: issues.map((i) => `${i.path}: ${i.message}`).join("; "), issues } });
    }
    const code = err.code ?? "";
    if (code === "FST_ERR_CTP_BODY_TOO_LARGE") return reply.code(413).send({ error: { code: "body_too_large", message: `request body larger than ${o.bodyLimit ?? DEFAULT_BODY_LIMIT} bytes` } });
    if (code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") return reply.code(415).send({ error: { code: "unsupported_media_type", message: "expected a JSON body (Content-Type: application/json)" } });
    if (code.startsWith("FST_ERR_CTP") || err instanceof SyntaxError || err.statusCode === 400) return reply.code(400).send({ error: { code: "malformed_json", message: `request body is not valid JSON: ${err.message}` } });
    req.log.error({ err: { name: err.name, message: err.message } }, "internal error");
    return reply.code(500).send({ error: { code: "internal", message: "internal error (a bug in impactsim; see the service's log)" } });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: { code: "not_found", message: `no route ${req.method} ${req.url.split("?")[0]}` } }));

  // A request's token record, once found (impactsimCaller): routes ask who() and then ofProject(), and each lookup hashes the token.
  /** The caller's token. @throws HttpError 401 */
  const who = (req: FastifyRequest): TokenRecord => {
    const known = (req as Timed).impactsimCaller;
    if (known) return known;
    const h = req.headers.authorization;
    const m = h ? /^Bearer\s+(\S+)\s*$/i.exec(h) : null;
    if (!m) throw new HttpError(401, "unauthenticated", "expected an Authorization: Bearer <token> header");
    const rec = o.tokens.find(m[1]);
    if (!rec) throw new HttpError(401, "unauthenticated", "unknown token");
    (req as Timed).impactsimCaller = rec;
    return rec;
  };
  const admin = (req: FastifyRequest): TokenRecord => {
    const rec = who(req);
    if (rec.role !== "admin") throw new HttpError(403, "forbidden", "this needs the admin token");
    return rec;
  };
  const ofProject = (req: FastifyRequest, project: string): TokenRecord => {
    const rec = who(req);
    if (rec.role !== "admin" && rec.project !== project) throw new HttpError(403, "forbidden", `this token is for project ${rec.project}, not ${project}`);
    return rec;
  };
  /** World time of a request: on a simulated clock its t or time (default now); on the real clock, now. */
  const timeOf = (b: { t?: number; time?: string }): number | undefined => {
    if (s.clock === "real") return undefined;
    if (b.t !== undefined) return b.t;
    if (b.time !== undefined) return s.worldTime(Date.parse(b.time) / 1000);
    return undefined;
  };
  const jobOf = (req: FastifyRequest<{ Params: { id: string } }>) => {
    const id = Number(req.params.id);
    const st = Number.isSafeInteger(id) ? s.status(id) : undefined;
    if (!st) throw new HttpError(404, "not_found", `no job ${req.params.id} in this service`);
    ofProject(req, st.project);
    return st;
  };
  const iso = (t: number | undefined) => (t === undefined || !Number.isFinite(t) ? null : s.describeTime(t));
  const view = (st: ReturnType<Service["status"]>) =>
    st && {
      ...st,
      submitted: iso(st.submitted),
      ...(st.started !== undefined ? { started: iso(st.started), started_t: st.started } : {}),
      ...(st.ended !== undefined ? { ended: iso(st.ended) } : {}),
      ...(st.reportedStart !== undefined ? { reportedStart: iso(st.reportedStart) } : {}),
      ...(st.reportedEnd !== undefined ? { reportedEnd: iso(st.reportedEnd) } : {}),
      ...(st.decision ? { decision: { ...st.decision, at: iso(st.decision.at), t: st.decision.at, ...(st.decision.until !== undefined ? { until: iso(st.decision.until), until_t: st.decision.until } : {}) } } : {}),
    };

  app.get("/healthz", async (_req, reply) => {
    const state = { clock: s.clock, now: iso(s.now), events: s.events, passes: s.passes };
    // A failed service answers 503, so a supervisor's health check restarts it (the restart rebuilds its state from the ledger).
    return s.failed ? reply.code(503).send({ status: "failed", message: s.failed.message, ...state }) : { status: "ok", ...state };
  });
  app.get("/openapi.json", async () => openApiDocument());
  app.get("/metrics", async (req, reply) => {
    admin(req);
    metrics.queued.set(s.queuedCount());
    metrics.running.set(s.runningCount());
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.post("/v1/jobs", async (req, reply) => {
    who(req);
    const b = parse(submitSchema, req.body);
    ofProject(req, b.project);
    const { t, time: _time, ...job } = b;
    const r = await s.submit(job, timeOf({ t, time: _time }));
    const st = s.status(job.id)!;
    if (st.budget) metrics.budgetLeft.set({ project: job.project, unit: st.budget.unit }, st.budget.left);
    void r;
    return reply.code(201).send(view(st));
  });
  app.get<{ Params: { id: string } }>("/v1/jobs/:id", async (req) => view(jobOf(req)));
  app.post<{ Params: { id: string } }>("/v1/jobs/:id/start", async (req) => {
    const st = jobOf(req);
    const b = parse(startSchema, req.body);
    await s.started(st.id, timeOf(b));
    return view(s.status(st.id));
  });
  app.post<{ Params: { id: string } }>("/v1/jobs/:id/end", async (req) => {
    const st = jobOf(req);
    const b = parse(endSchema, req.body);
    await s.end(st.id, b.killed, timeOf(b), b.energy_j !== undefined ? { joules: b.energy_j, source: b.energy_source ?? "reported through the API" } : undefined);
    const after = s.status(st.id)!;
    return { ...view(after), ...(after.charge ? { entry: await o.ledger.entry(after.charge) } : {}) };
  });
  app.post("/v1/estimates", async (req) => {
    who(req);
    const b = parse(estimateSchema, req.body);
    const v = s.view();
    if (b.qos !== undefined && !s.world.qos.has(b.qos)) throw new HttpError(400, "invalid_request", `qos: expected a QoS class of the scenario, got "${b.qos}"`, [{ path: "qos", message: "unknown QoS class" }]);
    s.checkJob({ id: 0, project: "estimate", user: "estimate", cores: b.cores, walltime_s: b.walltime_s, gpus: b.gpus, exclusive: b.exclusive, cpu_usage: b.cpu_usage });
    const starts: number[] = [];
    for (let k = 0; k * b.step_s <= b.window_s && k < 1000; k++) starts.push(v.now + k * b.step_s);
    const job = queuedJobView({ id: -1, submit: v.now, runtime: b.walltime_s, walltime: b.walltime_s, cores: b.cores, user: -1, group: -1, project: "estimate", queue: -1, partition: -1, avgCpuTime: -1, ...(b.cpu_usage !== undefined ? { cpuUsage: b.cpu_usage } : {}), ...(b.gpus !== undefined ? { gpus: b.gpus, runtimes: { gpu: b.walltime_s } } : {}), ...(b.exclusive ? { exclusive: true } : {}), ...(b.qos !== undefined ? { qos: s.world.qos.get(b.qos) } : {}) }, { wallUsed: 0, ranSeconds: 0 });
    const list = estimate(job, v, { starts, ...(b.preference !== undefined ? { preference: b.preference } : {}) });
    return { now: iso(v.now), estimates: list.slice(0, 20).map((e) => estimateJson(e, v.pools[e.pool].nodeType, iso)) };
  });
  app.post("/v1/clock", async (req) => {
    admin(req);
    const b = parse(clockSchema, req.body);
    if (s.clock !== "simulated") throw new HttpError(409, "conflict", "this service runs on the real clock: its time cannot be set");
    const t = timeOf(b)!;
    await s.tick(t);
    return { now: iso(s.now), now_t: s.now, next_t: Number.isFinite(s.nextWake()) ? s.nextWake() : null, queued: s.queuedCount(), running: s.runningCount() };
  });
  app.get<{ Querystring: { after?: string; limit?: string } }>("/v1/decisions", async (req) => {
    admin(req);
    const after = Number(req.query.after ?? 0);
    const limit = Math.min(10_000, Math.max(1, Number(req.query.limit ?? 1000)));
    if (!Number.isFinite(after) || !Number.isFinite(limit)) throw new HttpError(400, "invalid_request", "after and limit: expected numbers", [{ path: "after", message: "expected a number" }]);
    return { decisions: s.decisionsAfter(after, limit).map((d) => ({ ...d, time: iso(d.t), ...(d.until !== undefined ? { until_time: iso(d.until) } : {}) })), now_t: s.now, next_t: Number.isFinite(s.nextWake()) ? s.nextWake() : null, queued: s.queuedCount() };
  });
  app.get("/v1/cluster", async (req) => {
    admin(req);
    return s.cluster();
  });
  app.post<{ Params: { site: string } }>("/v1/sites/:site/forecast", async (req) => {
    admin(req);
    const b = parse(forecastSchema, req.body);
    await s.forecast(req.params.site, s.worldTime(Date.parse(b.issued) / 1000), b.points.map((p) => ({ t: s.worldTime(Date.parse(p.time) / 1000), g_per_kwh: p.g_per_kwh })));
    return { site: req.params.site, points: b.points.length };
  });
  app.put<{ Params: { site: string } }>("/v1/sites/:site/power-budget", async (req) => {
    admin(req);
    const b = parse(powerBudgetSchema, req.body);
    await s.powerBudget(req.params.site, b.watts);
    return { site: req.params.site, watts: b.watts };
  });

  const period = (q: { from?: string; to?: string; at?: string }, key: "from" | "to" | "at", fallback: number): number => {
    const v = q[key];
    if (v === undefined) return fallback;
    const t = Date.parse(v) / 1000;
    if (!Number.isFinite(t)) throw new HttpError(400, "invalid_request", `${key}: expected an ISO 8601 time, got ${JSON.stringify(v)}`, [{ path: key, message: "expected an ISO 8601 time" }]);
    return t;
  };
  const nowEpoch = () => s.epoch(s.now);
  app.get<{ Params: { project: string }; Querystring: { user?: string; unit?: string; at?: string } }>("/v1/projects/:project/balance", async (req) => {
    ofProject(req, req.params.project);
    const unit = req.query.unit !== undefined ? wrapInput(() => checkUnit(req.query.unit!, "unit")) : undefined;
    const b = await o.ledger.balance(req.params.project, { user: req.query.user, at: period(req.query, "at", nowEpoch()), unit });
    metrics.budgetLeft.set({ project: b.project, unit: b.unit }, b.left);
    return { ...b, period_start: new Date(b.periodStart * 1000).toISOString(), period_end: new Date(b.periodEnd * 1000).toISOString() };
  });
  app.get<{ Params: { project: string }; Querystring: { user?: string; from?: string; to?: string; unit?: string } }>("/v1/projects/:project/statement", async (req) => {
    ofProject(req, req.params.project);
    const to = period(req.query, "to", nowEpoch() + 1);
    const from = period(req.query, "from", to - 30 * 86400);
    return statement(o.ledger, { project: req.params.project, user: req.query.user, from, to, unit: req.query.unit, withBalance: true });
  });
  app.get<{ Params: { project: string }; Querystring: { user?: string; from?: string; to?: string } }>("/v1/projects/:project/entries.csv", async (req, reply) => {
    ofProject(req, req.params.project);
    const entries = await o.ledger.entries({ project: req.params.project, user: req.query.user, ...(req.query.from ? { from: period(req.query, "from", 0) } : {}), ...(req.query.to ? { to: period(req.query, "to", 0) } : {}) });
    return reply.type("text/csv; charset=utf-8").send(entriesCsv(entries));
  });
  app.post<{ Params: { project: string } }>("/v1/projects/:project/grants", async (req, reply) => {
    admin(req);
    const b = parse(grantSchema, req.body);
    const r = await o.ledger.grant({ key: b.key, project: req.params.project, user: b.user, unit: b.unit, amount: b.amount, periodStart: Date.parse(b.period_start) / 1000, periodEnd: Date.parse(b.period_end) / 1000, note: b.note });
    return reply.code(r.duplicate ? 200 : 201).send(r);
  });
  app.post<{ Params: { project: string } }>("/v1/projects/:project/tokens", async (req, reply) => {
    admin(req);
    const b = parse(tokenSchema, req.body);
    if (!/^[A-Za-z0-9_.@:+-]{1,128}$/.test(req.params.project)) throw new HttpError(400, "invalid_request", "project: expected 1 to 128 letters, digits or _.@:+-", [{ path: "project", message: "bad project name" }]);
    const token = newToken("project");
    await o.tokens.add(token, "project", b.label, req.params.project);
    return reply.code(201).send({ project: req.params.project, label: b.label, token, note: "shown once: only its hash is kept" });
  });
  app.post("/v1/refunds", async (req, reply) => {
    admin(req);
    const b = parse(refundSchema.extend({ refers: refundSchema.shape.reason }), req.body);
    const r = await wrapInputAsync(() => o.ledger.refund(b.key ?? `${b.refers}/refund`, b.refers, b.reason));
    return reply.code(r.duplicate ? 200 : 201).send(r);
  });
  return app;
}

function wrapInput<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof InputError) throw new HttpError(400, "invalid_request", err.message, err.issues.map((i) => ({ path: i.path ?? i.file, message: i.message })));
    throw err;
  }
}

async function wrapInputAsync<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (err) {
    if (err instanceof InputError) {
      const missing = err.issues.some((i) => i.code === "unknown_reference");
      throw new HttpError(missing ? 404 : 400, missing ? "not_found" : "invalid_request", err.message, err.issues.map((i) => ({ path: i.path ?? i.file, message: i.message })));
    }
    throw err;
  }
}

/** An estimate as JSON: times in ISO, figures in kWh, kg and Pt. */
function estimateJson(e: Estimate, nodeType: string, iso: (t: number) => string | null): unknown {
  const cc = e.impacts.reduce((a, v, i) => (i % 18 === 0 ? a + v : a), 0);
  return {
    site: e.site,
    node_type: nodeType,
    device: e.device,
    start: iso(e.start),
    wait_s: e.wait_s,
    runtime_s: e.runtime_s,
    nodes: e.nodes,
    energy_facility_kwh: e.energy_facility_j / 3.6e6,
    cc_kgco2eq: cc,
    single_score_pt: e.single_score_pt,
    rank_cost: e.rank_cost,
    sbatch: [`--partition=${e.site}`, ...(e.wait_s > 0 ? [`--begin=now+${Math.round(e.wait_s)}`] : [])],
  };
}

export type { FastifyReply };
