/**
 * Power capping around another policy (EASY by default): keeps each site's IT
 * power under its budget (SiteView.powerBudgetW; Infinity: none). In each pass
 * the inner policy decides, then its starts are checked in order against the
 * site's power: view.sites[s].powerW plus what the starts kept earlier in the
 * pass add, each start adding its draw running less its draw held idle
 * (resources.placementCharge: nodes x (busy - idle draw) for whole nodes, the
 * dynamic draw of its cores and its devices' busy draw over idle when it
 * shares nodes, priced as if alone on them: with a concave load curve, what it
 * adds beside other jobs is no more).
 * A start that would pass the budget is
 * - started in a DVFS state instead when its pool has them (CPU jobs with a
 *   runtime model, and plain batch jobs too with `throttle_batch`): the fastest
 *   state that fits, so the job is slowed no more than the budget needs;
 * - or withheld: it stays queued, a `defer` until now records why (once per
 *   reason), and the inner policy offers it again in later passes, which come
 *   when jobs end. While a job waits for power at a site, later starts at that
 *   site wait too (no power backfilling, which could starve it).
 * A job that passes every site's budget even with all other nodes idle is kept
 * from the inner policy altogether (so it holds no nodes in its reckoning and
 * holds up nobody) and waits, recorded, for a larger budget.
 * Other decisions pass through unchanged. Switch-on draws (setPowerState "on"
 * from the inner policy) and FPGA reconfiguration draws are not in the view
 * and not counted.
 */
import type { ClusterView, Decision, PoolView, Policy, QueuedJobView, WorldEvent } from "../view.js";
import { defaultDevice, placementCharge } from "../resources.js";
import { policyEasyBackfill } from "./easy.js";
import { restrictView } from "./restrict.js";

export interface PowerCapParams {
  /** Use DVFS states to fit starts under the budget (default true). */
  readonly dvfs?: boolean;
  /**
   * Throttle plain batch jobs too (default false): their run time at a lower
   * speed is unknown to the planner and may pass their walltime, and the world
   * kills a job at its walltime.
   */
  readonly throttle_batch?: boolean;
}

