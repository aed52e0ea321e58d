#!/usr/bin/env python3
"""Reference timings of a convolutional training step in PyTorch, for side-by-side comparison.

Setup (Debian): apt-get install -y python3-torch libopenblas0-pthread
Run:   OMP_NUM_THREADS=1 /usr/bin/python3 torch_conv.py --model lenet --batch 128
Models (the same nets as bpnet's conv benchmark, ConvBench):
  lenet    [1, 28, 28]: conv 5x5 6 same, relu, max pool 2, conv 5x5 16 valid, relu, max pool 2,
           dense 120 relu, dense 84 relu, dense 10
  plain20  [3, 32, 32]: seed 000's plain-20: conv 3x3 16, then 3 stages of six 3x3 convolutions
           (16, 32, 64 channels; the first of stages 2 and 3 with stride 2), every one `same`
           padded and followed by relu; global average pooling, dense 10
Softmax cross-entropy, plain SGD. Prints one JSON line per mode: 2pass (plain backprop) and
3pass (l + l_x with exact double backward, alpha = 0.8), in milliseconds per step (median of
repeats). --block-seconds, --warmup and --repeats as in torch_mlp.py.
"""
import argparse
import torch
from torch_timing import serve, steps, time_modes
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--model", default="lenet", choices=["lenet", "plain20"])
p.add_argument("--batch", type=int, default=128)
p.add_argument("--steps", type=int, default=20)
p.add_argument("--repeats", type=int, default=5)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--modes", default="2pass,3pass")
p.add_argument("--warmup", type=int, default=5)
p.add_argument("--block-seconds", type=float, default=0.0)
p.add_argument("--serve", action="store_true", help="time blocks on request (bench/run.sh interleaves them)")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)


def conv_param(f, c, k):
    return [(torch.randn(f, c, k, k) * (2 / (c * k * k)) ** 0.5).requires_grad_(),
            torch.zeros(f, requires_grad=True)]


def dense_param(n_in, n_out):
    return [(torch.randn(n_out, n_in) * (2 / n_in) ** 0.5).requires_grad_(),
            torch.zeros(n_out, requires_grad=True)]


if a.model == "lenet":
    shape = (1, 28, 28)
    params = conv_param(6, 1, 5) + conv_param(16, 6, 5) + dense_param(400, 120) \
        + dense_param(120, 84) + dense_param(84, 10)

    def net(inp):
        h = F.max_pool2d(F.relu(F.conv2d(inp, params[0], params[1], padding=2)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, params[2], params[3])), 2)
        h = F.relu(F.linear(h.flatten(1), params[4], params[5]))
        h = F.relu(F.linear(h, params[6], params[7]))
        return F.linear(h, params[8], params[9])
else:
    shape = (3, 32, 32)
    layers = []  # (filters, channels, stride)
    c = 3
    for stage, f in enumerate([16, 16, 32, 64]):
        for i in range(1 if stage == 0 else 6):
            layers.append((f, c, 2 if stage >= 2 and i == 0 else 1))
            c = f
    params = []
    for f, c, s in layers:
        params += conv_param(f, c, 3)
    params += dense_param(64, 10)

    def net(inp):
        h = inp
        for i, (f, c, s) in enumerate(layers):
            h = F.relu(F.conv2d(h, params[2 * i], params[2 * i + 1], stride=s, padding=1))
        h = h.mean(dim=(2, 3))
        return F.linear(h, params[-2], params[-1])

x = torch.rand(a.batch, *shape)
y = torch.randint(0, 10, (a.batch,))


def loss_fn(inp):
    return F.cross_entropy(net(inp), y)


if a.serve:
    serve(steps(loss_fn, params, x, a.batch), {"model": a.model})
else:
    time_modes(a, steps(loss_fn, params, x, a.batch), {"model": a.model})
