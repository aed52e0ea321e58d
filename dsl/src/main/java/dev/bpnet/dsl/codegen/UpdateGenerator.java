package dev.bpnet.dsl.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.bpnet.dsl.ir.Emission;
import dev.bpnet.dsl.ir.Graph;
import dev.bpnet.dsl.ir.HostScalar;
import dev.bpnet.dsl.ir.Leaves;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.UpdateRule;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * The optimizer class of a rule written in the language, nested in the trainer: a subclass of
 * the runtime's RuleOptimizer whose values that do not depend on an element are computed once per
 * update ({@code begin}) and whose element-wise rule is one fused loop per parameter, in float64
 * and in float32. Each loop reads theta, g and the state once, computes the rule's statements in
 * order (commented with their source lines) and writes the state and theta + update back:
 * nothing is allocated per step, and the arrays are swept once instead of once per operation.
 *
 * <p>float32 follows ND4J's semantics: every host value and constant is rounded to float before it
 * meets an element, and each operation's result is rounded to float.
 */
public final class UpdateGenerator {
  static final ClassName RULE_OPTIMIZER = ClassName.get("dev.bpnet.runtime.optim", "RuleOptimizer");
  private static final ClassName INDARRAY = ClassName.get("org.nd4j.linalg.api.ndarray", "INDArray");
  private static final ClassName SCHEDULE = ClassName.get("dev.bpnet.api", "Schedule");
  private static final ClassName DATA_TYPE = ClassName.get("org.nd4j.linalg.api.buffer", "DataType");

  private final UpdateRule r;
  private final Graph g;
  /** Host values the loops read (or masks' probabilities), each a field set by begin(). */
  private final Map<Integer, String> hostFields = new LinkedHashMap<>();
  private final List<Integer> masks = new ArrayList<>();
  /** The host values the loops read, by node, as the loops' parameters name them (set with hostFields). */
  private Map<Integer, String> loopScalars;

  private UpdateGenerator(UpdateRule r) {
    this.r = r;
    this.g = r.graph();
  }

  /** The optimizer's class name: MyReinforcedOptimizer for my_reinforced (never the trainer's, which ends in Trainer). */
  public static String className(UpdateRule r) {
    String c = Names.camel(r.name());
    return Character.toUpperCase(c.charAt(0)) + c.substring(1) + "Optimizer";
  }

  /** The nested optimizer class of {@code r}. */
  static TypeSpec generate(UpdateRule r) {
    return new UpdateGenerator(r).type();
  }

