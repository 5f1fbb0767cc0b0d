/**
 * impactsim serve's speed (issue 14): ledger charges per second (SQLite, one
 * transaction per charge as the service writes them, and 1,000 per
 * transaction), and decision latency under concurrent clients on loopback:
 * a service on the real clock (the default scenario, grid series held past
 * their end) with `queued` jobs waiting, then job submissions at `rate`
 * requests/s from `clients` concurrent clients, each answered with the
 * decision pass it caused. The clients run in a child process (their own
 * event loop). Prints p50/p99/max of the request latency (client side), the
 * decision pass and the CPU per request (service side). Then the most it
 * serves: the same clients, each sending its next request as soon as the last
 * is answered (closed loop), for --max-seconds (0: skipped).
 *
 * Where a request's time goes, for a busy machine: the service's own time per
 * request (its onRequest hook to its response sent), the event-loop delay in
 * the service and in the clients (time a ready callback waited: another
 * callback running, or the process waiting for a CPU), the load average, the
 * event-loop monitor's own CPU (measured idle), and the HTTP stack's own CPU
 * per request (GET /healthz at the same rate in open loop, and in the same
 * closed loop).
 *
 * The open-loop figures are given over all requests and, as steady state,
 * over those sent after the first --warmup seconds (default 1), when the
 * client process has compiled its request path.
 *
 * The queued jobs are submitted before the load: the last --warm of them
 * (default 10,000) over HTTP by the same clients in closed loop, the others
 * in process, so that the service's request path has been optimised by V8 as
 * in a service that has run for a while (a service started cold runs it
 * unoptimised for thousands of requests: 30-35% more CPU per request).
 *
 * The clients are a small keep-alive HTTP/1.1 client over node:net (class
 * Connection), one request at a time per connection, each timed from its send
 * to the last byte of its response.
 *
 * Usage: npx tsx bench/serve.ts [--queued 10000] [--warm 10000] [--rate 200] [--seconds 10] [--warmup 1] [--clients 8] [--max-seconds 5] [--charges 20000] [--json]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { connect, type Socket } from "node:net";
import { loadavg } from "node:os";
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { N_IMPACTS, openLedger, type ChargeInput } from "../src/ledger/index.js";
import { DEFAULT_SCENARIO } from "../src/run/index.js";
import { buildApp, loadServiceWorld, Service, ServiceMetrics, Tokens } from "../src/serve/index.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const QUEUED = arg("queued", 10_000);
const RATE = arg("rate", 200);
const SECONDS = arg("seconds", 10);
const CLIENTS = arg("clients", 8);
const MAX_SECONDS = arg("max-seconds", 5);
/**
 * Seconds at the start of the open-loop load left out of the steady-state
 * figures (printed beside those over all requests): the client process starts
 * cold, and its HTTP path and the service's are compiled during the first
 * requests (a 3 s load measured p99 22 ms where an 8 s one measured 5.3 ms).
 */
const WARMUP_SECONDS = arg("warmup", 1);
const CHARGES = arg("charges", 20_000);
/** Of the queued jobs, the last this many are submitted over HTTP (CLIENTS clients, closed loop), the others in process. */
const WARM = arg("warm", 10_000);
const JSON_OUT = process.argv.includes("--json");
const job = (id: number) => ({ id, project: `p${id % 20}`, user: `u${id % 97}`, cores: 64, walltime_s: 86400 });
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** An event-loop delay histogram's p50/p99/max, ms. */
const loopDelay = (h: IntervalHistogram) => ({ p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 });

/**
 * One keep-alive HTTP/1.1 connection of the clients, one request at a time:
 * the request written as one string, the response read by its status line,
 * Content-Length and body. Lighter than node:http's client (no request and
 * response objects, streams or header maps per request), whose own CPU
 * competed with the service for this machine's 2 cores; the latency is still
 * the whole HTTP round trip, from the request's send to its response's last
 * byte, in this separate process.
 */
