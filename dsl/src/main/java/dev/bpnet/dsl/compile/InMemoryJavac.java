package dev.bpnet.dsl.compile;

import com.palantir.javapoet.JavaFile;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

/**
 * Compiles generated sources in memory with javax.tools and loads them. Uses
 * {@code -Xlint:all -Werror}: generated code must compile warning-free.
 */
public final class InMemoryJavac {
  private InMemoryJavac() {}

  public static <T> Class<? extends T> compile(JavaFile file, Class<T> type) {
    String name = file.packageName() + "." + file.typeSpec().name();
    return load(compileAll(List.of(file)), name, type);
  }

  /**
   * Loads class {@code name} (and the classes it names) from compiled bytes by binary name, in a
   * loader of their own beside {@code type}'s: how a compiled trainer, or one shipped as bytes to
   * another JVM, is loaded.
   */
  public static <T> Class<? extends T> load(Map<String, byte[]> classes, String name, Class<T> type) {
    ClassLoader loader = new ClassLoader(type.getClassLoader()) {
      @Override
      protected Class<?> findClass(String n) throws ClassNotFoundException {
        byte[] b = classes.get(n);
        if (b == null) {
          throw new ClassNotFoundException(n);
        }
        return defineClass(n, b, 0, b.length);
      }
    };
    try {
      return loader.loadClass(name).asSubclass(type);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("the compiled classes lack " + name, e);
    }
  }

  /** Compiles the files; returns class bytes by binary name, or throws with javac's messages. */
  public static Map<String, byte[]> compileAll(List<JavaFile> files) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no Java compiler: run bpnet on a JDK, not a JRE");
    }
    DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
    StandardJavaFileManager std = javac.getStandardFileManager(diags, null, null);
    Map<String, ByteArrayOutputStream> out = new HashMap<>();
    JavaFileManager fm = new ForwardingJavaFileManager<>(std) {
      @Override
      public JavaFileObject getJavaFileForOutput(Location loc, String className, JavaFileObject.Kind kind, FileObject sibling) {
        return new SimpleJavaFileObject(URI.create("mem:///" + className.replace('.', '/') + kind.extension), kind) {
          @Override
          public OutputStream openOutputStream() {
            return out.computeIfAbsent(className, k -> new ByteArrayOutputStream());
          }
        };
      }
    };
    List<JavaFileObject> units = files.stream().map(JavaFile::toJavaFileObject).collect(Collectors.toList());
    List<String> options = List.of("-Xlint:all", "-Werror", "-proc:none", "-classpath", System.getProperty("java.class.path"));
    boolean ok = javac.getTask(null, fm, diags, options, null, units).call();
    if (!ok) {
      String msg = diags.getDiagnostics().stream().map(d -> d.getKind() + " line " + d.getLineNumber() + ": " + d.getMessage(null))
          .collect(Collectors.joining("\n"));
      throw new IllegalStateException("generated code did not compile:\n" + msg);
    }
    Map<String, byte[]> result = new HashMap<>();
    out.forEach((k, v) -> result.put(k, v.toByteArray()));
    return result;
  }
}
