#!/usr/bin/env bash
# Xiong and Yang, "Reverse back propagation to make full use of derivative", Table 2: plain-20
# with each initialisation (Xavier and Kaiming two-pass; three-pass alpha = 0.1 with eta/alpha and
# each of Xavier, Kaiming and its own three_pass initialisation), on Fashion-MNIST
# (examples/plain/plain_fashion.bpnet: the CIFAR training on [1, 28, 28] images). Default, a
# reduced scale this 2-core machine affords: the first 2,000 training and 1,000 test images,
# 6 epochs (before the file's learning-rate steps at epochs 10 and 15), 1 seed, 5 runs (about
# 22 minutes). The file's own setting, all 60,000 images for 20 epochs, is hours per run:
# --epochs 20 --set 'data=fashion_mnist(crop = 4, flip = yes, normalize = channel)'.
# Needs `apt-get install dataset-fashion-mnist`, but for --quick: 1 epoch, one batch of 32 digits of
# the bundled MNIST subset in Fashion-MNIST's place (the same [1, 28, 28] images), tested on 32.
#   reproduce/seed000_plain20.sh [--quick] [--jobs N] [--out DIR] [--seeds N] [--epochs N] [--set NAME=VALUE]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
file="$root/examples/plain/plain_fashion.bpnet"
if quick; then
  common=(--seeds 1 --epochs 1 --set 'data=mnist(train = 32, test = 32, crop = 4, flip = yes, normalize = channel)' --set batch=32)
else
  common=(--seeds 1 --epochs 6 --set 'data=fashion_mnist(train = 2000, test = 1000, crop = 4, flip = yes, normalize = channel)')
fi
sweep two_pass "$file" "${common[@]}" --model Plain20Fashion --grid init=xavier,kaiming
sweep three_pass "$file" "${common[@]}" --model Plain20FashionThreePass --grid init=xavier,kaiming,three_pass