class Connection {
  private chunks: Buffer[] = [];
  private size = 0;
  private waiting?: { done: () => void; fail: (err: Error) => void };

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on("data", (d: Buffer) => this.data(d));
    socket.on("error", (err) => this.end(err));
    socket.on("close", () => this.end(new Error("connection closed by the service")));
  }

  static open(host: string, port: number): Promise<Connection> {
    return new Promise((res, rej) => {
      const s = connect({ host, port }, () => res(new Connection(s)));
      s.once("error", rej);
    });
  }

  /** Sends one request; resolves when its whole response is in. @throws Error on a status of 300 or more, a closed connection or a response it cannot read */
  send(request: string): Promise<void> {
    if (this.waiting) return Promise.reject(new Error("bench client: a request is already in flight on this connection"));
    return new Promise((done, fail) => {
      this.waiting = { done, fail };
      this.socket.write(request);
    });
  }

  close(): void {
    this.waiting = undefined;
    this.socket.destroy();
  }

  private end(err: Error): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.fail(err);
  }

  private data(d: Buffer): void {
    this.chunks.push(d);
    this.size += d.length;
    const buf = this.chunks.length === 1 ? d : Buffer.concat(this.chunks, this.size);
    const head = buf.indexOf("\r\n\r\n");
    if (head < 0) return;
    const header = buf.toString("latin1", 0, head);
    const status = Number(header.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(header);
    if (!length) return this.end(new Error(`bench client: expected a response with Content-Length, got ${JSON.stringify(header)}`));
    const total = head + 4 + Number(length[1]);
    if (buf.length < total) return;
    this.chunks = [];
    this.size = 0;
    if (buf.length > total) return this.end(new Error(`bench client: ${buf.length - total} bytes after a response, with one request in flight`));
    const w = this.waiting;
    this.waiting = undefined;
    if (!w) return;
    if (status >= 300 || !(status >= 100)) w.fail(new Error(`bench client: ${header.split("\r\n")[0]}: ${buf.toString("utf8", head + 4)}`));
    else w.done();
  }
}

/** The clients' event-loop delay sampling period, ms: coarser than the service's, so that the clients wake less often on the shared cores. */
const CLIENT_LOOP_MS = 10;

/**
 * The load: job submissions at RATE/s (open loop), or closed loop with
 * `closed` (each client sends its next request when the last is answered),
 * for SECONDS or, with `count`, for that many requests, over CLIENTS
 * keep-alive connections opened before the clock starts; prints the
 * latencies' summary as JSON.
 */
