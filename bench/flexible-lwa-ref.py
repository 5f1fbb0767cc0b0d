"""
Let's Wait Awhile, scenario II (ML jobs), as published: a replica of
dos-group/lets-wait-awhile @6f58b9e (the code of Wiesner et al., Middleware '21,
doi:10.1145/3464298.3493399): simulate.py generate_batch_jobs (numpy
default_rng(0): 3,387 jobs, workdays only, arrivals 9:00..16:30 every 30 min,
durations 4 h .. 89.5 h every 30 min) and strategy.py AdHocStrategy with a
perfect forecast. Needs only numpy (no pandas: the calendar is done by hand).

Writes bench/flexible-lwa-jobs.csv (id, arrival_s, duration_s, and the slack
each deadline rule gives, next_workday_slack_s and semi_weekly_slack_s: the
deadline less arrival and duration; s since 2020-01-01 00:00 of the series'
local timestamps; the calendar is the same for every country), which bench/flexible-lwa.ts
simulates, and prints the replica's savings against the baseline, which are
the reference the simulator is compared with.

Usage: python3 bench/flexible-lwa-ref.py
"""
import datetime as dt
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "shared", "data", "grid", "lets_wait_awhile_2020")
STEP = 30  # minutes, the study's MEASUREMENT_INTERVAL
T0 = dt.datetime(2020, 1, 1)


def jobs(n=3387, min_duration=4 * 60, max_duration=90 * 60, workday_start=9 * 60, workday_end=17 * 60):
    """simulate.py generate_batch_jobs(workdays_only=True), draw for draw."""
    rng = np.random.default_rng(0)
    durations_range = np.arange(min_duration, max_duration, STEP)
    starts_range = np.arange(workday_start, workday_end, STEP)
    days = [T0 + dt.timedelta(days=d) for d in range(366)]  # 2020-01-01 .. 2020-12-31
    usable = [d for d in days if d.weekday() <= 4]
    per_day = dict(zip(usable, rng.multinomial(n, [1 / len(usable)] * len(usable))))
    arrivals = []
    for d in days:
        k = int(per_day.get(d, 0))
        minutes = np.sort(rng.choice(starts_range, size=k))
        for m in minutes:
            arrivals.append(int((d - T0).total_seconds() // 60) + int(m))
    durations = rng.choice(durations_range, size=n)
    return [(i, a, int(u)) for i, (a, u) in enumerate(zip(arrivals, durations))]


def series(country):
    """The country's series from 2020-01-01 00:00, values at :00 and :30 (simulate.py ml_experiment)."""
    times, values = [], []
    with open(os.path.join(DATA, f"{country}_ci.csv")) as f:
        next(f)
        for line in f:
            stamp, v = line.strip().split(",")[:2]
            t = dt.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S")
            if t >= T0 and t.minute % STEP == 0:
                times.append(t)
                values.append(float(v))
    return times, np.array(values)


def forecast_steps(times, idx, duration_steps, method):
    """AdHocStrategy._forecast_steps: slack to the deadline, in steps."""
    if isinstance(method, int):
        return method // STEP
    oft = times[idx + duration_steps]
    weekday, time = oft.weekday(), oft.hour + (0.5 if oft.minute == 30 else 0)
    nine = oft.replace(hour=9, minute=0, second=0)
    if method == "next_workday":
        if weekday == 5:
            finish = nine + dt.timedelta(days=2)
        elif weekday == 6 or time > 17:
            finish = nine + dt.timedelta(days=1)
        elif time < 9:
            finish = nine
        else:
            finish = oft
    elif method == "semi_weekly":
        # As published: the Monday rule overrides the Thursday one whenever its condition holds.
        finish = None
        if (weekday == 0 and time > 9) or weekday in (1, 2) or (weekday == 3 and time <= 9):
            finish = nine + dt.timedelta(days=(7 - weekday + 3) % 7)
        if (weekday == 3 and time > 9) or weekday in (4, 5, 6) or (weekday == 0 and time <= 9):
            finish = nine + dt.timedelta(days=(7 - weekday) % 7)
    else:
        raise ValueError(method)
    return int((finish - oft).total_seconds() // 60) // STEP


def emissions(times, ci, job_list, method, interruptible):
    """Sum of ci over the slots each job runs in (1 W per job, 30-min meter), AdHocStrategy.run."""
    active = np.zeros(len(ci) + 1)
    for _, arrival, duration in job_list:
        idx = arrival // STEP
        ds = duration // STEP
        fs = forecast_steps(times, idx, ds, method)
        window = ci[idx: idx + ds + fs + 1]
        if len(window) < ds:
            window = ci[idx: idx + ds]
        if interruptible:
            worst = np.sort(window, kind="stable")[ds - 1]
            for k in np.where(window <= worst)[0]:
                active[idx + k] += 1
        else:
            means = np.convolve(window, np.ones(ds) / ds, mode="valid")
            w = int(np.argmin(means))
            active[idx + w: idx + w + ds] += 1
    return float((active[: len(ci)] * ci).sum())


def main():
    job_list = jobs()
    times, _ = series("ger")
    with open(os.path.join(HERE, "flexible-lwa-jobs.csv"), "w") as f:
        f.write("id,arrival_s,duration_s,next_workday_slack_s,semi_weekly_slack_s\n")
        for i, a, u in job_list:
            slack = [forecast_steps(times, a // STEP, u // STEP, m) * STEP * 60 for m in ("next_workday", "semi_weekly")]
            f.write(f"{i},{a * 60},{u * 60},{slack[0]},{slack[1]}\n")
    print(f"{len(job_list)} jobs, mean duration {np.mean([u for _, _, u in job_list]) / 60:.2f} h")
    for country in ("ger", "gb", "fr"):
        times, ci = series(country)
        base = emissions(times, ci, job_list, 0, False)
        for method in ("next_workday", "semi_weekly"):
            x = emissions(times, ci, job_list, method, False)
            xi = emissions(times, ci, job_list, method, True)
            print(f"{country} {method}: non-interrupting {100 * (1 - x / base):.2f} %, interrupting {100 * (1 - xi / base):.2f} %")


if __name__ == "__main__":
    main()
