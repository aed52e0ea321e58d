"""The training steps and the timing loop that bench/torch_mlp.py and bench/torch_conv.py share.

step2 is one SGD step of plain backprop; step3 one of l + l_x with the exact double backward
(alpha * g2 + (1 - alpha) * g3), l_x = (1/B) sum_b 1/2 ||dl_b/dx_b||^2. time_modes prints one
JSON line per mode, in milliseconds per step (median of repeats).
"""
import json, statistics, time
import torch


def steps(loss_fn, params, x, batch, lr=0.01, alpha=0.8):
    """The 2-pass and exact 3-pass SGD steps of loss_fn(input) over params, on the batch x."""

    def step2():
        g = torch.autograd.grad(loss_fn(x), params)
        with torch.no_grad():
            for q, gq in zip(params, g):
                q -= lr * gq

    def step3():
        xx = x.clone().requires_grad_()
        g = torch.autograd.grad(loss_fn(xx), params + [xx], create_graph=True)
        # per-example input gradients are B * dL/dx for a batch-mean loss
        lx = 0.5 * ((g[-1] * batch) ** 2).sum() / batch
        g3 = torch.autograd.grad(lx, params, allow_unused=True)
        with torch.no_grad():
            for q, g2q, g3q in zip(params, g[:-1], g3):
                q -= lr * (alpha * g2q + (1 - alpha) * (g3q if g3q is not None else 0))

    return {"2pass": step2, "3pass": step3}


def time_modes(a, modes, fields):
    """Times each mode of a.modes (warm-up, then a.repeats blocks of about a.block_seconds or
    a.steps steps) and prints its JSON line, with the script's own fields."""
    for name, f in modes.items():
        if name not in a.modes.split(","):
            continue
        t = time.perf_counter()
        for _ in range(a.warmup):
            f()
        n = a.steps
        if a.block_seconds > 0:
            per_step = (time.perf_counter() - t) / max(1, a.warmup)
            n = max(3, round(a.block_seconds / per_step))
        runs, cpu = [], []
        for _ in range(a.repeats):
            t, c = time.perf_counter(), time.process_time()
            for _ in range(n):
                f()
            runs.append((time.perf_counter() - t) / n * 1e3)
            cpu.append((time.process_time() - c) / n * 1e3)
        print(json.dumps({"impl": "pytorch-" + torch.__version__, "mode": name, **fields,
                          "batch": a.batch, "threads": a.threads, "steps": n, "runs_ms": runs,
                          "cpu_ms_per_step": statistics.median(cpu),
                          "ms_per_step": statistics.median(runs)}), flush=True)


def serve(modes, fields):
    """The harness's side of interleaved timing: prints one JSON line with the script's fields
    and torch's version, then for each line "MODE N" on standard input runs N steps of MODE and
    prints their wall-clock and process CPU times in milliseconds; ends at "quit" or end of input.
    The harness alternates these blocks with its Java contenders', so load drift hits all alike."""
    import sys
    print(json.dumps({"impl": "pytorch-" + torch.__version__, "ready": True, **fields}), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        f, n = modes[words[0]], int(words[1])
        t, c = time.perf_counter(), time.process_time()
        for _ in range(n):
            f()
        print(json.dumps({"wall_ms": (time.perf_counter() - t) * 1e3,
                          "cpu_ms": (time.process_time() - c) * 1e3}), flush=True)
