#!/usr/bin/env bash
# Xiong and Yang, "Reverse back propagation to make full use of derivative", section 6.2: the
# MNIST MLP's alpha sweep (Fig. 5; alpha = 0 is Fig. 9; alpha = 1 is two-pass backprop) at lr
# 0.1, and the paper's third pass (ABP) against the exact gradient of l_x at alpha = 0.8 and 0.1.
# Full: 50 epochs, 3 seeds, 30 runs (about 31 minutes on 2 cores); --quick: 256 digits, 1 epoch, 1 seed.
#   reproduce/seed000_three_pass.sh [--quick] [--jobs N] [--out DIR] [--seeds N] [--epochs N]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if quick; then
  common=(--seeds 1 --epochs 1 --set 'data=mnist(train = 256, test = 256)')
else
  common=(--seeds 3)
fi
sweep alpha "$here/seed000_three_pass.bpnet" "${common[@]}" --grid alpha=1,0.8,0.5,0.2,0.1,0
sweep third "$here/seed000_three_pass.bpnet" "${common[@]}" --grid alpha=0.8,0.1 --grid third=paper,exact
