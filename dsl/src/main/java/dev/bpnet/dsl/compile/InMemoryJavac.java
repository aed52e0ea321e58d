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

  /** How many compiles {@link #compileAll} keeps. */
  private static final int KEPT = 32;

  /**
   * The class bytes of the last {@link #KEPT} compiles, by their sources' text and the class path
   * (javac's output is a function of these; the options are fixed), least recently used dropped
   * first. A process often compiles the same source again: a sweep's runs of one model in
   * process, train then evaluate, a test suite's shared models.
   */
  private static final Map<String, Map<String, byte[]>> RECENT = new java.util.LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Map<String, byte[]>> eldest) {
      return size() > KEPT;
    }
  };

  /**
   * Compiles the files; returns class bytes by binary name (shared: not to be modified), or throws
   * with javac's messages. A source compiled recently is not compiled again ({@link #RECENT}).
   */
  public static Map<String, byte[]> compileAll(List<JavaFile> files) {
    String key = System.getProperty("java.class.path") + "\u0000"
        + files.stream().map(JavaFile::toString).collect(Collectors.joining("\u0000"));
    synchronized (RECENT) {
      Map<String, byte[]> kept = RECENT.get(key);
      if (kept != null) {
        return kept;
      }
    }
    Map<String, byte[]> compiled = javac(files);
    synchronized (RECENT) {
      RECENT.put(key, compiled);
    }
    return compiled;
  }

  /**
   * The file manager every compile of this process shares, with the class path set once: a new one
   * opens and indexes every jar of the class path (ND4J's are large) again, a fifth of a small
   * trainer's compile. javac reads the jars through it and writes nothing there (the classes go to
   * memory, below), so compiles differ only in their sources; one at a time, as the manager is
   * not thread-safe.
   */
  private static StandardJavaFileManager shared;
  /** The class path {@link #shared} was set to. */
  private static String sharedClassPath;

  private static synchronized StandardJavaFileManager fileManager(JavaCompiler javac) {
    String classPath = System.getProperty("java.class.path");
    if (shared == null || !classPath.equals(sharedClassPath)) {
      StandardJavaFileManager std = javac.getStandardFileManager(null, null, null);
      try {
        std.setLocation(javax.tools.StandardLocation.CLASS_PATH, java.util.Arrays.stream(classPath.split(java.io.File.pathSeparator))
            .filter(p -> !p.isEmpty()).map(java.io.File::new).toList());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot set javac's class path", e);
      }
      shared = std;
      sharedClassPath = classPath;
    }
    return shared;
  }

  /** {@link #compileAll} without its memory of recent compiles: javac runs (what compile timings measure). */
  public static Map<String, byte[]> javac(List<JavaFile> files) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    if (javac == null) {
      throw new IllegalStateException("no Java compiler: run bpnet on a JDK, not a JRE");
    }
    synchronized (InMemoryJavac.class) {
      return javac(javac, fileManager(javac), files);
    }
  }

  private static Map<String, byte[]> javac(JavaCompiler javac, StandardJavaFileManager std, List<JavaFile> files) {
    DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
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

      @Override
      public void close() {
        // shared: it outlives this compile
      }
    };
    List<JavaFileObject> units = files.stream().map(JavaFile::toJavaFileObject).collect(Collectors.toList());
    List<String> options = List.of("-Xlint:all", "-Werror", "-proc:none");
    boolean ok = javac.getTask(null, fm, diags, options, null, units).call();
    if (!ok) {
      String msg = diags.getDiagnostics().stream().map(d -> d.getKind() + " line " + d.getLineNumber() + ": " + d.getMessage(null))
          .collect(Collectors.joining("\n"));
      throw new IllegalStateException("generated code did not compile:\n" + msg);
    }
    Map<String, byte[]> result = new HashMap<>();
    out.forEach((k, v) -> result.put(k, v.toByteArray()));
    return Map.copyOf(result);
  }
}