export function policyPowerCap(inner: Policy = policyEasyBackfill(), params: PowerCapParams = {}): Policy {
  for (const k of ["dvfs", "throttle_batch"] as const) {
    if (params[k] !== undefined && typeof params[k] !== "boolean") throw new TypeError(`policyPowerCap: ${k}: expected a boolean, got ${JSON.stringify(params[k])}`);
  }
  const dvfs = params.dvfs ?? true;
  const throttleBatch = params.throttle_batch ?? false;
  /** Last reason recorded per withheld job, so each reason is recorded once. */
  const recorded = new Map<number, string>();
  /** Per queued job seen: whether it fits its site's budget in some pool with every other node idle (cleared when a budget changes). */
  const fitsAlone = new Map<number, boolean>();
  let budgetsSeen = "";

  /** IT power a start adds in `pool`: its draw running less its draw held idle, in the given DVFS state. */
  function addedWatts(job: QueuedJobView, pool: PoolView, device: NonNullable<ReturnType<typeof defaultDevice>>, pstate: number | undefined): number {
    const c = placementCharge(job, pool, device, pstate);
    return c.runWatts - c.holdWatts;
  }

  /** DVFS states a start of `job` on `device` may use, fastest first. */
  function statesFor(job: QueuedJobView, pool: PoolView, device: string, pstate: number | undefined): number[] {
    const states: number[] = [];
    if (dvfs && device === "cpu" && pstate === undefined && (job.runtimes?.cpu !== undefined || throttleBatch)) {
      pool.dvfsSpeeds.forEach((_, i) => states.push(i));
      states.sort((a, b) => pool.dvfsSpeeds[b] - pool.dvfsSpeeds[a] || a - b);
    }
    return states;
  }

  /** Least IT power a start of `job` can add in `pool` (default or an allowed DVFS state); Infinity where it cannot run. */
  function leastAdded(job: QueuedJobView, pool: PoolView): number {
    const device = defaultDevice(job, pool);
    if (device === undefined) return Infinity;
    return Math.min(addedWatts(job, pool, device, undefined), ...statesFor(job, pool, device, undefined).map((i) => addedWatts(job, pool, device, i)));
  }

  return {
    name: "powercap",
    version: "1",
    params: { inner: inner.name, inner_version: inner.version, inner_params: inner.params, dvfs, throttle_batch: throttleBatch },
    decide(view: ClusterView, happened: readonly WorldEvent[]): readonly Decision[] {
      const sites = view.sites;
      if (sites.every((s) => s.powerBudgetW === Infinity)) return inner.decide(view, happened);
      const floor = sites.map(() => 0);
      for (const p of view.pools) floor[p.siteIndex] += p.nodes * p.idleWatts;
      // Jobs that fit no budget even on an otherwise idle site are kept from the inner
      // policy, so they hold no nodes in its reckoning and wait on their own.
      const budgets = sites.map((s) => s.powerBudgetW).join(",");
      if (budgets !== budgetsSeen) {
        budgetsSeen = budgets;
        fitsAlone.clear();
      }
      const out: Decision[] = [];
      let never = false;
      for (const job of view.queue) {
        let fits = fitsAlone.get(job.id);
        if (fits === undefined) {
          fits = view.pools.some((p) => floor[p.siteIndex] + leastAdded(job, p) <= sites[p.siteIndex].powerBudgetW);
          fitsAlone.set(job.id, fits);
        }
        if (fits) continue;
        never = true;
        const least = Math.min(...view.pools.map((p) => leastAdded(job, p) + floor[p.siteIndex] - sites[p.siteIndex].powerBudgetW));
        if (recorded.get(job.id) !== "never") {
          recorded.set(job.id, "never");
          out.push({
            kind: "defer",
            jobId: job.id,
            until: view.now,
            why: { reason: `power cap: it passes every site's budget even with all other nodes idle (by ${least} W at least); it waits for a larger budget`, expected: { over_budget_w: least } },
          });
        }
      }
      const decisions = inner.decide(never ? restrictView(view, undefined, (j) => fitsAlone.get(j.id) !== false) : view, happened);
      const committed = sites.map((s) => s.powerW);
      /** Per site: the job waiting for power that later starts queue behind (-1: none). */
      const blocked = sites.map(() => -1);
      let byId: Map<number, QueuedJobView> | undefined;
      for (const d of decisions) {
        if (d.kind !== "start") {
          out.push(d);
          continue;
        }
        const pool = view.pools[d.pool];
        const s = pool?.siteIndex;
        const budget = pool === undefined ? Infinity : sites[s].powerBudgetW;
        byId ??= new Map(view.queue.map((j) => [j.id, j]));
        const job = byId.get(d.jobId);
        const device = job && (d.device ?? defaultDevice(job, pool));
        if (budget === Infinity || job === undefined || device === undefined) {
          // Unlimited, or a decision the world will refuse anyway.
          fitsAlone.delete(d.jobId);
          out.push(d);
          continue;
        }
        const added = (pstate: number | undefined) => addedWatts(job, pool, device, pstate);
        const base = added(d.pstate);
        const expected = (a: number) => ({ site_power_w: sites[s].powerW, committed_w: committed[s], added_w: a, budget_w: budget });
        if (blocked[s] < 0 && committed[s] + base <= budget) {
          committed[s] += base;
          recorded.delete(d.jobId);
          fitsAlone.delete(d.jobId);
          out.push(d);
          continue;
        }
        const states = statesFor(job, pool, device, d.pstate);
        if (blocked[s] < 0) {
          const fit = states.find((i) => committed[s] + added(i) <= budget);
          if (fit !== undefined) {
            const a = added(fit);
            committed[s] += a;
            recorded.delete(d.jobId);
            fitsAlone.delete(d.jobId);
            out.push({
              ...d,
              pstate: fit,
              why: {
                reason: `power cap: at full speed site ${sites[s].id} would draw ${committed[s] - a + base} W, over its budget of ${budget} W; started in DVFS state ${fit} (speed ${pool.dvfsSpeeds[fit]}), the fastest that fits`,
                expected: { ...expected(a), pstate: fit, speed: pool.dvfsSpeeds[fit] },
                alternatives: [{ option: "default state", expected: { added_w: base, site_power_w: committed[s] - a + base } }],
              },
            });
            continue;
          }
        }
        const least = Math.min(base, ...states.map(added));
        let key: string;
        let reason: string;
        if (blocked[s] >= 0) {
          key = `behind ${blocked[s]}`;
          reason = `power cap: job ${blocked[s]} waits for power at site ${sites[s].id} and starts first`;
        } else if (floor[s] + least > budget) {
          key = "pool";
          // Fits elsewhere, not in the pool the inner policy chose: it does not hold up the site.
          reason = `power cap: in pool ${d.pool} it adds ${least} W, which passes site ${sites[s].id}'s budget of ${budget} W even with every other node idle (${floor[s]} W)`;
        } else {
          blocked[s] = d.jobId;
          key = "over";
          reason = `power cap: it would raise site ${sites[s].id} from ${committed[s]} W to ${committed[s] + least} W, over its budget of ${budget} W; it waits until running work ends`;
        }
        if (recorded.get(d.jobId) !== key) {
          recorded.set(d.jobId, key);
          out.push({ kind: "defer", jobId: d.jobId, until: view.now, why: { reason, expected: expected(least) } });
        }
      }
      return out;
    },
  };
}
