/**
 * The World boundary (docs/world-protocol.md): what a world, simulated or
 * live, offers a policy, and the one pass that runs a policy against it. Both
 * worlds implement World; decisionPass() is the only place a policy is called,
 * so both call it alike: the events since the last pass, a frozen view of now,
 * the policy's stored state; decisions applied in order, refusals returned as
 * data and reported again as events.
 */
import { SimulationError } from "../core/index.js";
import type { ClusterView, Decision, Policy, RefusalReason, WorldEvent } from "./view.js";

/** A decision the world did not apply, and why. */
export interface Refusal {
  readonly decision: Decision;
  readonly reason: RefusalReason;
}

export interface World {
  /** The view of now: frozen, valid for one decide() call. */
  view(): ClusterView;
  /** The events since the last call, in time order (then in the order they happened); the world forgets them. */
  takeEvents(): WorldEvent[];
  /**
   * Applies decisions in order, each checked (planner/decisions.ts) against the
   * state the earlier ones left. Refused ones change nothing; they are returned
   * and reported as `decisionRefused` events on the next call.
   */
  apply(decisions: readonly Decision[]): readonly Refusal[];
  /** The policy's state, stored by the world between calls (and, in a live world, across restarts). */
  policyState: unknown;
  /** A time of the world's clock in words, for messages (e.g. ISO 8601). */
  describeTime(t: number): string;
}

export interface PassOptions {
  /**
   * Check that the policy's state survives a JSON round trip after each pass
   * (what a live world's store does to it): a policy that keeps a Map or a
   * function there fails at once, here, instead of after a restart.
   */
  readonly checkState?: boolean;
}

/**
 * One decision pass: the policy decides on the world's view and events, the
 * world applies what it decided.
 * @returns the decisions and those refused
 * @throws SimulationError when the policy throws (with the time, the policy and what it was deciding on) or its state is not JSON data under checkState
 */
export function decisionPass(world: World, policy: Policy<unknown>, options: PassOptions = {}): { decisions: readonly Decision[]; refusals: readonly Refusal[] } {
  const view = world.view();
  const events = world.takeEvents();
  let decisions: readonly Decision[];
  try {
    decisions = policy.decide(view, events, world.policyState);
  } catch (err) {
    throw policyFailure(policy, view, events, err, world.describeTime(view.now));
  }
  if (options.checkState) world.policyState = roundTrip(policy, world.policyState, world.describeTime(view.now));
  return { decisions, refusals: world.apply(decisions) };
}

/** A policy's exception as a simulation error saying when, which policy, and what it was deciding on. */
export function policyFailure(policy: Policy<unknown>, view: ClusterView, events: readonly WorldEvent[], err: unknown, when: string): SimulationError {
  const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  const jobs = events.flatMap((e) => ("jobId" in e ? [`${e.kind} job ${e.jobId}`] : e.kind === "decisionRefused" ? [] : [e.kind]));
  const shown = jobs.slice(0, 5).join(", ") + (jobs.length > 5 ? `, and ${jobs.length - 5} more` : "");
  const head = view.queue.length > 0 ? `; ${view.queue.length} job(s) queued, the first job ${view.queue[0].id}` : "; no job queued";
  return new SimulationError(`policy "${policy.name}" failed at t=${view.now} s (${when}) deciding on ${shown || "no new event"}${head}: ${msg}`, { cause: err });
}

/** The state as a store would give it back; throws when it is not plain JSON data. */
function roundTrip(policy: Policy<unknown>, state: unknown, when: string): unknown {
  if (state === undefined) return undefined;
  const text = JSON.stringify(state);
  const back: unknown = text === undefined ? undefined : JSON.parse(text);
  const where = firstDifference(state, back, "state");
  if (where !== undefined) throw new SimulationError(`policy "${policy.name}" at ${when}: its state is not plain JSON data (a store would lose ${where}): keep Maps, Sets, functions and class instances out of it`);
  return back;
}

/** The path of the first place where a and b differ, or undefined when they are equal data. */
function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return Number.isNaN(a) && Number.isNaN(b) ? undefined : path;
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return path;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return path;
  for (const k of ka) {
    const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d !== undefined) return d;
  }
  return undefined;
}
