"""Runs a Python program in this process as __main__, then prints on the last
line of stdout a JSON object: cpu_s (user + system CPU seconds of the whole
process) and max_rss_kb, as bench/measure.mjs does for Node programs.
Usage: python3 bench/measure.py PROGRAM.py [args...]"""
import atexit
import json
import resource
import runpy
import sys


def report():
    r = resource.getrusage(resource.RUSAGE_SELF)
    sys.stdout.write("\n" + json.dumps({"cpu_s": r.ru_utime + r.ru_stime, "max_rss_kb": r.ru_maxrss}) + "\n")
    sys.stdout.flush()


atexit.register(report)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
