package dev.bpnet.dsl.diag;

/**
 * The one catalogue of diagnostics. Codes are stable: tests, docs and users rely on them,
 * so add new codes at the end and never renumber.
 */
public enum ErrorCode {
  E1("unknown name '%s'"),
  E2("unknown function '%s'"),
  E3("'%s' expects %s argument(s), got %d"),
  E4("shape mismatch in %s: %s"),
  E5("duplicate name '%s' (first declared at %s)"),
  E6("the model has no loss: add 'loss = ...'"),
  E7("bad value for option '%s': %s"),
  E8("unknown option '%s' for %s"),
  E9("'%s is defined in terms of itself"),
  E10("argument %s of '%s' must be %s"),
  E11("internal compiler error: %s"),
  E12("syntax error: %s"),
  E13("unexpected character %s"),
  E14("cannot read %s: %s"),
  E15("the file declares no model: add one, as in model Name { ... }"),
  E16("the file is not text (it contains %s)"),
  E17("duplicate model '%s' (first declared at %s)"),
  E18("a shape dimension must be a positive integer, got %s"),
  E19("duplicate option '%s' (first given at %s)"),
  E20("no model named '%s' in %s"),
  E21("a string is not a value: %s"),
  E22("the loss does not depend on any parameter: there is nothing to train"),
  E23("a second train block (the first is at %s)"),
  E24("'loss' is the model's loss and cannot be used in an expression"),
  E25("a shape needs at least one dimension, as in [4]"),
  E26("%s is never closed"),
  E27("malformed number '%s'"),
  E28("%s '%s' does not define %s"),
  E29("activation '%s' takes one input, got %d argument(s)"),
  E30("%s has no derivative, but %s"),
  E31("unknown rule mark '%s': a rule is a learning rule unless marked 'exact' (its backward is the true derivative)"),
  E32("'%s' is only allowed in the forward body of a layer rule"),
  E33("rule '%s' is marked exact, but its backward differs from the derivative of its forward body: %s"),
  E34("layer '%s' does not replace any gradient: its backward rule must assign d<name> for an input or a parameter (%s)"),
  // E35-E39: reserved for the compiler core. E40 on: the annotation front end.
  E40("%s describes a model, so it must be an interface or an abstract class"),
  E41("'%s' has more than one bpnet annotation: %s"),
  E42("with parameters, @%s names the function applied to them, got %s"),
  E43("@%s takes %s, got %d parameter(s)"),
  E44("cannot write %s: %s"),
  E45("@%s is only read on the methods of a @BpNetModel type, and %s is not one"),
  E46("parameter '%s' of @%s must be %s, got %s");

  private final String template;

  ErrorCode(String template) {
    this.template = template;
  }

  public String format(Object... args) {
    return String.format(template, args);
  }
}
