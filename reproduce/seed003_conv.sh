#!/usr/bin/env bash
# The report "Asymmetric backpropagation", Tables 3 and 4: Poggio's net (examples/poggio:
# PG0 ... PGR2-U with cross-entropy, and their hinge twins) and the same net with untied
# convolutions (PG-Untie ... PG-Untie-R2-U), with fixed (R) and updated (R*) random feedback in
# the dense layers, Adam 0.001, batch 64, on Fashion-MNIST (the report: CIFAR-10, 100 to 300
# epochs). Default, a reduced scale this 2-core machine affords: the first 2,000 training and
# 1,000 test images, 3 epochs, 1 seed, 15 runs (about 10 minutes). The model files' own
# setting, all 60,000 images for 20 epochs, is more than an hour per run:
# --epochs 20 --set 'data=fashion_mnist(normalize = channel)'. Needs `apt-get install
# dataset-fashion-mnist`, but for --quick: 1 epoch on 64 digits of the bundled MNIST subset in
# Fashion-MNIST's place (the same [1, 28, 28] images), tested on 64, and two models of each table,
# the first and the last (the test suite's ExampleFilesTest trains every model of these files).
#   reproduce/seed003_conv.sh [--quick] [--jobs N] [--out DIR] [--seeds N] [--epochs N] [--set NAME=VALUE]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if quick; then
  common=(--seeds 1 --epochs 1 --set 'data=mnist(train = 64, test = 64, normalize = channel)')
else
  common=(--seeds 1 --epochs 3 --set 'data=fashion_mnist(train = 2000, test = 1000, normalize = channel)')
fi
table3=PG0Fashion,PGR1Fashion,PGR2Fashion,PGR1UFashion,PGR2UFashion
table4=PGUntieFashion,PGUntieR1Fashion,PGUntieR2Fashion,PGUntieR1UFashion,PGUntieR2UFashion
if quick; then
  table3=PG0Fashion,PGR2UFashion
  table4=PGUntieFashion,PGUntieR2UFashion
fi
sweep table3 "$root/examples/poggio/poggio_fashion.bpnet" "${common[@]}" --models "$table3"
sweep table4 "$root/examples/poggio/poggio_untie_fashion.bpnet" "${common[@]}" --models "$table4"
sweep table3_hinge "$root/examples/poggio/poggio_fashion.bpnet" "${common[@]}" \
  --models "$(echo "$table3" | sed 's/Fashion/HLFashion/g')"
