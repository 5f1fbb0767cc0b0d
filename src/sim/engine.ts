/**
 * The discrete-event engine: a clock and a priority queue of events, nothing
 * else. It knows no jobs, nodes or power. Events are plain data: a kind, a
 * stable key (job id, node id) and an integer payload, kept in typed arrays so
 * scheduling allocates nothing once the arrays have grown.
 *
 * Order: (time, priority class of the kind, stable key, sequence). The stable
 * key keeps the order fixed when code is refactored; the sequence number breaks
 * remaining ties in scheduling order.
 */
import type { Seconds } from "../core/index.js";
import { ImpactsimError, SimulationError } from "../core/index.js";

export type EventHandler = (payload: number, key: number) => void;

interface KindInfo {
  readonly name: string;
  readonly priority: number;
  readonly handler: EventHandler;
}

export class Engine {
  now: Seconds = 0;
  private kinds: KindInfo[] = [];
  private kindPriority = new Int32Array(16);
  // Event slots (struct of arrays) and a binary heap of slot indices.
  private time = new Float64Array(1024);
  private prio = new Int32Array(1024);
  private key = new Float64Array(1024);
  private seq = new Float64Array(1024);
  private kind = new Int32Array(1024);
  private payload = new Int32Array(1024);
  private heap = new Int32Array(1024);
  private free: number[] = [];
  private slots = 0;
  private n = 0;
  private counter = 0;
  /** Number of events processed so far. */
  processed = 0;

  /**
   * Registers an event kind; lower priority runs first among same-time events.
   * @returns the kind's id, to pass to schedule()
   */
  defineKind(name: string, priority: number, handler: EventHandler): number {
    const id = this.kinds.length;
    this.kinds.push({ name, priority, handler });
    if (id >= this.kindPriority.length) {
      const p = new Int32Array(this.kindPriority.length * 2);
      p.set(this.kindPriority);
      this.kindPriority = p;
    }
    this.kindPriority[id] = priority;
    return id;
  }

  kindName(kind: number): string {
    return this.kinds[kind]?.name ?? `kind#${kind}`;
  }

  get size(): number {
    return this.n;
  }

  /**
   * Schedules an event at absolute time `at`; `seq`, when given, is an
   * earlier event's (lastSeq): the event takes that one's place among ties.
   * @throws RangeError when `at` is before now or not a number
   */
  schedule(at: Seconds, kind: number, key: number, payload = 0, seq = -1): void {
    if (Number.isNaN(at)) throw new RangeError(`Engine.schedule: expected a time in seconds for ${this.kindName(kind)}, got NaN`);
    if ((payload | 0) !== payload) throw new RangeError(`Engine.schedule: expected a 32-bit integer payload, got ${payload}`);
    if (!(at >= this.now)) {
      throw new RangeError(`Engine.schedule: cannot schedule ${this.kindName(kind)} at ${at} s, before now = ${this.now} s`);
    }
    if (kind < 0 || kind >= this.kinds.length) throw new RangeError(`Engine.schedule: unknown event kind ${kind}`);
    let slot: number;
    if (this.free.length > 0) slot = this.free.pop()!;
    else {
      if (this.slots === this.time.length) this.grow();
      slot = this.slots++;
    }
    this.time[slot] = at;
    this.prio[slot] = this.kindPriority[kind];
    this.key[slot] = key;
    this.seq[slot] = seq < 0 ? this.counter++ : seq;
    this.kind[slot] = kind;
    this.payload[slot] = payload;
    if (this.n === this.heap.length) {
      const h = new Int32Array(this.heap.length * 2);
      h.set(this.heap);
      this.heap = h;
    }
    this.siftUp(this.n++, slot);
  }

  /** The sequence number the last scheduled event was given: pass it to schedule() again to keep that event's place among ties (see comesFirst). */
  get lastSeq(): number {
    return this.counter - 1;
  }

  /**
   * Whether the next event comes before one of `kind` at (at, key, seq) in
   * the engine's order. For a handler that does the work of several keys in
   * one event: before each key after the first it asks whether another event
   * should run first, and if so schedules the rest under that key (and its
   * own seq), so the work runs in the order one event per key would have.
   */
  comesFirst(at: Seconds, kind: number, key: number, seq: number): boolean {
    if (this.n === 0) return false;
    // Compared as an event in a slot no event uses (past the highest one handed out), by the queue's own order.
    if (this.slots === this.time.length) this.grow();
    const probe = this.slots;
    this.time[probe] = at;
    this.prio[probe] = this.kindPriority[kind];
    this.key[probe] = key;
    this.seq[probe] = seq;
    return this.less(this.heap[0], probe);
  }

  /** Time of the next event, or Infinity when none is left. */
  peek(): Seconds {
    return this.n === 0 ? Infinity : this.time[this.heap[0]];
  }

  /**
   * Processes the next event. Returns false when the queue is empty.
   * @throws SimulationError wrapping a handler's error, with time, kind and key
   */
  step(): boolean {
    if (this.n === 0) return false;
    const slot = this.heap[0];
    const last = this.heap[--this.n];
    if (this.n > 0) this.siftDown(0, last);
    const kind = this.kind[slot];
    const key = this.key[slot];
    const payload = this.payload[slot];
    this.now = this.time[slot];
    this.free.push(slot);
    this.processed++;
    try {
      this.kinds[kind].handler(payload, key);
    } catch (err) {
      // Errors that already say what went wrong (input found bad mid-run, or a wrapped one) pass as they are.
      if (err instanceof ImpactsimError) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      throw new SimulationError(`at t=${this.now} s, event ${this.kinds[kind].name} (key ${key}): ${msg}`, { cause: err });
    }
    return true;
  }

  /**
   * Runs until the queue is empty or the next event is after `until`.
   * `afterInstant(t)` is called once after all events of each instant t: the
   * place for one scheduling pass per instant. Events it schedules at t run
   * before time moves on (followed by another call).
   */
  run(opts: { until?: Seconds; afterInstant?: (t: Seconds) => void } = {}): void {
    const until = opts.until ?? Infinity;
    const after = opts.afterInstant;
    while (this.n > 0) {
      const t = this.time[this.heap[0]];
      if (t > until) break;
      while (this.n > 0 && this.time[this.heap[0]] === t) this.step();
      if (after) after(t);
    }
    if (until !== Infinity && until > this.now) this.now = until;
  }

  private less(a: number, b: number): boolean {
    const ta = this.time[a];
    const tb = this.time[b];
    if (ta !== tb) return ta < tb;
    const pa = this.prio[a];
    const pb = this.prio[b];
    if (pa !== pb) return pa < pb;
    const ka = this.key[a];
    const kb = this.key[b];
    if (ka !== kb) return ka < kb;
    return this.seq[a] < this.seq[b];
  }

  private siftUp(i: number, slot: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(slot, h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = slot;
  }

  private siftDown(i: number, slot: number): void {
    const h = this.heap;
    const n = this.n;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && this.less(h[child + 1], h[child])) child++;
      if (!this.less(h[child], slot)) break;
      h[i] = h[child];
      i = child;
    }
    h[i] = slot;
  }

  private grow(): void {
    const size = this.time.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(size);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.time = f64(this.time);
    this.key = f64(this.key);
    this.seq = f64(this.seq);
    this.prio = i32(this.prio);
    this.kind = i32(this.kind);
    this.payload = i32(this.payload);
  }
}