async function clients(base: string, first: number, closed: boolean, healthz: boolean, count: number): Promise<void> {
  const loop = monitorEventLoopDelay({ resolution: CLIENT_LOOP_MS });
  loop.enable();
  const url = new URL(base);
  const free = await Promise.all(Array.from({ length: CLIENTS }, () => Connection.open(url.hostname, Number(url.port))));
  const all = [...free];
  const head = `Host: ${url.host}\r\nAuthorization: Bearer bench-admin-token-0123456789\r\n`;
  /** Requests due while every connection was busy, sent in order as connections free up (their wait counts in their latency). */
  const queue: { text: string; t: number; res: (ms: number) => void; rej: (err: Error) => void }[] = [];
  const run = (c: Connection, q: (typeof queue)[number]): void => {
    c.send(q.text).then(() => {
      q.res(performance.now() - q.t);
      const next = queue.shift();
      if (next) run(c, next);
      else free.push(c);
    }, q.rej);
  };
  const post = (id: number): Promise<number> =>
    new Promise((res, rej) => {
      const t = performance.now();
      let text: string;
      if (healthz) text = `GET /healthz HTTP/1.1\r\n${head}\r\n`;
      else {
        const data = JSON.stringify(job(id));
        text = `POST /v1/jobs HTTP/1.1\r\n${head}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(data)}\r\n\r\n${data}`;
      }
      const q = { text, t, res, rej };
      const c = free.pop();
      if (c) run(c, q);
      else queue.push(q);
    });
  const latencies: number[] = [];
  /** Latencies of the requests sent after the first WARMUP_SECONDS (open loop). */
  const steady: number[] = [];
  const total = RATE * SECONDS;
  const t = performance.now();
  if (closed) {
    let next = first;
    await Promise.all(Array.from({ length: CLIENTS }, async () => {
      while (count > 0 ? next < first + count : performance.now() - t < SECONDS * 1000) latencies.push(await post(next++));
    }));
  } else await new Promise<void>((done, fail) => {
    let sent = 0;
    // Woken when the next request is due (not polled every millisecond: the clients' own CPU competes with the service).
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t) / 1000) * RATE) + 1);
      for (; sent < due; sent++) {
        const warm = sent >= WARMUP_SECONDS * RATE;
        post(first + sent).then((ms) => {
          if (warm) steady.push(ms);
          if (latencies.push(ms) === total) done();
        }, fail);
      }
      if (sent < total) setTimeout(tick, Math.max(0, t + (sent / RATE) * 1000 - performance.now()));
    };
    tick();
  });
  const wall = (performance.now() - t) / 1000;
  for (const c of all) c.close();
  loop.disable();
  const steadyFigures = steady.length > 0 ? { steadyRequests: steady.length, steadyP50: pct(steady, 50), steadyP99: pct(steady, 99), steadyMax: Math.max(...steady) } : {};
  // The histogram holds the times between the sampling timer's callbacks: less its period, how late each came.
  const late = (x: number) => Math.max(0, x - CLIENT_LOOP_MS);
  const d = loopDelay(loop);
  console.log(JSON.stringify({ requests: latencies.length, wall, p50: pct(latencies, 50), p99: pct(latencies, 99), max: Math.max(...latencies), ...steadyFigures, loop: { p50: late(d.p50), p99: late(d.p99), max: late(d.max) } }));
  process.exit(0);
}
const clientAt = process.argv.indexOf("--client");
if (clientAt > 0) await clients(process.argv[clientAt + 1], arg("first", 1), process.argv.includes("--closed"), process.argv.includes("--healthz"), arg("count", 0));
const dir = mkdtempSync(join(tmpdir(), "impactsim-bench-serve-"));
const figures: Record<string, number> = {};
const say = (name: string, value: number, unit: string) => {
  figures[name] = value;
  if (!JSON_OUT) console.log(`  ${name.padEnd(52)} ${value >= 100 ? Math.round(value).toLocaleString("en") : value.toPrecision(4)} ${unit}`);
};
if (!JSON_OUT) console.log(`impactsim serve bench on ${cpus()[0]?.model ?? "?"} x${cpus().length}, Node ${process.version}`);

