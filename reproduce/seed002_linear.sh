#!/usr/bin/env bash
# Yazdani, "Linear Backprop in non-linear networks", Fig. 1: the 5-point cubic over 50
# initialisations, linear backprop against backprop, with tanh units (examples/linear) and with
# ReLU units (the paper's figure). Full: 4 x 50 runs of 500 epochs (about 6 minutes on 2 cores);
# --quick: 2 seeds, 20 epochs.
#   reproduce/seed002_linear.sh [--quick] [--jobs N] [--out DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if quick; then
  common=(--seeds 2 --epochs 20)
else
  common=(--seeds 50)
fi
sweep tanh "$root/examples/linear/linear.bpnet" "${common[@]}" --models CubicLinearBackprop,CubicBackprop
sweep relu "$here/seed002_linear.bpnet" "${common[@]}" --models CubicLinearBackpropRelu,CubicBackpropRelu
