package dev.bpnet.dsl.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import javax.lang.model.element.Modifier;
import org.junit.jupiter.api.Test;

/**
 * A source compiled again is not handed to javac again: {@link InMemoryJavac#compileAll} returns
 * the bytes of its earlier compile (the same map), while another source, or {@link
 * InMemoryJavac#javac}, compiles anew; each load is still a class of its own.
 */
class InMemoryJavacTest {
  private static JavaFile constant(String pkg, int value) {
    TypeSpec t = TypeSpec.classBuilder("Constant").addModifiers(Modifier.PUBLIC).addSuperinterface(IntSupplier.class)
        .addMethod(MethodSpec.methodBuilder("getAsInt").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
            .returns(int.class).addStatement("return $L", value).build())
        .build();
    return JavaFile.builder(pkg, t).build();
  }

  @Test
  void aSourceCompiledAgainReusesItsBytes() throws Exception {
    JavaFile a = constant("javactest.a", 1);
    Map<String, byte[]> first = InMemoryJavac.compileAll(List.of(a));
    assertSame(first, InMemoryJavac.compileAll(List.of(constant("javactest.a", 1))), "the same text: the kept bytes");
    Map<String, byte[]> other = InMemoryJavac.compileAll(List.of(constant("javactest.a", 2)));
    assertNotSame(first, other);
    Map<String, byte[]> fresh = InMemoryJavac.javac(List.of(a));
    assertNotSame(first, fresh);
    assertArrayEquals(first.get("javactest.a.Constant"), fresh.get("javactest.a.Constant"), "javac is deterministic");

    Class<? extends IntSupplier> c1 = InMemoryJavac.compile(a, IntSupplier.class);
    Class<? extends IntSupplier> c2 = InMemoryJavac.compile(a, IntSupplier.class);
    assertNotSame(c1, c2, "each load defines its own class");
    assertEquals(1, c1.getConstructor().newInstance().getAsInt());
    assertEquals(2, InMemoryJavac.compile(constant("javactest.a", 2), IntSupplier.class).getConstructor().newInstance().getAsInt());
    assertThrows(UnsupportedOperationException.class, () -> first.put("x", new byte[0]));
  }

  @Test
  void aSourceThatFailsFailsAgain() {
    JavaFile bad = JavaFile.builder("javactest.b", TypeSpec.classBuilder("Bad")
        .addMethod(MethodSpec.methodBuilder("f").returns(int.class).addStatement("return $S", "text").build()).build()).build();
    for (int i = 0; i < 2; i++) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> InMemoryJavac.compileAll(List.of(bad)));
      assertTrue(e.getMessage().contains("generated code did not compile"), e.getMessage());
    }
  }
}