// --- ledger charges per second -------------------------------------------------
function charge(i: number): ChargeInput {
  const impacts = new Array<number>(N_IMPACTS).fill(0).map((_, k) => (k % 7) * 1e-3 * (1 + (i % 13)));
  return { key: `bench/job/${i}`, job: String(i), project: `p${i % 20}`, user: `u${i % 97}`, site: i % 2 ? "fr" : "de", nodeType: "dell-r640", start: 1.58e9 + i, end: 1.58e9 + i + 3600, energyItJ: 1e6 + i, energyFacilityJ: 1.5e6 + i, impacts, singleScorePt: 1e-4 * (i % 17), basis: "model", provenance: { model: "bench" }, waste: { killed: false, walltime_unused_core_s: 10, idle_reserved_core_s: 5 } };
}
{
  const ledger = await openLedger(join(dir, "charges.sqlite"));
  // As the service writes them: record() in a transaction per event. CPU time too (the machine may be busy).
  const cpuRate = (n: number, c0: NodeJS.CpuUsage) => {
    const c = process.cpuUsage(c0);
    return n / ((c.user + c.system) / 1e6);
  };
  let t = performance.now();
  let c0 = process.cpuUsage();
  for (let i = 0; i < CHARGES; i++) await ledger.db.tx(async (db) => void (await ledger.record(charge(i), db)));
  say("ledger charges, one transaction each (SQLite)", CHARGES / ((performance.now() - t) / 1000), "charges/s");
  say("  the same per CPU second", cpuRate(CHARGES, c0), "charges/CPU-s");
  t = performance.now();
  c0 = process.cpuUsage();
  for (let b = 0; b < CHARGES; b += 1000) await ledger.db.tx(async (db) => { for (let i = b; i < b + 1000; i++) await ledger.record(charge(CHARGES + i), db); });
  say("ledger charges, 1,000 per transaction (SQLite)", CHARGES / ((performance.now() - t) / 1000), "charges/s");
  say("  the same per CPU second", cpuRate(CHARGES, c0), "charges/CPU-s");
  t = performance.now();
  for (let i = 0; i < 2000; i++) await ledger.record(charge(i));
  say("ledger charges repeated (idempotent, no write)", 2000 / ((performance.now() - t) / 1000), "charges/s");
  await ledger.close();
}
// The service's commits as it makes them (one event each) with a pause every 4, as between requests: the tail of one
// commit (a WAL checkpoint in it, ledger/checkpoint.ts), apart from HTTP and the decision pass.
{
  const ledger = await openLedger(join(dir, "commits.sqlite"));
  const lat: number[] = [];
  const N = 6000;
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await ledger.db.tx(async (db) => void (await ledger.appendEvent(i, { kind: "submit", t: i, job: job(i) }, db)));
    lat.push(performance.now() - t0);
    if (i % 4 === 3) await new Promise((r) => setTimeout(r, 1));
  }
  await ledger.close();
  say(`ledger event commits, ${N} paced: p50`, pct(lat, 50), "ms");
  say("  p99", pct(lat, 99), "ms");
  say("  p99.9", pct(lat, 99.9), "ms");
  say("  max", Math.max(...lat), "ms");
  say("  commits over 5 ms", lat.filter((x) => x > 5).length, "");
}

