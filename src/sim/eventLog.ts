/**
 * The world events since the last pass (planner/world.ts takeEvents). They are
 * gathered in one array kept from pass to pass and handed over as a copy of
 * exactly their number: the policy owns what it is given, and an array grown
 * from empty at every pass allocated room for 16 events at its first push
 * (about three times what a pass's one or two events need, at every pass).
 */
import type { WorldEvent } from "../planner/index.js";

export class EventLog {
  /** The first `n` entries are the events; those past them were handed over already. */
  private readonly events: (WorldEvent | undefined)[] = [];
  private n = 0;

  push(e: WorldEvent): void {
    this.events[this.n++] = e;
  }

  /** The events since the last take, in the order they happened; the log is empty after. */
  take(): WorldEvent[] {
    const events = this.events;
    const out = events.slice(0, this.n) as WorldEvent[];
    // Let go of them here: the policy holds them as long as it wants, this log not at all (a loop: fill() on a plain array ran in the runtime, a call per pass).
    for (let i = 0; i < this.n; i++) events[i] = undefined;
    this.n = 0;
    return out;
  }
}