  private TypeSpec type() {
    List<Integer> loopRoots = new ArrayList<>();
    r.states().forEach(s -> loopRoots.add(s.next()));
    loopRoots.add(r.next());
    collectHostFields(loopRoots);
    loopScalars = readByLoops();
    TypeSpec.Builder t = TypeSpec.classBuilder(className(r))
        .addModifiers(Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL).superclass(RULE_OPTIMIZER)
        .addJavadoc("Optimizer {@code $L} ($L), compiled from its rule: per parameter theta and update direction g,\n"
            + "theta becomes theta + update. Hyperparameters as this model's train block sets them.\n", r.name(),
            Emitter.where(r.pos()));
    r.hypers().forEach((n, v) -> t.addField(FieldSpec.builder(double.class, Leaves.RuleScalar.javaName(n),
        Modifier.PRIVATE, Modifier.FINAL).initializer("$L", Emission.literal(v)).build()));
    hostFields.forEach((id, name) -> t.addField(FieldSpec.builder(double.class, name, Modifier.PRIVATE)
        .addJavadoc("$L, once per update.\n", math(id)).build()));
    t.addMethod(MethodSpec.constructorBuilder().addModifiers(Modifier.PUBLIC)
        .addJavadoc("With the learning rate following {@code schedule} from lr (null: the rule's own), masks drawn from {@code seed}.\n")
        .addParameter(SCHEDULE, "schedule").addParameter(long.class, "seed")
        .addStatement("super($S, $T.of($L), $L, schedule, seed, $T.of($L))", r.name(), List.class,
            String.join(", ", r.states().stream().map(s -> "\"" + s.name() + "\"").toList()), masks.size(), List.class,
            String.join(", ", r.steps().stream().filter(s -> g.isHost(s.node())).map(s -> "\"" + s.name() + "\"")
                .distinct().toList())).build());
    t.addMethod(rateMethod());
    t.addMethod(MethodSpec.methodBuilder("baseRate").addAnnotation(Override.class).addModifiers(Modifier.PROTECTED)
        .returns(double.class).addStatement("return $L", r.hypers().containsKey("lr") ? "lr" : "Double.NaN").build());
    t.addMethod(begin());
    if (!masks.isEmpty()) {
      MethodSpec.Builder m = MethodSpec.methodBuilder("maskProbability").addAnnotation(Override.class)
          .addModifiers(Modifier.PROTECTED).returns(double.class).addParameter(int.class, "k");
      if (masks.size() == 1) {
        m.addStatement("return $N", hostFields.get(g.node(masks.get(0)).input(0)));
      } else {
        m.beginControlFlow("switch (k)");
        for (int k = 0; k < masks.size(); k++) {
          m.addStatement("case $L: return $N", k, hostFields.get(g.node(masks.get(k)).input(0)));
        }
        m.addStatement("default: throw new $T(k)", IndexOutOfBoundsException.class).endControlFlow();
      }
      t.addMethod(m.build());
    }
    MethodSpec.Builder init = MethodSpec.methodBuilder("init").addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED).addParameter(INDARRAY, "theta").addParameter(com.palantir.javapoet.ArrayTypeName.of(INDARRAY), "state")
        .addJavadoc("The state's initial values (the arrays are zero when this is called).\n");
    boolean anyInit = false;
    for (int s = 0; s < r.states().size(); s++) {
      UpdateRule.State st = r.states().get(s);
      if (!(g.node(st.init()).op() instanceof Leaves.Const c && c.value() == 0)) {
        // the lowering allows only hyperparameters and numbers here: a host value
        init.addComment("$L    [$L]", st.text(), Emitter.where(st.pos()));
        init.addStatement("state[$L].assign($L)", s, hostExpression(st.init(), Map.of()));
        anyInit = true;
      }
    }
    if (anyInit) {
      t.addMethod(init.build());
    }
    t.addMethod(apply());
    t.addMethod(new Loop("applyDouble", false, r.states().stream().map(UpdateRule.State::next).toList()).method());
    t.addMethod(new Loop("applyFloat", true, r.states().stream().map(UpdateRule.State::next).toList()).method());
    return t.build();
  }

  /** Host values that element expressions or masks read, excluding leaves and constants (they have names or literals). */
  private void collectHostFields(List<Integer> roots) {
    BitSet needed = g.ancestors(roots);
    Set<String> used = new HashSet<>();
    r.hypers().keySet().forEach(h -> used.add(Leaves.RuleScalar.javaName(h)));
    used.addAll(List.of("t", "epoch", "rate", "schedule", "seed", "k", "n", "state", "mask", "theta", "g"));
    Map<Integer, String> stepName = new HashMap<>();
    r.steps().forEach(s -> stepName.putIfAbsent(s.node(), s.name()));
    for (int id = needed.nextSetBit(0); id >= 0; id = needed.nextSetBit(id + 1)) {
      Node n = g.node(id);
      if (n.op() instanceof Leaves.Bernoulli) {
        masks.add(id);
      }
      if (g.isHost(id) || n.op() instanceof Leaves.Bernoulli) {
        continue;
      }
      for (int in : n.inputs()) {
        Node x = g.node(in);
        boolean named = x.op() instanceof Leaves.RuleScalar || x.op() instanceof Leaves.Const;
        if (g.isHost(in) && !named && !hostFields.containsKey(in)) {
          hostFields.put(in, unique(stepName.getOrDefault(in, "c" + (hostFields.size() + 1)), used));
        }
      }
    }
    // a mask's probability is read by maskProbability, even when it is a plain hyperparameter
    for (int m : masks) {
      int p = g.node(m).input(0);
      if (!hostFields.containsKey(p)) {
        hostFields.put(p, unique(stepName.getOrDefault(p, "p" + (masks.indexOf(m) + 1)), used));
      }
    }
  }

  private static String unique(String base, Set<String> used) {
    String s = Leaves.RuleScalar.javaName(Names.camel(base).isEmpty() ? "v" : Names.camel(base));
    String name = s;
    for (int i = 2; !used.add(name); i++) {
      name = s + "_" + i;
    }
    return name;
  }

  private MethodSpec rateMethod() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("ownRate").addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED).returns(double.class).addParameter(long.class, "step");
    if (r.ownRate() < 0) {
      return m.addComment("the rule has no lr and no rate = ...").addStatement("return Double.NaN").build();
    }
    boolean readsT = g.ancestors(List.of(r.ownRate())).stream()
        .anyMatch(i -> g.node(i).op() instanceof Leaves.RuleScalar s && s.var().equals("t"));
    if (readsT) {  // the rate's own t is the step asked about (learningRate() asks for the next one)
      m.addStatement("long t = step");
    }
    return m.addStatement("return $L", hostExpression(r.ownRate(), Map.of())).build();
  }

  /** The host values of this update, in the order the rule computes them. */
  private MethodSpec begin() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("begin").addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED).addParameter(double.class, "rate");
    Map<Integer, UpdateRule.Step> steps = new HashMap<>();
    r.steps().forEach(s -> steps.putIfAbsent(s.node(), s));
    List<Integer> ordered = new ArrayList<>(hostFields.keySet());
    ordered.sort(Integer::compare);  // node ids are made in dependency order
    Map<Integer, String> done = new HashMap<>();
    for (int id : ordered) {
      UpdateRule.Step s = steps.get(id);
      if (s != null) {
        m.addComment("$L    [$L]", s.text(), Emitter.where(s.pos()));
      }
      m.addStatement("$N = $L", hostFields.get(id), hostExpression(id, done));
      done.put(id, hostFields.get(id));
    }
    if (ordered.isEmpty()) {
      m.addComment("every value of the rule depends on an element");
    }
    return m.build();
  }

  /** A host value as a Java double expression, naming those in {@code named}. */
  private String hostExpression(int id, Map<Integer, String> named) {
    if (named.containsKey(id)) {
      return named.get(id);
    }
    Node n = g.node(id);
    List<String> args = new ArrayList<>();
    for (int in : n.inputs()) {
      args.add(hostExpression(in, named));
    }
    return ((HostScalar) n.op()).java(args);
  }

  private String math(int id) {
    Node n = g.node(id);
    if (n.op() instanceof HostScalar h) {
      List<String> args = new ArrayList<>();
      n.inputs().forEach(i -> args.add(math(i)));
      return h.hostMath(args);
    }
    return n.op().name();
  }

  private MethodSpec apply() {
    MethodSpec.Builder m = MethodSpec.methodBuilder("apply").addAnnotation(Override.class)
        .addModifiers(Modifier.PROTECTED).addParameter(INDARRAY, "theta").addParameter(INDARRAY, "g")
        .addParameter(com.palantir.javapoet.ArrayTypeName.of(INDARRAY), "state").addParameter(com.palantir.javapoet.ArrayTypeName.of(INDARRAY), "mask")
        .addParameter(double.class, "rate");
    m.beginControlFlow("if (theta.dataType() == $T.DOUBLE)", DATA_TYPE)
        .addStatement("applyDouble($L)", callArguments(false))
        .nextControlFlow("else")
        .addStatement("applyFloat($L)", callArguments(true)).endControlFlow();
    return m.build();
  }

  private String callArguments(boolean f) {
    String buf = f ? "floats" : "doubles";
    List<String> a = new ArrayList<>();
    a.add("(int) theta.length()");
    a.add(buf + "(theta)");
    a.add(buf + "(g)");
    for (int s = 0; s < r.states().size(); s++) {
      a.add(buf + "(state[" + s + "])");
    }
    for (int k = 0; k < masks.size(); k++) {
      a.add(buf + "(mask[" + k + "])");
    }
    for (String h : loopScalars.values()) {
      a.add(f ? "(float) " + h : h);
    }
    a.add((f ? "floatChunks(" : "doubleChunks(") + (2 + r.states().size() + masks.size()) + ")");
    return String.join(", ", a);
  }

  /** The host values the loop reads, by node: hyperparameters, t, epoch, rate and begin()'s fields. */
  private Map<Integer, String> readByLoops() {
    Map<Integer, String> m = new LinkedHashMap<>();
    List<Integer> roots = new ArrayList<>();
    r.states().forEach(s -> roots.add(s.next()));
    roots.add(r.next());
    BitSet needed = g.ancestors(roots);
    for (int id = needed.nextSetBit(0); id >= 0; id = needed.nextSetBit(id + 1)) {
      Node n = g.node(id);
      if (g.isHost(id) || n.op() instanceof Leaves.Bernoulli) {
        continue;
      }
      for (int in : n.inputs()) {
        if (!g.isHost(in) || g.node(in).op() instanceof Leaves.Const) {
          continue;
        }
        m.putIfAbsent(in, g.node(in).op() instanceof Leaves.RuleScalar s ? Leaves.RuleScalar.javaName(s.var())
            : hostFields.get(in));
      }
    }
    return m;
  }

  /** One fused loop over a parameter's elements, in float64 or float32. */
  private final class Loop {
    private final String name;
    private final boolean f;
    private final List<Integer> stateNext;
    private final Map<Integer, String> local = new HashMap<>();
    private final Map<Integer, Integer> uses = new HashMap<>();
    private final Set<String> used = new HashSet<>();
    private final CodeBlock.Builder body = CodeBlock.builder();

    Loop(String name, boolean f, List<Integer> stateNext) {
      this.name = name;
      this.f = f;
      this.stateNext = stateNext;
    }

    private TypeName type() {
      return f ? TypeName.FLOAT : TypeName.DOUBLE;
    }

    MethodSpec method() {
      ClassName buffer = ClassName.get("java.nio", f ? "FloatBuffer" : "DoubleBuffer");
      MethodSpec.Builder m = MethodSpec.methodBuilder(name).addModifiers(Modifier.PRIVATE, Modifier.STATIC)
          .addJavadoc("The rule on the $L elements of one parameter, in place.\n", f ? "float32" : "float64");
      m.addParameter(int.class, "n");
      used.addAll(List.of("n", "e", "start", "len", "chunks"));
      List<String> elementVars = new ArrayList<>(List.of("theta", "g"));
      r.states().forEach(s -> elementVars.add(s.name()));
      Map<String, String> bufferOf = new LinkedHashMap<>();
      for (String v : elementVars) {
        String b = unique(v + "_data", used);
        bufferOf.put(v, b);
        m.addParameter(ParameterSpec.builder(buffer, b).build());
      }
      List<String> maskBuffers = new ArrayList<>();
      for (int k = 0; k < masks.size(); k++) {
        String b = unique("mask" + (k + 1) + "_data", used);
        maskBuffers.add(b);
        m.addParameter(buffer, b);
      }
      for (Map.Entry<Integer, String> e : loopScalars.entrySet()) {
        used.add(e.getValue());
        local.put(e.getKey(), e.getValue());
        m.addParameter(type(), e.getValue());
      }
      m.addParameter(com.palantir.javapoet.ArrayTypeName.of(com.palantir.javapoet.ArrayTypeName.of(type())), "chunks");
      // each buffer's elements are copied in and out a chunk at a time: a loop over Java arrays
      // vectorises, one over NIO buffers does not (4x on Adam's update)
      Map<String, String> chunkOf = new LinkedHashMap<>();
      List<String> all = new ArrayList<>(bufferOf.keySet());
      for (int k = 0; k < masks.size(); k++) {
        all.add("mask" + (k + 1));
      }
      for (int i = 0; i < all.size(); i++) {
        String c = unique(all.get(i) + "_chunk", used);
        chunkOf.put(all.get(i), c);
        m.addStatement("$T[] $N = chunks[$L]", type(), c, i);
      }
      for (int k = 0; k < masks.size(); k++) {
        bufferOf.put("mask" + (k + 1), maskBuffers.get(k));
      }
      List<Integer> roots = new ArrayList<>(stateNext);
      roots.add(r.next());
      BitSet needed = g.ancestors(roots);
      for (int id = needed.nextSetBit(0); id >= 0; id = needed.nextSetBit(id + 1)) {
        if (!g.isHost(id)) {
          g.node(id).inputs().forEach(i -> uses.merge(i, 1, Integer::sum));
        }
      }
      roots.forEach(i -> uses.merge(i, 2, Integer::sum));  // stored: always a local
      // reads of the element leaves the rule uses
      for (int id = needed.nextSetBit(0); id >= 0; id = needed.nextSetBit(id + 1)) {
        if (g.node(id).op() instanceof Leaves.RuleElement el) {
          String v = unique(el.var(), used);
          local.put(id, v);
          body.addStatement("$T $N = $N[e]", type(), v, chunkOf.get(el.var()));
        } else if (g.node(id).op() instanceof Leaves.Bernoulli) {
          String v = unique("mask" + (masks.indexOf(id) + 1), used);
          local.put(id, v);
          body.addStatement("$T $N = $N[e]", type(), v, chunkOf.get("mask" + (masks.indexOf(id) + 1)));
        }
      }
      for (UpdateRule.Step s : r.steps()) {
        if (!needed.get(s.node()) || g.isHost(s.node()) || local.containsKey(s.node())) {
          continue;
        }
        prerequisites(s.node());
        body.add("// $L    [$L]\n", s.text(), Emitter.where(s.pos()));
        define(s.node(), s.name());
      }
      for (int root : roots) {
        prerequisites(root);
        if (!local.containsKey(root)) {
          define(root, root == r.next() ? "theta_next" : "next");
        }
      }
      List<String> stored = new ArrayList<>();
      for (int s = 0; s < r.states().size(); s++) {
        String st = r.states().get(s).name();
        body.addStatement("$N[e] = $L", chunkOf.get(st), expr(stateNext.get(s)));
        stored.add(st);
      }
      body.add("// theta + update\n");
      body.addStatement("$N[e] = $L", chunkOf.get("theta"), expr(r.next()));
      stored.add("theta");
      m.beginControlFlow("for (int start = 0; start < n; start += $N.length)", chunkOf.get("theta"))
          .addStatement("int len = Math.min($N.length, n - start)", chunkOf.get("theta"));
      chunkOf.forEach((v, c) -> m.addStatement("$N.get(start, $N, 0, len)", bufferOf.get(v), c));
      m.beginControlFlow("for (int e = 0; e < len; e++)").addCode(body.build()).endControlFlow();
      stored.forEach(v -> m.addStatement("$N.put(start, $N, 0, len)", bufferOf.get(v), chunkOf.get(v)));
      return m.endControlFlow().build();
    }

    /** Defines, as locals, the element values below {@code id} that more than one expression reads. */
    private void prerequisites(int id) {
      if (local.containsKey(id) || g.isHost(id)) {
        return;
      }
      for (int in : g.node(id).inputs()) {
        prerequisites(in);
        if (!local.containsKey(in) && !g.isHost(in) && uses.getOrDefault(in, 0) > 1) {
          define(in, "v");
        }
      }
    }

    private void define(int id, String base) {
      String v = unique(base, used);
      body.addStatement("$T $N = $L", type(), v, expr(id));
      local.put(id, v);
    }

    /**
     * Whether Java computes the op in float when its operands are float (then a cast would be
     * redundant, which javac's -Werror refuses): arithmetic, negation, max/min and selections.
     * The others (Math's functions, comparisons) give doubles, rounded to float once.
     */
    private static boolean floatClosed(dev.bpnet.dsl.ir.Primitive op) {
      return op instanceof dev.bpnet.dsl.ir.Arithmetic.Binary && !(op instanceof dev.bpnet.dsl.ir.Arithmetic.Pow)
          || op instanceof dev.bpnet.dsl.ir.Arithmetic.Neg || op instanceof dev.bpnet.dsl.ir.Arithmetic.Where
          || op instanceof dev.bpnet.dsl.ir.Arithmetic.Clamp;
    }

    /** An element value as a Java expression of this loop's type. */
    private String expr(int id) {
      if (local.containsKey(id)) {
        return local.get(id);
      }
      Node n = g.node(id);
      if (n.op() instanceof Leaves.Const c) {
        return f ? "(float) " + Emission.literal(c.value()) : Emission.literal(c.value());
      }
      List<String> args = new ArrayList<>();
      for (int in : n.inputs()) {
        args.add(expr(in));
      }
      String j = ((HostScalar) n.op()).java(args);
      return f && !floatClosed(n.op()) ? "(float) " + j : j;
    }
  }
}