// --- decision latency ----------------------------------------------------------
const spec = JSON.parse(readFileSync(DEFAULT_SCENARIO, "utf8")) as Record<string, unknown> & { platform: string; workload: { file: string; start: string } };
spec.platform = resolve(dirname(DEFAULT_SCENARIO), spec.platform);
spec.workload.file = resolve(dirname(DEFAULT_SCENARIO), spec.workload.file);
spec.series_extension = "hold";
// World time 0 is now, so the real clock starts at the scenario's start (no catch-up over the grid series' hours).
spec.workload.start = new Date().toISOString();
const scenario = join(dir, "scenario.json");
writeFileSync(scenario, JSON.stringify(spec));
const world = await loadServiceWorld(scenario);
const ledger = await openLedger(join(dir, "serve.sqlite"));
const passes: number[] = [];
const service = await Service.open({ world, ledger, clock: "real", cluster: "bench", onPass: (ms) => passes.push(ms) });
const tokens = await Tokens.load(ledger);
const TOKEN = "bench-admin-token-0123456789";
await tokens.add(TOKEN, "admin", "admin");
const app = await buildApp({ service, ledger, tokens, metrics: new ServiceMetrics(), rateLimit: 0, log: false });
// Service side: its own time per request (first hook to response sent), and its event-loop delay.
// Callback hooks and a Map (not async hooks and a WeakMap, whose promises and ephemerons would add to what is measured).
const since = new Map<object, number>();
const served: number[] = [];
app.addHook("onRequest", (req, _reply, done) => {
  since.set(req, performance.now());
  done();
});
app.addHook("onResponse", (req, _reply, done) => {
  served.push(performance.now() - since.get(req)!);
  since.delete(req);
  done();
});
const url = await app.listen({ port: 0, host: "127.0.0.1" });
// Sampled every 1 ms (its figures include that 1 ms period: a coarser one would raise them). Its own cost is in the
// service's CPU per request: ~33 ms of CPU per second measured idle, ~0.17 ms per request at 200/s, ~0.01 in closed loop.
const loop = monitorEventLoopDelay({ resolution: 1 });
// Jobs of 64 cores for a day: the 480 cores of the platform hold 7 of them at once, the rest wait. The first in process,
// the last WARM over HTTP (closed loop), so that the service's request path has been through V8's compilers as in a
// service that has run for a while: V8 optimises a function after it has run a given amount of bytecode, so the
// request path of a service started cold runs unoptimised for the first thousands of requests (measured, 2,000
// queued: 1.4-1.55 ms of service CPU per request at 200/s, 0.9-1.1 after 11,000-15,000 requests over HTTP).
const inProcess = Math.max(0, QUEUED - WARM);
let t = performance.now();
const preloadCpu = process.cpuUsage();
for (let i = 1; i <= inProcess; i++) await service.submit(job(i));
const pc = process.cpuUsage(preloadCpu);
let first = inProcess + 1;
if (inProcess > 0) {
  say(`preload: ${inProcess} jobs submitted in process`, (performance.now() - t) / 1000, "s");
  // What the service itself does per submission (budget check, decision pass, ledger transaction), without HTTP.
  say("  CPU per submission in process (no HTTP)", (pc.user + pc.system) / 1000 / inProcess, "ms");
}
if (QUEUED > inProcess) {
  t = performance.now();
  const w = await load(true, false, QUEUED - inProcess);
  say(`preload: ${QUEUED - inProcess} jobs submitted over HTTP (closed loop)`, (performance.now() - t) / 1000, "s");
  say("  its service CPU per request", w.cpuMs / w.c.requests, "ms");
}
say("queued after preload", service.queuedCount(), "jobs");
// The same submissions in process at RATE/s (no HTTP, no client process): the service's own latency, which depends less
// on what else the machine runs than the figures over loopback. Timed from when each was due to its answer.
{
  const n = RATE * Math.min(SECONDS, 4);
  const lat: number[] = [];
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await new Promise<void>((done) => {
    let sent = 0;
    const tick = () => {
      const due = Math.min(n, Math.floor(((performance.now() - t0) / 1000) * RATE) + 1);
      for (; sent < due; sent++) {
        const at = t0 + (sent / RATE) * 1000;
        void service.submit(job(first + sent)).then(() => (lat.push(performance.now() - at) === n ? done() : undefined));
      }
      if (sent < n) setTimeout(tick, Math.max(0, t0 + (sent / RATE) * 1000 - performance.now()));
    };
    tick();
  });
  first += n;
  const c1 = process.cpuUsage(c0);
  say(`in process at ${RATE}/s, ${n} submissions: latency p50`, pct(lat, 50), "ms");
  say("  its latency p99", pct(lat, 99), "ms");
  say("  its latency max", Math.max(...lat), "ms");
  say("  its CPU per submission", (c1.user + c1.system) / 1000 / n, "ms");
}

/** One load (open loop at RATE, or closed loop for MAX_SECONDS or `count` requests) in a child process; returns the clients' summary and the service's CPU. */
async function load(closed: boolean, healthz = false, count = 0, seconds?: number): Promise<{ wallMs: number; c: { requests: number; wall: number; p50: number; p99: number; max: number; steadyRequests?: number; steadyP50?: number; steadyP99?: number; steadyMax?: number; loop: ReturnType<typeof loopDelay> }; cpuMs: number }> {
  passes.length = served.length = 0;
  loop.reset();
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // The clients in another process, so that they do not share the service's event loop.
  const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--client", url, "--first", String(first), "--rate", String(RATE), "--seconds", String(seconds ?? (closed ? MAX_SECONDS : SECONDS)), "--clients", String(CLIENTS), ...(closed ? ["--closed"] : []), ...(healthz ? ["--healthz"] : []), ...(count > 0 ? ["--count", String(count)] : [])], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  await new Promise((r) => child.once("exit", r));
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  loop.disable();
  const c = JSON.parse(out) as Awaited<ReturnType<typeof load>>["c"];
  first += c.requests;
  return { wallMs, c, cpuMs: (cpu.user + cpu.system) / 1000 };
}

