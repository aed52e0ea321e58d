package dev.bpnet.dsl.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.bpnet.dsl.ir.Emission;
import dev.bpnet.dsl.ir.Node;
import dev.bpnet.dsl.ir.Shape;

/** The code generator as one node's primitive sees it while writing that node's code. */
final class NodeEmission implements Emission {
  private final Emitter e;
  private final Node n;
  private final CodeBlock.Builder alloc;
  private final CodeBlock.Builder step;

  NodeEmission(Emitter e, Node n, CodeBlock.Builder alloc, CodeBlock.Builder step) {
    this.e = e;
    this.n = n;
    this.alloc = alloc;
    this.step = step;
  }

  @Override
  public String out() {
    return e.name(n.id());
  }

  @Override
  public String name(int id) {
    return e.name(id);
  }

  @Override
  public String tensor(int id) {
    if (!isHost(id)) {
      return e.name(id);
    }
    String f = e.helperField(id, "Scalar", "A host scalar as a 0-d array, set when buffers are allocated.");
    alloc("$N = $L", f, Emission.zeros(Shape.SCALAR));
    alloc("$N.assign($L)", f, host(id));
    return f;
  }

  @Override
  public String host(int id) {
    return e.host(id);
  }

  @Override
  public boolean isHost(int id) {
    return e.graph().isHost(id);
  }

  @Override
  public Shape shape(int id) {
    return e.graph().shape(id);
  }

  @Override
  public void exec(ClassName cls, String format, Object... args) {
    String f = field(cls);
    alloc.addStatement("$N = new $T($L)", f, cls, CodeBlock.of(format, args));
    step.addStatement("$T.exec($N)", Emission.ND4J, f);
  }

  @Override
  public void step(String format, Object... args) {
    step.addStatement(format, args);
  }

  @Override
  public void comment(String format, Object... args) {
    step.add("// " + format + "\n", args);
  }

  @Override
  public void alloc(String format, Object... args) {
    alloc.addStatement(format, args);
  }

  @Override
  public String helper(String suffix, String doc) {
    return e.helperField(n.id(), suffix, doc);
  }

  @Override
  public String shared(String name, String doc, String allocFormat, Object... args) {
    return e.sharedField(name, doc, alloc, CodeBlock.of(allocFormat, args));
  }

  @Override
  public String field(ClassName cls) {
    return e.objectField(n.id(), cls);
  }

  @Override
  public void convolution(String op, java.util.List<Integer> reads) {
    e.convolution(n.id(), op, reads);
  }

  @Override
  public boolean fused() {
    return e.fusions().enabled();
  }
}
