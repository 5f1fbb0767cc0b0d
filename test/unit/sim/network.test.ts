/**
 * Network: bandwidth shared equally on each link, latency first, exact times.
 * Examples work the expected times out by hand in comments; properties check
 * (a) no link over capacity, (b) bytes conserved (rates integrated between
 * events), (c) no completion before latency + bytes / bandwidth, (d) equal-start
 * transfers complete by size, (e) determinism, and agreement with a naive
 * reference that updates every transfer at every event.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Network, type LinkSpecRuntime } from "../../../src/sim/network.js";

interface Transfer {
  readonly id: number;
  readonly link: number;
  readonly bytes: number;
  readonly at: number;
}

interface Run {
  /** Completed ids in the order advance() returned them. */
  readonly order: number[];
  /** Completion time of each id: the time passed to the advance() that returned it. */
  readonly doneAt: Map<number, number>;
}

/**
 * Drives `net` as a simulator would: advances to the earlier of its next event
 * and the next start, then starts what begins then. `observe(t, completed, active)`
 * runs after each step, with the transfers active after it.
 */
function drive(
  net: Network,
  transfers: readonly Transfer[],
  observe?: (t: number, completed: readonly number[], active: ReadonlyMap<number, Transfer>) => void,
): Run {
  const starts = [...transfers].sort((a, b) => a.at - b.at);
  const active = new Map<number, Transfer>();
  const order: number[] = [];
  const doneAt = new Map<number, number>();
  let i = 0;
  for (let steps = 0; ; steps++) {
    if (steps > 100_000) throw new Error("drive: too many steps (an event that does not move time?)");
    const next = net.nextEvent();
    const t = Math.min(next, i < starts.length ? starts[i].at : Infinity);
    if (t === Infinity) break;
    const completed = net.advance(t);
    for (const id of completed) {
      order.push(id);
      doneAt.set(id, t);
      active.delete(id);
    }
    while (i < starts.length && starts[i].at === t) {
      const s = starts[i++];
      net.start(s.id, s.link, s.bytes, s.at);
      active.set(s.id, s);
    }
    observe?.(t, completed, active);
  }
  return { order, doneAt };
}

/**
 * A naive reference: at every event, every data-phase transfer's remaining bytes
 * go down by (time elapsed) x C / n. Returns each transfer's completion time.
 */
function reference(links: readonly LinkSpecRuntime[], transfers: readonly Transfer[]): Map<number, number> {
  const xs = transfers.map((x) => ({ ...x, enter: x.at + links[x.link].latency, left: x.bytes, done: false }));
  const doneAt = new Map<number, number>();
  let t = 0;
  for (let steps = 0; steps <= 100_000; steps++) {
    const n = links.map((_, l) => xs.filter((x) => !x.done && x.link === l && x.enter <= t).length);
    let next = Infinity;
    let first: (typeof xs)[number] | undefined;
    for (const x of xs) {
      if (x.done) continue;
      if (x.enter > t) {
        if (x.enter <= next) [next, first] = [x.enter, undefined];
      } else {
        const end = t + (x.left * n[x.link]) / links[x.link].bandwidth;
        if (end < next) [next, first] = [end, x];
      }
    }
    if (next === Infinity) return doneAt;
    // Done at next: the one that set it, those within 1e-9 of their bytes, and those whose end rounds to next.
    for (const x of xs) {
      if (x.done || x.enter > t) continue;
      x.left -= ((next - t) * links[x.link].bandwidth) / n[x.link];
      if (x === first || x.left <= 1e-9 * x.bytes || next + (x.left * n[x.link]) / links[x.link].bandwidth <= next) {
        x.done = true;
        doneAt.set(x.id, next);
      }
    }
    t = next;
  }
  throw new Error("reference: too many steps");
}

/** |a - b| <= rel * |b| + abs */
function near(a: number, b: number, rel: number, abs = 0): boolean {
  return Math.abs(a - b) <= rel * Math.abs(b) + abs;
}

