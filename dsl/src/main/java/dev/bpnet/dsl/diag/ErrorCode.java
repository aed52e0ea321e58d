package dev.bpnet.dsl.diag;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one catalogue of diagnostics, after the ANTLR tool's {@code ErrorType}: each entry has a
 * stable code, a symbolic name, a severity and a message template.
 *
 * <p>Codes are what users, docs and tests see ({@code error(E4)}, {@code warning(W1)}). They
 * never change: errors are E1, E2, ..., warnings W1, W2, ..., each series numbered on its own
 * and only ever extended at its end; a retired code is not reused. The Java constants are the
 * codes themselves, because the lowering, autodiff and code generator name them at their call
 * sites ({@code ErrorCode.E4}); {@link #symbolicName()} says what each one means.
 *
 * <p>A template's {@code %s}/{@code %d} placeholders fix how many arguments {@link #format}
 * takes; a call with any other number is a compiler bug and fails at once (CatalogueTest
 * walks every entry).
 */
public enum ErrorCode {
  E1("UNKNOWN_NAME", "unknown name '%s'"),
  E2("UNKNOWN_FUNCTION", "unknown function '%s'"),
  E3("WRONG_ARGUMENT_COUNT", "'%s' expects %s argument(s), got %d"),
  E4("SHAPE_MISMATCH", "shape mismatch in %s: %s"),
  E5("DUPLICATE_NAME", "duplicate name '%s' (first declared at %s)"),
  E6("MISSING_LOSS", "the model has no loss: add 'loss = ...'"),
  E7("BAD_OPTION_VALUE", "bad value for option '%s': %s"),
  E8("UNKNOWN_OPTION", "unknown option '%s' for %s"),
  E9("CYCLIC_DEFINITION", "'%s is defined in terms of itself"),
  E10("BAD_ARGUMENT", "argument %s of '%s' must be %s"),
  E11("INTERNAL_ERROR", "internal compiler error: %s"),
  E12("SYNTAX_ERROR", "syntax error: %s"),
  E13("UNEXPECTED_CHARACTER", "unexpected character %s"),
  E14("CANNOT_READ", "cannot read %s: %s"),
  E15("NO_MODEL", "the file declares no model: add one, as in model Name { ... }"),
  E16("NOT_TEXT", "the file is not text (it contains %s)"),
  E17("DUPLICATE_MODEL", "duplicate model '%s' (first declared at %s)"),
  E18("BAD_DIMENSION", "a shape dimension must be a positive integer, got %s"),
  E19("DUPLICATE_OPTION", "duplicate option '%s' (first given at %s)"),
  E20("NO_SUCH_MODEL", "no model named '%s' in %s"),
  E21("STRING_NOT_A_VALUE", "a string is not a value: %s"),
  E22("NOTHING_TO_TRAIN", "the loss does not depend on any parameter: there is nothing to train"),
  E23("DUPLICATE_TRAIN_BLOCK", "a second train block (the first is at %s)"),
  E24("LOSS_IN_EXPRESSION", "'loss' is the model's loss and cannot be used in an expression"),
  E25("EMPTY_SHAPE", "a shape needs at least one dimension, as in [4]"),
  E26("NEVER_CLOSED", "%s is never closed"),
  E27("MALFORMED_NUMBER", "malformed number '%s'"),
  E28("RULE_MISSING_DEFINITION", "%s '%s' does not define %s"),
  E29("ACTIVATION_ARITY", "activation '%s' takes one input, got %d argument(s)"),
  E30("NO_DERIVATIVE", "%s has no derivative, but %s"),
  E31("UNKNOWN_RULE_MARK", "unknown rule mark '%s': a rule is a learning rule unless marked 'exact' (its backward is the true derivative)"),
  E32("LAYER_FORWARD_ONLY", "'%s' is only allowed in the forward body of a layer rule"),
  E33("INEXACT_RULE", "rule '%s' is marked exact, but its backward differs from the derivative of its forward body: %s"),
  E34("LAYER_REPLACES_NOTHING", "layer '%s' does not replace any gradient: its backward rule must assign d<name> for an input or a parameter (%s)"),
  // E35-E39: reserved for the compiler core. E40 on: the annotation front end.
  E40("MODEL_TYPE_NOT_ABSTRACT", "%s describes a model, so it must be an interface or an abstract class"),
  E41("CONFLICTING_ANNOTATIONS", "'%s' has more than one bpnet annotation: %s"),
  E42("NOT_A_FUNCTION_NAME", "with parameters, @%s names the function applied to them, got %s"),
  E43("ANNOTATION_PARAMETER_COUNT", "@%s takes %s, got %d parameter(s)"),
  E44("CANNOT_WRITE", "cannot write %s: %s"),
  E45("ANNOTATION_OUTSIDE_MODEL", "@%s is only read on the methods of a @BpNetModel type, and %s is not one"),
  E46("BAD_RULE_PARAMETER_TYPE", "parameter '%s' of @%s must be %s, got %s"),
  E47("NESTED_TOO_DEEPLY", "%s nests too deeply: %s"),
  E48("FUNCTION_AS_VALUE", "'%s' is a function: call it, %s"),
  E49("NO_INPUT", "the model has no input: add one, as in input x: [4]"),
  E50("RULE_HAS_BUILTIN_NAME", "%s '%s' has the name of a built-in %s"),
  E51("NOT_IN_RULE_BACKWARD", "'%s' is not allowed in a rule's backward body: %s"),
  E52("UNKNOWN_OUTPUT", "cannot tell what the model predicts: %s"),
  E53("UNKNOWN_PARAMETER", "'%s' has no parameter '%s'%s"),
  E54("CLASS_NAME_CLASH", "model '%s' would generate class %s, as model '%s' (%s) does"),
  E55("OPTIMIZER_REQUIREMENT", "optimizer '%s' requires %s, but %s"),
  E56("OPTIMIZER_WITHOUT_UPDATE", "optimizer '%s' never assigns update: %s"),
  E57("NOT_IN_OPTIMIZER", "'%s' cannot be used in an optimizer's rule: %s"),
  E58("STATE_BEFORE_DECLARATION", "state '%s' is used before its declaration at %s"),
  E59("READ_ONLY_NAME", "'%s' cannot be assigned: %s"),
  E60("NO_VALIDATION_SET", "'%s' needs a validation set, but %s"),
  E61("PARAMS_NOT_SUMMED", "'%s' stands for several parameters of different shapes: %s"),
  E62("NO_MATCHING_PARAMETERS", "'%s' matches no trained parameter: %s"),
  E63("NOT_FOR_EXECUTOR_DATA", "'%s' cannot apply to data that Spark's executors read: %s"),

  // Warnings: reported, and compilation goes on.
  W1("OPTION_HAS_NO_EFFECT", Severity.WARNING, "'%s' has no effect: %s"),
  W2("UNUSED_INPUT", Severity.WARNING, "unused input '%s': the loss does not depend on it"),
  W3("UNUSED_VALUE", Severity.WARNING, "'%s' is computed, but neither the loss nor the output depends on it");

  private final String symbolicName;
  private final Severity severity;
  private final String template;
  private final int arity;

  ErrorCode(String symbolicName, String template) {
    this(symbolicName, Severity.ERROR, template);
  }

  ErrorCode(String symbolicName, Severity severity, String template) {
    this.symbolicName = symbolicName;
    this.severity = severity;
    this.template = template;
    this.arity = arity(template);
  }

  /** The stable code users see: E4, W1. */
  public String code() {
    return name();
  }

  /** What the entry means, in the catalogue's words: SHAPE_MISMATCH. */
  public String symbolicName() {
    return symbolicName;
  }

  public Severity severity() {
    return severity;
  }

  public String template() {
    return template;
  }

  /** How many arguments {@link #format} takes: the template's placeholders. */
  public int arity() {
    return arity;
  }

  /** The message with {@code args} in its placeholders; exactly {@link #arity()} of them. */
  public String format(Object... args) {
    if (args.length != arity) {
      // a call site out of step with its template: say which, rather than print a wrong message
      throw new IllegalArgumentException(code() + " (" + symbolicName + ") takes " + arity + " argument(s), got "
          + args.length + ": \"" + template + "\"");
    }
    Object[] shown = args.clone();
    for (int i = 0; i < shown.length; i++) {
      // a name or a path (one word): a sentence is the caller's own and stays whole
      if (shown[i] instanceof String str && str.length() > LONGEST_ARGUMENT && str.chars().noneMatch(Character::isWhitespace)) {
        shown[i] = abbreviated(str);
      }
    }
    return String.format(template, shown);
  }

  /** One-word arguments longer than this (a 100,000-character name) are shown abbreviated. */
  public static final int LONGEST_ARGUMENT = dev.bpnet.api.Messages.LONGEST_ARGUMENT;

  /** The start and end of a long text, and its length: enough to recognise it. */
  public static String abbreviated(String s) {
    return dev.bpnet.api.Messages.abbreviated(s);
  }

  /** The placeholders of a template that take an argument: all but %% and %n. */
  static int arity(String template) {
    int n = 0;
    Matcher m = Placeholder.PATTERN.matcher(template);
    while (m.find()) {
      char conversion = m.group().charAt(m.group().length() - 1);
      if (conversion != '%' && conversion != 'n') {
        n++;
      }
    }
    return n;
  }

  /** A holder: the constants are made before the enum's own static fields, so they cannot use one. */
  private static final class Placeholder {
    static final Pattern PATTERN = Pattern.compile("%[-#+ 0,(]*\\d*(?:\\.\\d+)?[a-zA-Z%]");
  }
}
