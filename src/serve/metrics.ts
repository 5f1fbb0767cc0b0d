/**
 * Prometheus metrics of the service (GET /metrics): requests and their
 * latency, decision passes and their latency, decisions by kind, and what was
 * charged by site and project (jobs, facility energy, climate change, single
 * score), budgets left, the queue and running jobs.
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { amountIn, type ChargeInput } from "../ledger/index.js";
import type { Decision } from "../planner/index.js";

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({ name: "impactsim_http_requests_total", help: "HTTP requests by route, method and status", labelNames: ["route", "method", "status"], registers: [this.registry] });
  readonly latency = new Histogram({ name: "impactsim_http_request_duration_seconds", help: "HTTP request latency", labelNames: ["route"], buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5], registers: [this.registry] });
  readonly passLatency = new Histogram({ name: "impactsim_decision_pass_duration_seconds", help: "Duration of a decision pass (the policy over the live view, decisions applied)", buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 1], registers: [this.registry] });
  readonly decisions = new Counter({ name: "impactsim_decisions_total", help: "Decisions by kind", labelNames: ["kind"], registers: [this.registry] });
  readonly charges = new Counter({ name: "impactsim_charges_total", help: "Jobs charged", labelNames: ["site", "project", "basis"], registers: [this.registry] });
  readonly energy = new Counter({ name: "impactsim_energy_facility_joules_total", help: "Facility energy charged to jobs, J", labelNames: ["site", "project"], registers: [this.registry] });
  readonly climate = new Counter({ name: "impactsim_climate_change_kgco2eq_total", help: "Climate change charged to jobs (all life-cycle phases), kg CO2e", labelNames: ["site", "project"], registers: [this.registry] });
  readonly score = new Counter({ name: "impactsim_single_score_pt_total", help: "EF 3.1 single score charged to jobs, Pt", labelNames: ["site", "project"], registers: [this.registry] });
  readonly budgetLeft = new Gauge({ name: "impactsim_budget_left", help: "Budget left in its unit at the last check", labelNames: ["project", "unit"], registers: [this.registry] });
  readonly queued = new Gauge({ name: "impactsim_queued_jobs", help: "Jobs waiting", registers: [this.registry] });
  readonly running = new Gauge({ name: "impactsim_running_jobs", help: "Jobs running", registers: [this.registry] });

  /** The counter and histogram of each route, method and status, found once (prom-client checks and hashes the labels at each call). */
  private readonly byRequest = new Map<string, { count: Counter.Internal; latency: Histogram.Internal<string> }>();

  /** One request answered: counted by route, method and status, its latency (s; undefined: not timed) observed by route. */
  request(route: string, method: string, status: number, seconds: number | undefined): void {
    const key = `${method} ${status} ${route}`;
    let m = this.byRequest.get(key);
    if (!m) this.byRequest.set(key, (m = { count: this.requests.labels({ route, method, status: String(status) }), latency: this.latency.labels({ route }) }));
    m.count.inc();
    if (seconds !== undefined) m.latency.observe(seconds);
  }

  pass(ms: number, decisions: readonly Decision[]): void {
    this.passLatency.observe(ms / 1000);
    for (const d of decisions) this.decisions.inc({ kind: d.kind });
  }

  charge(c: ChargeInput): void {
    const l = { site: c.site, project: c.project };
    this.charges.inc({ ...l, basis: c.basis });
    // Counters only go up: a negative figure (an embodied credit) is left out of the counter and shows in statements.
    if (c.energyFacilityJ > 0) this.energy.inc(l, c.energyFacilityJ);
    const cc = amountIn(c, "cc_kgco2eq");
    if (cc > 0) this.climate.inc(l, cc);
    if (c.singleScorePt > 0) this.score.inc(l, c.singleScorePt);
  }
}
