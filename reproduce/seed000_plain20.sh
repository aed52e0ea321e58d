#!/usr/bin/env bash
# Xiong and Yang, "Reverse back propagation to make full use of derivative", Table 2: plain-20
# with each initialisation (Xavier and Kaiming two-pass; three-pass alpha = 0.1 with its own
# three_pass initialisation), on Fashion-MNIST (examples/plain/plain_fashion.bpnet: the CIFAR
# training on [1, 28, 28] images, 20 epochs). LONG: each run is hours on 2 cores; --quick trains
# 1,280 images for 1 epoch to check the pipeline. Needs `apt-get install dataset-fashion-mnist`.
#   reproduce/seed000_plain20.sh [--quick] [--jobs N] [--out DIR] [--seeds N] [--epochs N]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
file="$root/examples/plain/plain_fashion.bpnet"
if quick; then
  common=(--seeds 1 --epochs 1 --set 'data=fashion_mnist(train = 1280, test = 500, crop = 4, flip = yes, normalize = channel)')
else
  common=(--seeds 1)
fi
sweep two_pass "$file" "${common[@]}" --model Plain20Fashion --grid init=xavier,kaiming
sweep three_pass "$file" "${common[@]}" --model Plain20FashionThreePass --grid init=xavier,kaiming,three_pass
