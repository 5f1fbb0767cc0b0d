/** A policy wrapper for tests: records each call (time, events given, decisions returned). */
import type { ClusterView, Decision, Policy, WorldEvent } from "../../src/planner/view.js";

export interface Call {
  now: number;
  happened: WorldEvent[];
  decisions: readonly Decision[];
}

/** Wraps `inner`; `onDecide` sees the view and the decisions of every call before they are applied. */
export function recording<S = void>(inner: Policy<S>, onDecide?: (view: ClusterView, decisions: readonly Decision[]) => void): Policy<S> & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    name: inner.name,
    version: inner.version,
    params: inner.params,
    calls,
    ...(inner.initialState ? { initialState: () => inner.initialState!() } : {}),
    decide(view, happened, state) {
      const decisions = inner.decide(view, happened, state);
      onDecide?.(view, decisions);
      calls.push({ now: view.now, happened: [...happened], decisions: [...decisions] });
      return decisions;
    },
  };
}
