#!/usr/bin/env bash
# "Difference back propagation with inverse sigmoid function" (anonymous authors, under review),
# Fig. 2: the (1,2,1) sigmoid network on 100 cosine points, difference backprop against backprop,
# loss against epoch over 10 seeds (initialisations) and three learning rates (the paper does not
# give its rate), in both readings of the target a' = a - lr dl/da: `cosine` runs the batch
# reading (examples/difference/difference.bpnet: CosineDifference) and backprop, `cosine_example`
# the per-example reading (reproduce/seed004_difference.bpnet). Full batch, 2,000 epochs, 90 runs
# (about 10 minutes on 2 cores); --quick: 2 seeds, 20 epochs.
#   reproduce/seed004_difference.sh [--quick] [--jobs N] [--out DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if quick; then
  common=(--seeds 2 --epochs 20)
else
  common=(--seeds 10)
fi
rates='optimizer=sgd(lr = 1),sgd(lr = 10),sgd(lr = 30)'
sweep cosine "$root/examples/difference/difference.bpnet" "${common[@]}" --models CosineDifference,CosineBackprop \
  --grid "$rates"
sweep cosine_example "$here/seed004_difference.bpnet" "${common[@]}" --model CosineDifferenceExample --grid "$rates"