// The event-loop monitor's own CPU (it wakes the service every 1 ms), measured idle: 1 s with it, 1 s without.
const idleCpuMs = async (monitor: boolean): Promise<number> => {
  if (monitor) loop.enable();
  const c0 = process.cpuUsage();
  await new Promise((r) => setTimeout(r, 1000));
  const c1 = process.cpuUsage(c0);
  loop.disable();
  return (c1.user + c1.system) / 1000;
};
const monitorMsPerS = Math.max(0, (await idleCpuMs(true)) - (await idleCpuMs(false)));
say("load average (1 min) before the requests", loadavg()[0], "");
const ck0 = { ...ledger.db.checkpoints! };
const { c, cpuMs, wallMs } = await load(false);
const ck = ledger.db.checkpoints!;
say(`requests at ${RATE}/s from ${CLIENTS} clients, ${QUEUED.toLocaleString("en")}+ queued`, c.requests, "requests");
say("achieved rate", c.requests / c.wall, "requests/s");
say("request latency p50", c.p50, "ms");
say("request latency p99", c.p99, "ms");
say("request latency max", c.max, "ms");
if (c.steadyRequests !== undefined) {
  say(`steady state (sent after the first ${WARMUP_SECONDS} s): requests`, c.steadyRequests, "requests");
  say("  request latency p50, steady state", c.steadyP50!, "ms");
  say("  request latency p99, steady state", c.steadyP99!, "ms");
  say("  request latency max, steady state", c.steadyMax!, "ms");
}
say("decision pass p50", pct(passes, 50), "ms");
say("decision pass p99", pct(passes, 99), "ms");
say("service CPU per request (user+system)", cpuMs / c.requests, "ms");
say("  of which its event-loop monitor (measured idle)", (monitorMsPerS * (wallMs / 1000)) / c.requests, "ms");
say("service time per request p50 (hook to response)", pct(served, 50), "ms");
say("service time per request p99", pct(served, 99), "ms");
const ld = loopDelay(loop);
say("service event-loop delay p50", ld.p50, "ms");
say("service event-loop delay p99", ld.p99, "ms");
say("service event-loop delay max", ld.max, "ms");
say("clients' event-loop delay p99", c.loop.p99, "ms");
// The ledger's WAL checkpoints during the load, off the requests (ledger/checkpoint.ts): run in its worker, of which caught up and restarted the WAL, and forced in the writer at the cap.
say("WAL checkpoints in the worker during the load", ck.checkpoints - ck0.checkpoints, "");
say("  of which restarted the WAL", ck.resets - ck0.resets, "");
say("  forced in the writer (WAL past its cap)", ck.forced - ck0.forced, "");
say("load average (1 min) after", loadavg()[0], "");
{
  // The same open loop with GET /healthz (no body, no service work): what a request costs the service when requests come
  // one at a time (waking the process, the HTTP stack and the socket, with caches cold between requests), beside the
  // closed-loop figures below, where a busy service handles requests back to back.
  const h = await load(false, true, 0, Math.min(SECONDS, 3));
  say(`GET /healthz at ${RATE}/s: service CPU per request`, h.cpuMs / h.c.requests, "ms");
  say("  of which its event-loop monitor", (monitorMsPerS * (h.wallMs / 1000)) / h.c.requests, "ms");
  say("  its request latency p50", h.c.p50, "ms");
  say("  its request latency p99", h.c.p99, "ms");
}
if (MAX_SECONDS > 0) {
  const m = await load(true);
  // Closed loop: CLIENTS clients for MAX_SECONDS s, each sending its next request when the last is answered.
  say("most served (clients in closed loop)", m.c.requests / m.c.wall, "requests/s");
  say("  its request latency p50", m.c.p50, "ms");
  say("  its request latency p99", m.c.p99, "ms");
  say("  its service CPU per request", m.cpuMs / m.c.requests, "ms");
  // The HTTP stack's own cost, for comparison: GET /healthz (no body, no service work) in the same closed loop.
  const h = await load(true, true);
  say("GET /healthz in closed loop: service CPU per request", h.cpuMs / h.c.requests, "ms");
  say("  its rate", h.c.requests / h.c.wall, "requests/s");
}
await app.close();
await service.close();
await ledger.close();
rmSync(dir, { recursive: true, force: true });
if (JSON_OUT) console.log(JSON.stringify(figures));
