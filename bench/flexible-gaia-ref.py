"""
GAIA's carbon policies as published in code (umassos/GAIA @62a5efc, Hanafy et
al., ASPLOS '24), re-implemented here with numpy after what GAIA's functions compute, and run
on GAIA's PAI excerpt
(../shared/data/traces/gaia-pai_1k.csv) with its "6x24" classes (jobs shorter
than 2 h wait up to 6 h, the others 24 h) and its 5-s time steps (TIME_FACTOR
5: arrival and length divided by 5 and truncated, src/task.py), one watt per
CPU, capacity unlimited:

- carbon agnostic: start at arrival;
- Wait AWhile (suspend_scheduling_policy.py compute_schedule_optimal): the
  job's L cheapest steps of its L + W, sorted by (intensity, index);
- Ecovisor (compute_schedule_threshold): run a step below the 0.3 quantile
  (pandas, linear) of the next 24 h of steps, or once the waiting budget W is
  spent;
- Lowest-Window (carbon_waiting_policy.py oracle_carbon_slot): starts every
  hour from arrival up to W, least sum, the first of equals;
- Carbon-Time (oracle_carbon_slot_waiting): max (C(0) - C(s)) / (s + L);
- Lowest-Slot (lowest_carbon_slot): start at the cheapest step of the first
  W + 1 (idxmin, the first).

GAIA's own carbon trace (src/traces/AU-SA.csv) is not in the stored snapshot,
so both this replay and bench/flexible-gaia.ts (argument "steps") use the
hourly values of Let's Wait Awhile's 2020 German series (the value at each
hour's start, held for the hour; time 0 = 2020-01-01 00:00), as GAIA holds its
hourly trace over 720 steps.

Usage: python3 bench/flexible-gaia-ref.py
"""
import csv
import datetime as dt
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "data")
TF = 5


def hourly():
    values = []
    with open(os.path.join(SHARED, "grid", "lets_wait_awhile_2020", "ger_ci.csv")) as f:
        next(f)
        for line in f:
            stamp, v = line.strip().split(",")[:2]
            t = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
            if t >= dt.datetime(2020, 1, 1) and t.minute == 0:
                values.append(float(v))
    return np.array(values)


def main():
    c = np.repeat(hourly(), 3600 // TF)
    cum = np.concatenate([[0.0], np.cumsum(c)])
    window = lambda a, n: cum[a + n] - cum[a]
    jobs = []
    with open(os.path.join(SHARED, "traces", "gaia-pai_1k.csv")) as f:
        for row in csv.DictReader(f):
            a, length, cpus = int(float(row["arrival_time"]) / TF), int(float(row["length"]) / TF), int(float(row["cpus"]))
            w = int(6 * 3600 / TF) if length < 7200 / TF else int(24 * 3600 / TF)
            jobs.append((a, length, w, cpus))
    hour = 3600 // TF
    totals = dict.fromkeys(["agnostic", "wait-awhile", "ecovisor", "lowest-window", "carbon-time", "lowest-slot"], 0.0)
    for a, L, W, cpus in jobs:
        totals["agnostic"] += window(a, L) * cpus
        seg = c[a: a + L + W]
        order = np.lexsort((np.arange(len(seg)), seg))[:L]
        totals["wait-awhile"] += seg[order].sum() * cpus
        coming = c[a: a + 24 * hour]
        threshold = np.quantile(coming, 0.3)
        left, waiting, cost = L, W, 0.0
        for i in range(L + W):
            if left <= 0:
                break
            if seg[i] < threshold or waiting <= 0:
                cost += seg[i]
                left -= 1
            else:
                waiting -= 1
        totals["ecovisor"] += cost * cpus
        starts = range(0, W + 1, hour)
        costs = [window(a + s, L) for s in starts]
        best = min(range(len(costs)), key=lambda k: costs[k])
        totals["lowest-window"] += costs[best] * cpus
        ca = costs[0]
        best = max(range(len(costs)), key=lambda k: (ca - costs[k]) / (starts[k] + L))
        totals["carbon-time"] += costs[best] * cpus
        s = int(np.argmin(c[a: a + W + 1]))
        totals["lowest-slot"] += window(a + s, L) * cpus
    base = totals["agnostic"]
    for name, total in totals.items():
        print(f"{name}: {100 * (1 - total / base):.2f} % saved")


if __name__ == "__main__":
    main()
