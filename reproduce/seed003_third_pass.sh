#!/usr/bin/env bash
# The third pass (Xiong and Yang, "Reverse back propagation to make full use of derivative") on
# feedback-alignment layers (the report "Asymmetric backpropagation"): the backward pass holds B
# in W's place, so the third-pass gradient reaches B; the train option g3 says where it goes (b:
# stays on B, never applied; w: added to W; none: dropped). DSR2 (examples/feedback/feedback.bpnet,
# MnistFeedbackRandom: 784-512-256-10, fixed random feedback in the last two layers, Adam 0.001,
# batch 64) on the bundled MNIST subset, three passes with alpha = 0.5, in paper and exact mode,
# g3 = b, w, none. Full: 4 epochs, 3 seeds, 18 runs (about 10 minutes on 2 cores); --quick:
# 256 digits, 1 epoch, 1 seed.
#   reproduce/seed003_third_pass.sh [--quick] [--jobs N] [--out DIR] [--seeds N] [--epochs N]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if quick; then
  common=(--seeds 1 --epochs 1 --set 'data=mnist(train = 256, test = 256)')
else
  common=(--seeds 3 --epochs 4)
fi
sweep g3 "$root/examples/feedback/feedback.bpnet" "${common[@]}" --model MnistFeedbackRandom \
  --set passes=3 --set alpha=0.5 --grid third=paper,exact --grid g3=b,w,none
