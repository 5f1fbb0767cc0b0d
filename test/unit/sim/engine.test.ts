import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SimulationError } from "../../../src/core/index.js";
import { Engine } from "../../../src/sim/engine.js";

/** What a handler saw: time, kind, key and payload. */
interface Seen {
  readonly t: number;
  readonly kind: number;
  readonly key: number;
  readonly payload: number;
}

/** An engine whose kinds (with the given priorities) all log what they process. */
function loggingEngine(priorities: readonly number[]): { engine: Engine; log: Seen[]; kinds: number[] } {
  const engine = new Engine();
  const log: Seen[] = [];
  const kinds = priorities.map((p, i) => engine.defineKind(`k${i}`, p, (payload, key) => log.push({ t: engine.now, kind: i, key, payload })));
  return { engine, log, kinds };
}

/** One event to schedule; `seq` is its position in scheduling order. */
interface Planned {
  readonly t: number;
  readonly kind: number;
  readonly key: number;
}

/** Sorts planned events by (time, priority of kind, key, scheduling order), the documented queue order. */
function expectedOrder(planned: readonly Planned[], priorities: readonly number[]): number[] {
  return planned
    .map((e, seq) => ({ ...e, seq }))
    .sort((a, b) => a.t - b.t || priorities[a.kind] - priorities[b.kind] || a.key - b.key || a.seq - b.seq)
    .map((e) => e.seq);
}

