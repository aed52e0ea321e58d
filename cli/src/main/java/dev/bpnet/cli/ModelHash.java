package dev.bpnet.cli;

import dev.bpnet.dsl.ad.IrText;
import dev.bpnet.dsl.ad.TrainingGraph;
import dev.bpnet.runtime.train.TrainingLoop;

/**
 * The identity of a compiled model for checkpoints: SHA-256 of its IR text (parameters, every
 * node of the three passes, outputs) without source positions and without the train line. Edits
 * to comments, spacing or training options leave it unchanged; a change to what is computed
 * does not. Training options are compared one by one instead, so the message can name them.
 */
final class ModelHash {
  private ModelHash() {}

  static String of(TrainingGraph tg) {
    String ir = IrText.of(tg)
        .replaceAll("(?m)^  train .*\\n", "")
        .replaceAll("(?m)  \\S+:\\d+:\\d+$", "");
    return TrainingLoop.sha256(ir);
  }
}