function thrown(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
  return "no error";
}

const arbLinks = fc.array(
  fc.record({
    bandwidth: fc.oneof(fc.constantFrom(1e3, 1e8, 1.25e9), fc.double({ min: 1e3, max: 1e9, noNaN: true })),
    latency: fc.oneof(fc.constantFrom(0, 0.5), fc.double({ min: 0, max: 2, noNaN: true })),
  }),
  { minLength: 1, maxLength: 3 },
);
/** Sizes: zero, round numbers (ties) or any double from 1e3 to 1e10. */
const arbBytes = fc.oneof(fc.constant(0), fc.constantFrom(1e3, 1e6, 1e9), fc.double({ min: 1e3, max: 1e10, noNaN: true }));
/** Start times: integers (many ties) or any double up to 100 s. */
const arbAt = fc.oneof(fc.integer({ min: 0, max: 10 }), fc.double({ min: 0, max: 100, noNaN: true }));

const arbScenario = arbLinks.chain((links) =>
  fc
    .array(fc.record({ link: fc.nat(links.length - 1), bytes: arbBytes, at: arbAt }), { maxLength: 40 })
    .map((xs) => ({ links, transfers: xs.map((x, id): Transfer => ({ id, ...x })) })),
);

describe("Network", () => {
  it("new Network(links) starts empty: no event, no active transfer", () => {
    const net = new Network([{ bandwidth: 1e8, latency: 0.5 }]);
    expect(net.nextEvent()).toBe(Infinity);
    expect(net.active(0)).toBe(0);
    expect(net.advance(0)).toEqual([]);
    expect(net.advance(1e6)).toEqual([]);
    expect(new Network([]).nextEvent()).toBe(Infinity);
  });

  it("network.start(id, link, bytes, now) sends one transfer in latency + bytes / bandwidth", () => {
    const net = new Network([{ bandwidth: 1e8, latency: 0.5 }]);
    net.start(7, 0, 1e9, 0);
    // Latency phase: no data, no rate, one active transfer; next event is its entry at 0.5 s.
    expect(net.active(0)).toBe(1);
    expect(net.rate(7)).toBe(0);
    expect(net.remaining(7)).toBe(1e9);
    expect(net.nextEvent()).toBe(0.5);
    expect(net.advance(0.5)).toEqual([]);
    // Data phase alone on the link: 1e8 B/s, so 1e9 / 1e8 = 10 s more: done at 10.5 s.
    expect(net.rate(7)).toBe(1e8);
    expect(net.nextEvent()).toBe(10.5);
    expect(net.advance(5.5)).toEqual([]);
    expect(net.remaining(7)).toBe(1e9 - 5 * 1e8);
    expect(net.advance(10.5)).toEqual([7]);
    expect(net.active(0)).toBe(0);
    expect(net.nextEvent()).toBe(Infinity);
  });

  it("network.start() of two transfers together shares the link, then the survivor gets it all", () => {
    const net = new Network([{ bandwidth: 1e8, latency: 0 }]);
    net.start(1, 0, 1e9, 0);
    net.start(2, 0, 3e9, 0);
    // Each at 1e8 / 2 = 5e7 B/s: the 1e9 one is done at 1e9 / 5e7 = 20 s.
    expect(net.rate(1)).toBe(5e7);
    expect(net.rate(2)).toBe(5e7);
    expect(net.nextEvent()).toBe(20);
    expect(net.advance(20)).toEqual([1]);
    // The 3e9 one has sent 20 x 5e7 = 1e9; 2e9 left at the full 1e8 B/s: 20 s more, done at 40 s.
    expect(net.remaining(2)).toBe(2e9);
    expect(net.rate(2)).toBe(1e8);
    expect(net.nextEvent()).toBe(40);
    expect(net.advance(100)).toEqual([2]);
  });

  it("network.start() of a transfer joining midway halves the rate of the first once its latency is over", () => {
    const net = new Network([{ bandwidth: 1e8, latency: 1 }]);
    net.start(1, 0, 1e9, 0);
    expect(net.advance(4)).toEqual([]);
    net.start(2, 0, 1e9, 4);
    // At 4 s, transfer 2 waits (latency until 5 s): transfer 1 keeps the full link, and has sent 3 s x 1e8.
    expect(net.rate(1)).toBe(1e8);
    expect(net.rate(2)).toBe(0);
    expect(net.remaining(1)).toBe(7e8);
    expect(net.active(0)).toBe(2);
    expect(net.nextEvent()).toBe(5);
    expect(net.advance(5)).toEqual([]);
    // From 5 s both get 5e7. Transfer 1 has 1e9 - 4 x 1e8 = 6e8 left: 6e8 / 5e7 = 12 s, done at 17 s.
    expect(net.rate(1)).toBe(5e7);
    expect(net.rate(2)).toBe(5e7);
    expect(net.nextEvent()).toBe(17);
    expect(net.advance(17)).toEqual([1]);
    // Transfer 2 sent 12 x 5e7 = 6e8, 4e8 left at 1e8 B/s: done at 21 s.
    expect(net.remaining(2)).toBe(4e8);
    expect(net.nextEvent()).toBe(21);
    expect(net.advance(21)).toEqual([2]);
  });

  it("network.start() on different links: transfers do not interact", () => {
    const net = new Network([
      { bandwidth: 1e8, latency: 0 },
      { bandwidth: 2e8, latency: 1 },
    ]);
    net.start(1, 0, 1e9, 0);
    net.start(2, 1, 1e9, 0);
    // Link 0: 1e9 / 1e8 = 10 s. Link 1: 1 s latency + 1e9 / 2e8 = 6 s.
    expect(net.rate(1)).toBe(1e8);
    expect(net.active(0)).toBe(1);
    expect(net.active(1)).toBe(1);
    expect(drive(net, []).doneAt).toEqual(
      new Map([
        [2, 6],
        [1, 10],
      ]),
    );
  });

  it("network.advance(now) returns completions in time order across links, those of one instant by id", () => {
    const net = new Network([
      { bandwidth: 1e3, latency: 0 },
      { bandwidth: 1e3, latency: 0 },
    ]);
    // Link 0: 9 and 4 share 1e3 B/s: both 1e3 bytes, done together at 2e3 / 1e3 = 2 s.
    net.start(9, 0, 1e3, 0);
    net.start(4, 0, 1e3, 0);
    // Link 1: 5 (1500 bytes), 1 (zero bytes) and 3 (500 bytes).
    net.start(5, 1, 1500, 0);
    net.start(1, 1, 0, 0);
    net.start(3, 1, 500, 0);
    // 1 completes at once, at 0 s. Then 3 and 5 get 1e3 / 2 each: 3 is done at 500 / 500 = 1 s.
    expect(net.nextEvent()).toBe(0);
    expect(net.advance(0)).toEqual([1]);
    expect(net.nextEvent()).toBe(1);
    // 5 sent 500 by 1 s, then 1000 at 1e3 B/s: done at 2 s, with 4 and 9 on link 0: the three by id.
    expect(net.advance(3)).toEqual([3, 4, 5, 9]);
  });

  it("network.start(id, link, 0, now) completes when its latency is over", () => {
    const net = new Network([{ bandwidth: 1e8, latency: 0.25 }]);
    net.start(1, 0, 0, 2);
    expect(net.remaining(1)).toBe(0);
    expect(net.nextEvent()).toBe(2.25);
    expect(net.advance(2.2)).toEqual([]);
    expect(net.advance(2.25)).toEqual([1]);
  });

  it("network.start() after advance(t) at the same t with zero latency takes its share at once", () => {
    const net = new Network([{ bandwidth: 100, latency: 0 }]);
    net.start(1, 0, 300, 0);
    expect(net.advance(1)).toEqual([]);
    net.start(2, 0, 100, 1);
    // From 1 s both at 50 B/s: 2 done at 1 + 100 / 50 = 3 s; 1 had 200 left, 100 by 3 s, then 1 s more.
    expect(net.rate(1)).toBe(50);
    expect(net.rate(2)).toBe(50);
    expect(net.advance(3)).toEqual([2]);
    expect(net.nextEvent()).toBe(4);
    expect(net.advance(4)).toEqual([1]);
  });

  it("network.start() may reuse the id of a completed transfer", () => {
    const net = new Network([{ bandwidth: 10, latency: 0 }]);
    net.start(1, 0, 10, 0);
    expect(net.advance(1)).toEqual([1]);
    net.start(1, 0, 10, 1);
    expect(net.advance(2)).toEqual([1]);
  });

  it("network.advance() leaves no ghost events when sizes do not add up in binary", () => {
    // 0.1 + 0.2 != 0.3 in floating point; three transfers that should end together, or in quick succession.
    const net = new Network([{ bandwidth: 0.3, latency: 0 }]);
    net.start(1, 0, 0.1, 0);
    net.start(2, 0, 0.1, 0);
    net.start(3, 0, 0.1, 0);
    // Each at 0.1 B/s: all three done at 1 s, in one step.
    const t = net.nextEvent();
    expect(t).toBeCloseTo(1, 12);
    expect(net.advance(t)).toEqual([1, 2, 3]);
    expect(net.nextEvent()).toBe(Infinity);
  });

  it("network.start() of tiny transfers beside a huge one keeps both exact", () => {
    const C = 1e3;
    const net = new Network([{ bandwidth: C, latency: 0 }]);
    net.start(0, 0, 1e12, 0);
    // The huge transfer alone for 1e5 s: 1e8 bytes sent. Then 1-byte transfers one after another.
    let t = 1e5;
    expect(net.advance(t)).toEqual([]);
    for (let id = 1; id <= 100; id++) {
      net.start(id, 0, 1, t);
      expect(net.remaining(id)).toBe(1);
      // Two share C: the 1-byte one needs 1 / (C / 2) = 2e-3 s; half of it is left after 1e-3 s.
      expect(net.advance(t + 1e-3)).toEqual([]);
      expect(near(net.remaining(id), 0.5, 1e-7)).toBe(true);
      const done = net.nextEvent();
      expect(near(done - t, 2 / C, 1e-7)).toBe(true);
      expect(net.advance(done)).toEqual([id]);
      t = done;
    }
    // The huge one got C / 2 during the 100 short transfers (100 bytes fewer) and C otherwise.
    expect(near(net.remaining(0), 1e12 - t * C + 100, 1e-12)).toBe(true);
    expect(net.rate(0)).toBe(C);
  });

  it("network.remaining() stays exact for a small transfer on a link busy for a long time (epoch restart)", () => {
    const C = 1e9;
    const net = new Network([{ bandwidth: C, latency: 0 }]);
    // 1e13 bytes through the link before transfer 1 starts: every byte count since 0 s is that large.
    net.start(0, 0, 1e18, 0);
    let t = 1e4;
    expect(net.advance(t)).toEqual([]);
    net.start(1, 0, 1e6, t);
    // 1000 one-byte transfers, one after another, each changing the share of transfer 1 twice.
    let sent = 0;
    for (let id = 2; id <= 1001; id++) {
      net.start(id, 0, 1, t);
      const r = net.rate(1);
      expect(r).toBe(C / 3);
      const done = net.nextEvent();
      expect(net.advance(done)).toEqual([id]);
      sent += r * (done - t);
      t = done;
      // Rounding in a counter near 1e13 would be ~1e-3 byte per change; 1e-10 of 1e6 is 1e-4.
      expect(near(net.remaining(1), 1e6 - sent, 1e-10)).toBe(true);
    }
  });

  it("network.start(), advance(), rate(), remaining() and active() refuse bad arguments", () => {
    expect(thrown(() => new Network([{ bandwidth: 0, latency: 0 }]))).toMatchInlineSnapshot(
      `"RangeError: Network: links[0].bandwidth: expected bytes/s > 0, got 0"`,
    );
    expect(thrown(() => new Network([{ bandwidth: 1, latency: 0 }, { bandwidth: 1, latency: -1 }]))).toMatchInlineSnapshot(
      `"RangeError: Network: links[1].latency: expected seconds >= 0, got -1"`,
    );
    const net = new Network([{ bandwidth: 1e8, latency: 0 }]);
    net.start(1, 0, 100, 0);
    net.advance(2);
    expect(thrown(() => net.start(2, 1, 100, 2))).toMatchInlineSnapshot(`"RangeError: Network.start: expected a link index in 0..0, got 1"`);
    expect(thrown(() => net.start(2, 0, -1, 2))).toMatchInlineSnapshot(`"RangeError: Network.start: transfer 2: expected bytes >= 0, got -1"`);
    expect(thrown(() => net.start(2, 0, NaN, 2))).toMatchInlineSnapshot(`"RangeError: Network.start: transfer 2: expected bytes >= 0, got NaN"`);
    expect(thrown(() => net.start(2, 0, 100, 1))).toMatchInlineSnapshot(
      `"RangeError: Network.start: cannot start transfer 2 at 1 s, before the last advance to 2 s"`,
    );
    expect(thrown(() => net.start(1.5, 0, 100, 2))).toMatchInlineSnapshot(`"RangeError: Network.start: expected an integer transfer id, got 1.5"`);
    net.start(2, 0, 100, 3);
    expect(thrown(() => net.start(2, 0, 100, 3))).toMatchInlineSnapshot(`"RangeError: Network.start: transfer 2 is already active"`);
    expect(thrown(() => net.advance(1))).toMatchInlineSnapshot(`"RangeError: Network.advance: cannot advance to 1 s, before the last advance to 2 s"`);
    expect(thrown(() => net.advance(NaN))).toMatchInlineSnapshot(`"RangeError: Network.advance: cannot advance to NaN s, before the last advance to 2 s"`);
    expect(thrown(() => net.rate(1))).toMatchInlineSnapshot(`"RangeError: Network.rate: no active transfer 1"`);
    expect(thrown(() => net.remaining(9))).toMatchInlineSnapshot(`"RangeError: Network.remaining: no active transfer 9"`);
    expect(thrown(() => net.active(-1))).toMatchInlineSnapshot(`"RangeError: Network.active: expected a link index in 0..0, got -1"`);
  });

  describe("properties", () => {
    it("(a) network.rate() never adds up to more than a link's bandwidth", () => {
      fc.assert(
        fc.property(arbScenario, ({ links, transfers }) => {
          const net = new Network(links);
          drive(net, transfers, (_t, _completed, active) => {
            const sum = links.map(() => 0);
            const count = links.map(() => 0);
            for (const x of active.values()) {
              sum[x.link] += net.rate(x.id);
              count[x.link]++;
            }
            links.forEach((spec, l) => {
              expect(sum[l]).toBeLessThanOrEqual(spec.bandwidth * (1 + 1e-9));
              expect(net.active(l)).toBe(count[l]);
            });
          });
        }),
      );
    });

    it("(b) network.advance() conserves bytes: rates integrated between events give each transfer's bytes", () => {
      fc.assert(
        fc.property(arbScenario, ({ links, transfers }) => {
          const net = new Network(links);
          const sent = new Map<number, number>();
          let rates = new Map<number, number>();
          let last = 0;
          drive(net, transfers, (t, completed, active) => {
            for (const [id, r] of rates) sent.set(id, (sent.get(id) ?? 0) + r * (t - last));
            for (const id of completed) {
              const b = transfers[id].bytes;
              expect(near(sent.get(id) ?? 0, b, 1e-6), `transfer ${id}: sent ${sent.get(id)} of ${b}`).toBe(true);
            }
            rates = new Map();
            for (const x of active.values()) {
              rates.set(x.id, net.rate(x.id));
              expect(near(net.remaining(x.id), x.bytes - (sent.get(x.id) ?? 0), 1e-6, 1e-6 * x.bytes)).toBe(true);
            }
            last = t;
          });
        }),
      );
    });

    it("(c) network.advance() never completes a transfer before latency + bytes / bandwidth after its start", () => {
      fc.assert(
        fc.property(arbScenario, ({ links, transfers }) => {
          const { doneAt } = drive(new Network(links), transfers);
          expect(doneAt.size).toBe(transfers.length);
          for (const x of transfers) {
            const { bandwidth, latency } = links[x.link];
            // Done means at most 1e-9 of the bytes left: allow that, plus rounding of the times.
            const earliest = x.at + latency + (x.bytes * (1 - 1e-9)) / bandwidth;
            expect(doneAt.get(x.id)!).toBeGreaterThanOrEqual(earliest - 1e-12 * earliest);
          }
        }),
      );
    });

    it("(d) network.advance() completes transfers started together on one link in order of size", () => {
      fc.assert(
        fc.property(arbLinks, fc.array(arbBytes, { minLength: 1, maxLength: 30 }), arbAt, (links, sizes, at) => {
          const transfers = sizes.map((bytes, id): Transfer => ({ id, link: 0, bytes, at }));
          const { order, doneAt } = drive(new Network(links), transfers);
          for (const x of transfers) {
            for (const y of transfers) {
              if (x.bytes < y.bytes) expect(doneAt.get(x.id)!).toBeLessThanOrEqual(doneAt.get(y.id)!);
              if (x.bytes === y.bytes) expect(doneAt.get(x.id)).toBe(doneAt.get(y.id));
            }
          }
          // Along the returned order, times never decrease, and ids increase within an instant.
          for (let i = 1; i < order.length; i++) {
            const [a, b] = [order[i - 1], order[i]];
            expect(doneAt.get(a)!).toBeLessThanOrEqual(doneAt.get(b)!);
            if (doneAt.get(a) === doneAt.get(b)) expect(a).toBeLessThan(b);
          }
        }),
      );
    });

    it("(e) network.advance() is deterministic: the same starts give the same completions at the same times", () => {
      fc.assert(
        fc.property(arbScenario, ({ links, transfers }) => {
          const a = drive(new Network(links), transfers);
          const b = drive(new Network(links), transfers);
          expect(b.order).toEqual(a.order);
          expect(b.doneAt).toEqual(a.doneAt);
        }),
      );
    });

    it("network.advance() agrees with a reference that updates every transfer at every event", () => {
      fc.assert(
        fc.property(arbScenario, ({ links, transfers }) => {
          const { doneAt } = drive(new Network(links), transfers);
          const expected = reference(links, transfers);
          for (const x of transfers) {
            const t = doneAt.get(x.id)!;
            const r = expected.get(x.id)!;
            expect(near(t, r, 1e-7, 1e-9), `transfer ${x.id}: ${t} s, reference ${r} s`).toBe(true);
          }
        }),
      );
    });

    it("network.nextEvent() is never before the last advance, and after one it is strictly later", () => {
      fc.assert(
        fc.property(arbScenario, ({ links, transfers }) => {
          const net = new Network(links);
          drive(net, transfers, (t) => {
            expect(net.nextEvent()).toBeGreaterThanOrEqual(t);
            // Whatever this step started at t is done by an advance(t); then nothing is left at t.
            net.advance(t);
            expect(net.nextEvent()).toBeGreaterThan(t);
          });
        }),
      );
    });
  });
});
