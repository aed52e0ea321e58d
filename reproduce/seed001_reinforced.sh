#!/usr/bin/env bash
# Huang and Toyoizumi, "Reinforced backpropagation improves test performance of deep networks: a
# toy-model study": MNIST 784-100-200-10 (Fig. 5; M = 1,000, batch 100) with BackProp, R-BackProp
# in both readings of g(t-1), and Adam over 5 seeds; the teacher-student 100-400-200-10 task
# (Fig. 2) with the same four. Full: about 7 minutes on 2 cores; --quick: 2 seeds, 2 epochs.
#   reproduce/seed001_reinforced.sh [--quick] [--jobs N] [--out DIR]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if quick; then
  common=(--seeds 2 --epochs 2)
else
  common=(--seeds 5)
fi
sweep mnist "$here/seed001_reinforced.bpnet" "${common[@]}" \
  --models MnistBackprop,MnistReinforcedRaw,MnistReinforcedAccumulating,MnistAdam
sweep teacher_student "$root/examples/reinforced/reinforced.bpnet" "${common[@]}" \
  --models TeacherStudentBackprop,TeacherStudentReinforced,TeacherStudentReinforcedAccumulating
sweep teacher_student_adam "$here/seed001_reinforced.bpnet" "${common[@]}" --model TeacherStudentAdam
