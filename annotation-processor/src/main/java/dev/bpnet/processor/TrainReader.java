package dev.bpnet.processor;

import dev.bpnet.api.TrainSpec;
import dev.bpnet.dsl.diag.Pos;
import dev.bpnet.dsl.syntax.Expr;
import dev.bpnet.dsl.syntax.TrainOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;

/**
 * {@code @Train(...)} to a {@link TrainSpec}. Only the options written are read: each becomes
 * the option {@code name = value} of a train block and goes through the language's own
 * {@link TrainOptions}, so defaults, checks and messages are the DSL's. Numbers are numbers;
 * strings are expressions ({@code "sgd(lr = 0.1)"}, {@code "exact"}), except {@code data}, which
 * is a name or a directory, as a quoted string is in the language, or a call with arguments
 * ({@code "mnist(train = 2000)"}).
 */
final class TrainReader {
  /** {@code name(...)}: a data set called with its arguments. */
  private static final java.util.regex.Pattern CALL = java.util.regex.Pattern.compile("[A-Za-z_][A-Za-z_0-9]*\\s*\\(.*\\)", java.util.regex.Pattern.DOTALL);

  private final ValueReader values;

  TrainReader(ValueReader values) {
    this.values = values;
  }

  /**
   * The options of {@code train} on {@code type}, resolved by {@code resolver} (which knows the
   * model's declared optimizers and reports errors in their values).
   */
  TrainSpec read(Element type, AnnotationMirror train, TrainOptions resolver) {
    List<TrainOptions.Option> written = new ArrayList<>();
    for (Map.Entry<String, AnnotationValue> e : Mirrors.explicit(train).entrySet()) {
      String name = e.getKey();
      Object v = e.getValue().getValue();
      Expr value;
      // data is a name or a path, as a quoted string is in the language; a call such as
      // "mnist(normalize = channel)" is the train block's expression, arguments and all
      boolean call = v instanceof String str && CALL.matcher(str.strip()).matches();
      if (v instanceof String && (!name.equals("data") || call)) {
        value = values.expr(type, train, name);
        if (value == null) {
          continue;
        }
      } else {
        Pos p = values.at(type, train, e.getValue());
        value = v instanceof String ? new Expr.Str(Mirrors.as(e.getValue(), String.class), p) : new Expr.Num(Mirrors.as(e.getValue(), Number.class).doubleValue(), p);
      }
      written.add(new TrainOptions.Option(name, value, value.pos()));
    }
    return resolver.resolve(written);
  }
}
