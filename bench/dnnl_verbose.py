#!/usr/bin/env python3
"""Sums a oneDNN verbose log by primitive: what a bpnet step spends in convolutions, reorders
and eltwise passes, as oneDNN times them, and how many of each it runs.

Usage: DNNL_VERBOSE=1 bench/run.sh --conv --models plain20 --modes 2pass --impl bpnet \\
           --repeats 1 > verbose.txt; bench/dnnl_verbose.py verbose.txt

Steps are counted as the executions of the first convolution the log shows (the model's first
layer's forward, run once per step and once per run of the step's convolutions alone), so the
per-step figures average over both: exact for the convolutions and their reorders, which both
run; primitives outside the convolutions (the ReLU VJPs' eltwise passes) show at about half. Reorders of arrays with a batch dimension (their first
dimension the batch, --batch, default 128) are "big"; the rest are the kernels' and filter
gradients'. oneDNN's verbose mode adds its own time to each call: compare runs, not to a step's
time without it."""
import argparse
import collections

p = argparse.ArgumentParser()
p.add_argument("log")
p.add_argument("--batch", type=int, default=128)
a = p.parse_args()
total = collections.defaultdict(float)
count = collections.Counter()
first = None
steps = 0
with open(a.log) as f:
    for line in f:
        if not line.startswith(("onednn_verbose,exec", "dnnl_verbose,exec")):
            continue
        field = line.rstrip().split(",")
        prim, prop, problem, ms = field[3], field[5], field[9], float(field[10])
        if prim == "convolution":
            first = first or problem + prop
            steps += problem + prop == first
            key = "convolution " + prop
        elif prim == "reorder":
            key = "reorder " + ("big" if problem.startswith(str(a.batch) + "x") else "small")
        else:
            key = prim + " " + prop
        total[key] += ms
        count[key] += 1
if not steps:
    raise SystemExit("no convolution in " + a.log + ": was DNNL_VERBOSE=1 set?")
print(f"{steps} steps (executions of the first convolution)")
print(f"{'primitive':36s} {'ms/step':>9s} {'calls/step':>10s}")
for key, ms in sorted(total.items(), key=lambda kv: -kv[1]):
    print(f"{key:36s} {ms / steps:9.2f} {count[key] / steps:10.1f}")
print(f"{'all':36s} {sum(total.values()) / steps:9.2f}")