/** A tiny deterministic generator (LCG) for large fixed schedules. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("Engine", () => {
  it("new Engine() starts at time 0 with an empty queue", () => {
    const engine = new Engine();
    expect(engine.now).toBe(0);
    expect(engine.size).toBe(0);
    expect(engine.processed).toBe(0);
    expect(engine.peek()).toBe(Infinity);
    expect(engine.step()).toBe(false);
    expect(engine.kindName(0)).toBe("kind#0");
    // run() on an empty queue returns at once and leaves the clock alone.
    engine.run();
    expect(engine.now).toBe(0);
  });

  it("engine.defineKind(name, priority, handler) returns consecutive ids and names them", () => {
    const engine = new Engine();
    expect(engine.defineKind("jobSubmitted", 1, () => {})).toBe(0);
    expect(engine.defineKind("jobEnded", 0, () => {})).toBe(1);
    expect(engine.kindName(0)).toBe("jobSubmitted");
    expect(engine.kindName(1)).toBe("jobEnded");
    expect(engine.kindName(7)).toBe("kind#7");
  });

  it("engine.schedule(at, kind, key, payload) then step() calls the handler with payload and key at time at", () => {
    const { engine, log, kinds } = loggingEngine([0]);
    engine.schedule(12.5, kinds[0], 42, 7);
    expect(engine.size).toBe(1);
    expect(engine.peek()).toBe(12.5);
    expect(engine.step()).toBe(true);
    expect(log).toEqual([{ t: 12.5, kind: 0, key: 42, payload: 7 }]);
    expect(engine.now).toBe(12.5);
    expect(engine.size).toBe(0);
    expect(engine.processed).toBe(1);
    // payload defaults to 0.
    engine.schedule(13, kinds[0], 1);
    engine.step();
    expect(log[1].payload).toBe(0);
  });

  it("engine.step() runs same-time events by priority class, then key, then scheduling order", () => {
    // Kind 0 has priority 2, kind 1 priority 0, kind 2 priority 1.
    const { engine, log, kinds } = loggingEngine([2, 0, 1]);
    engine.schedule(5, kinds[0], 1, 100); // prio 2, key 1
    engine.schedule(5, kinds[2], 9, 101); // prio 1, key 9
    engine.schedule(5, kinds[1], 3, 102); // prio 0, key 3
    engine.schedule(5, kinds[2], 2, 103); // prio 1, key 2
    engine.schedule(5, kinds[1], 3, 104); // prio 0, key 3, scheduled after 102
    engine.schedule(4, kinds[0], 0, 105); // earlier time beats everything
    engine.schedule(5, kinds[1], 1, 106); // prio 0, key 1
    engine.run();
    // 105 (t=4); then prio 0: key 1 (106), key 3 (102 then 104); prio 1: key 2 (103), key 9 (101); prio 2: 100.
    expect(log.map((e) => e.payload)).toEqual([105, 106, 102, 104, 103, 101, 100]);
  });

  it("engine.schedule(at < now, ...) throws a RangeError giving both times", () => {
    const engine = new Engine();
    const tick = engine.defineKind("tick", 0, () => {});
    engine.schedule(10, tick, 0);
    engine.run();
    expect(engine.now).toBe(10);
    expect(() => engine.schedule(5, tick, 0)).toThrowErrorMatchingInlineSnapshot(`[RangeError: Engine.schedule: cannot schedule tick at 5 s, before now = 10 s]`);
    expect(() => engine.schedule(NaN, tick, 0)).toThrowErrorMatchingInlineSnapshot(`[RangeError: Engine.schedule: expected a time in seconds for tick, got NaN]`);
    // Scheduling at now itself is allowed.
    engine.schedule(10, tick, 0);
    expect(engine.size).toBe(1);
  });

  it("engine.schedule(at, unknown kind, ...) throws a RangeError naming the kind", () => {
    const engine = new Engine();
    engine.defineKind("tick", 0, () => {});
    expect(() => engine.schedule(1, 3, 0)).toThrowErrorMatchingInlineSnapshot(`[RangeError: Engine.schedule: unknown event kind 3]`);
    expect(() => engine.schedule(1, -1, 0)).toThrow(RangeError);
    expect(engine.size).toBe(0);
  });

  it("engine.step() rethrows a handler's error as a SimulationError naming time, kind and key", () => {
    const engine = new Engine();
    const boom = new Error("boom");
    const ended = engine.defineKind("jobEnded", 0, () => {
      throw boom;
    });
    const other = engine.defineKind("other", 0, () => {});
    engine.schedule(5, ended, 42);
    engine.schedule(6, other, 1);
    let caught: unknown;
    try {
      engine.run();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(SimulationError);
    expect((caught as SimulationError).message).toMatchInlineSnapshot(`"at t=5 s, event jobEnded (key 42): boom"`);
    expect((caught as SimulationError).cause).toBe(boom);
    // The run stopped at the failing event: the later one is still queued.
    expect(engine.now).toBe(5);
    expect(engine.size).toBe(1);
    expect(engine.peek()).toBe(6);
  });

  it("engine.step() rethrows a thrown non-Error as a SimulationError with its text", () => {
    const engine = new Engine();
    const k = engine.defineKind("nodeFailed", 0, () => {
      throw "disk on fire";
    });
    engine.schedule(1.5, k, 3);
    expect(() => engine.step()).toThrowErrorMatchingInlineSnapshot(`[SimulationError: at t=1.5 s, event nodeFailed (key 3): disk on fire]`);
  });

  it("engine.step() passes a handler's SimulationError through unchanged", () => {
    const engine = new Engine();
    const inner = new SimulationError("already located");
    const k = engine.defineKind("k", 0, () => {
      throw inner;
    });
    engine.schedule(0, k, 0);
    let caught: unknown;
    try {
      engine.step();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBe(inner);
  });

  it("engine.run({afterInstant}) calls afterInstant once per instant, after all of its events", () => {
    const engine = new Engine();
    const log: string[] = [];
    const k = engine.defineKind("e", 0, (payload) => log.push(`e${payload}`));
    engine.schedule(0, k, 0, 1);
    engine.schedule(0, k, 1, 2);
    engine.schedule(5, k, 0, 3);
    engine.schedule(5, k, 0, 4);
    engine.schedule(9, k, 0, 5);
    engine.run({ afterInstant: (t) => log.push(`after ${t}`) });
    expect(log).toEqual(["e1", "e2", "after 0", "e3", "e4", "after 5", "e5", "after 9"]);
  });

  it("engine.run({afterInstant}) runs events afterInstant schedules at the same time before time moves on, then calls it again", () => {
    const engine = new Engine();
    const log: string[] = [];
    const k = engine.defineKind("e", 0, (payload) => log.push(`e${payload}`));
    engine.schedule(5, k, 0, 1);
    engine.schedule(9, k, 0, 2);
    let once = true;
    engine.run({
      afterInstant: (t) => {
        log.push(`after ${t}`);
        if (t === 5 && once) {
          once = false;
          engine.schedule(5, k, 0, 3); // same instant
          engine.schedule(7, k, 0, 4); // before the pending event at 9
        }
      },
    });
    expect(log).toEqual(["e1", "after 5", "e3", "after 5", "e4", "after 7", "e2", "after 9"]);
  });

  it("engine.run({until}) processes events up to and including until, then sets now to until", () => {
    const { engine, log, kinds } = loggingEngine([0]);
    for (const t of [0, 5, 6, 20]) engine.schedule(t, kinds[0], 0, t);
    engine.run({ until: 5 });
    expect(log.map((e) => e.t)).toEqual([0, 5]);
    expect(engine.now).toBe(5);
    expect(engine.size).toBe(2);
    expect(engine.peek()).toBe(6);
    // Between events, the clock moves to until.
    engine.run({ until: 10 });
    expect(log.map((e) => e.t)).toEqual([0, 5, 6]);
    expect(engine.now).toBe(10);
    // An until in the past does not move the clock back.
    engine.run({ until: 3 });
    expect(engine.now).toBe(10);
    expect(engine.size).toBe(1);
    engine.run();
    expect(log.map((e) => e.t)).toEqual([0, 5, 6, 20]);
    expect(engine.now).toBe(20);
  });

  it("engine.run({until}) on an empty queue moves the clock to until", () => {
    const engine = new Engine();
    engine.run({ until: 100 });
    expect(engine.now).toBe(100);
  });

  it("engine.processed counts every event handled, including those scheduled by handlers", () => {
    const engine = new Engine();
    const k = engine.defineKind("chain", 0, (payload) => {
      if (payload > 0) engine.schedule(engine.now + 1, k, 0, payload - 1);
    });
    engine.schedule(0, k, 0, 4);
    engine.run();
    // Payloads 4, 3, 2, 1, 0: five events, the last at t = 4.
    expect(engine.processed).toBe(5);
    expect(engine.now).toBe(4);
  });

  it("engine.defineKind(...) beyond 16 kinds keeps each kind's priority", () => {
    // 20 kinds; kind i has priority 19 - i, so they run in reverse definition order.
    const priorities = Array.from({ length: 20 }, (_, i) => 19 - i);
    const { engine, log, kinds } = loggingEngine(priorities);
    for (const k of kinds) engine.schedule(1, k, 0);
    engine.run();
    expect(log.map((e) => e.kind)).toEqual(kinds.slice().reverse());
  });

  it("engine.run() pops random schedules in (time, priority, key, seq) order (property)", () => {
    const planned = fc.record({ t: fc.integer({ min: 0, max: 5 }), kind: fc.integer({ min: 0, max: 3 }), key: fc.integer({ min: 0, max: 4 }) });
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 4, maxLength: 4 }),
        fc.array(planned, { maxLength: 200 }),
        (priorities, events) => {
          const { engine, log, kinds } = loggingEngine(priorities);
          events.forEach((e, seq) => engine.schedule(e.t, kinds[e.kind], e.key, seq));
          engine.run();
          expect(log.map((e) => e.payload)).toEqual(expectedOrder(events, priorities));
          expect(engine.processed).toBe(events.length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("engine.run() with handlers scheduling more events matches a sorted-list reference model (property)", () => {
    // Each event's payload picks a row of `children`; handling it schedules those
    // children at now + delay. Both the engine and a naive model run the same program.
    const child = fc.record({ delay: fc.integer({ min: 0, max: 3 }), kind: fc.integer({ min: 0, max: 2 }), key: fc.integer({ min: 0, max: 3 }) });
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 3, maxLength: 3 }),
        fc.array(fc.array(child, { maxLength: 3 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.record({ t: fc.integer({ min: 0, max: 4 }), kind: fc.integer({ min: 0, max: 2 }), key: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 20 }),
        (priorities, children, initial) => {
          const LIMIT = 300;
          // Reference: an array scanned for the minimum each step.
          type Q = { t: number; kind: number; key: number; seq: number; payload: number };
          const queue: Q[] = [];
          let seq = 0;
          const modelLog: Seen[] = [];
          let made = 0;
          const push = (t: number, kind: number, key: number, payload: number) => queue.push({ t, kind, key, seq: seq++, payload });
          initial.forEach((e, i) => push(e.t, e.kind, e.key, i));
          made = initial.length;
          while (queue.length > 0) {
            let best = 0;
            for (let i = 1; i < queue.length; i++) {
              const a = queue[i];
              const b = queue[best];
              const c = a.t - b.t || priorities[a.kind] - priorities[b.kind] || a.key - b.key || a.seq - b.seq;
              if (c < 0) best = i;
            }
            const [e] = queue.splice(best, 1);
            modelLog.push({ t: e.t, kind: e.kind, key: e.key, payload: e.payload });
            for (const c of children[e.payload % children.length]) {
              if (made >= LIMIT) break;
              push(e.t + c.delay, c.kind, c.key, made++);
            }
          }

          const engine = new Engine();
          const log: Seen[] = [];
          let engineMade = initial.length;
          const kinds: number[] = [];
          for (let i = 0; i < 3; i++) {
            kinds.push(
              engine.defineKind(`k${i}`, priorities[i], (payload, key) => {
                log.push({ t: engine.now, kind: i, key, payload });
                for (const c of children[payload % children.length]) {
                  if (engineMade >= LIMIT) break;
                  engine.schedule(engine.now + c.delay, kinds[c.kind], c.key, engineMade++);
                }
              }),
            );
          }
          initial.forEach((e, i) => engine.schedule(e.t, kinds[e.kind], e.key, i));
          engine.run();
          expect(log).toEqual(modelLog);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("engine.schedule(...) beyond 1024 pending events grows the queue and keeps the order", () => {
    const priorities = [1, 0];
    const { engine, log, kinds } = loggingEngine(priorities);
    const rand = lcg(20240601);
    const planned: Planned[] = [];
    for (let i = 0; i < 5000; i++) planned.push({ t: Math.floor(rand() * 100), kind: rand() < 0.5 ? 0 : 1, key: Math.floor(rand() * 10) });
    planned.forEach((e, seq) => engine.schedule(e.t, kinds[e.kind], e.key, seq));
    expect(engine.size).toBe(5000);
    engine.run();
    expect(log.map((e) => e.payload)).toEqual(expectedOrder(planned, priorities));
  });

  it("engine.schedule(...) after steps reuses freed slots and still grows past 1024 in order", () => {
    const priorities = [0];
    const { engine, log, kinds } = loggingEngine(priorities);
    const rand = lcg(7);
    // 1500 events over [0, 1000); process 700 of them; then 2000 more over [now, now + 1000).
    const first: Planned[] = Array.from({ length: 1500 }, () => ({ t: rand() * 1000, kind: 0, key: Math.floor(rand() * 5) }));
    first.forEach((e, seq) => engine.schedule(e.t, kinds[0], e.key, seq));
    for (let i = 0; i < 700; i++) engine.step();
    const firstOrder = expectedOrder(first, priorities);
    expect(log.map((e) => e.payload)).toEqual(firstOrder.slice(0, 700));
    const now = engine.now;
    const second: Planned[] = Array.from({ length: 2000 }, () => ({ t: now + rand() * 1000, kind: 0, key: Math.floor(rand() * 5) }));
    second.forEach((e, i) => engine.schedule(e.t, kinds[0], e.key, 1500 + i));
    expect(engine.size).toBe(800 + 2000);
    engine.run();
    // The remaining 800 first-batch events and the 2000 new ones, merged in queue order.
    const rest = [...firstOrder.slice(700).map((seq) => ({ ...first[seq], seq })), ...second.map((e, i) => ({ ...e, seq: 1500 + i }))];
    rest.sort((a, b) => a.t - b.t || a.key - b.key || a.seq - b.seq);
    expect(log.slice(700).map((e) => e.payload)).toEqual(rest.map((e) => e.seq));
    expect(engine.processed).toBe(3500);
  });
});

describe("Engine.comesFirst and a kept sequence number", () => {
  it("tells whether the next event precedes a given (time, kind, key, seq), in the documented order", () => {
    const { engine, kinds } = loggingEngine([1, 0]);
    expect(engine.comesFirst(0, kinds[0], 0, 0)).toBe(false); // nothing queued
    engine.schedule(10, kinds[0], 5); // seq 0
    const seq = engine.lastSeq;
    expect(seq).toBe(0);
    expect(engine.comesFirst(11, kinds[0], 0, 9)).toBe(true); // earlier time
    expect(engine.comesFirst(9, kinds[0], 99, 9)).toBe(false);
    expect(engine.comesFirst(10, kinds[1], 99, 9)).toBe(false); // kind 1 has the lower priority value: runs first
    expect(engine.comesFirst(10, kinds[0], 6, 0)).toBe(true); // same priority, smaller key
    expect(engine.comesFirst(10, kinds[0], 4, 0)).toBe(false);
    expect(engine.comesFirst(10, kinds[0], 5, 1)).toBe(true); // same key: the earlier sequence number
    expect(engine.comesFirst(10, kinds[0], 5, 0)).toBe(false);
  });

  it("an event scheduled again with an earlier event's seq takes that place among ties", () => {
    const { engine, log, kinds } = loggingEngine([0]);
    engine.schedule(1, kinds[0], 3, 100); // seq 0: kept to be reused below
    const early = engine.lastSeq;
    engine.schedule(1, kinds[0], 7, 200); // seq 1
    engine.step(); // runs payload 100
    engine.schedule(1, kinds[0], 7, 300, early); // same key as 200, older seq: runs before it
    engine.schedule(1, kinds[0], 7, 400); // a new seq: after 200
    engine.run();
    expect(log.map((e) => e.payload)).toEqual([100, 300, 200, 400]);
  });
});
