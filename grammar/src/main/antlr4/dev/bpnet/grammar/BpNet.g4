// The .bpnet language: models (inputs, labels, named values, a loss, a train block), rules and
// optimizers. Whitespace and newlines only separate tokens; a ';' after a member and
// a ';' or ',' between train options are optional. Nothing here but syntax: names, shapes and options
// are checked by the compiler (dsl), which reports errors in its own words.
grammar BpNet;

file        : (model | ruleDef | optimizerDef)* EOF ;

// A rule: an activation (one input) or a layer (tensor inputs and numbers) whose backward
// computation is written by hand. The forward body defines the result from the inputs (and,
// in a layer, its param(...) and state(...) values); the backward body defines d<name> from
// the result's cotangent for the inputs and parameters it overrides. 'exact' after the
// keyword (an ID, so that 'exact' stays usable as a value) says the rule is the true derivative.
ruleDef     : kind=('activation' | 'layer') mark=ID? name=ID '(' params+=ID (',' params+=ID)* ')' '->' result=ID
              '{' forward+=stmt* 'backward' '(' grad=ID ')' '{' backward+=stmt* '}' '}' ;

stmt        : name=ID '=' expr ';'? ;

// An optimizer: hyperparameters with their defaults (numbers, or true/false for flags), then a
// per-parameter update rule. 'state' and 'require' are words (IDs) here, not keywords, so that
// state(...) in layer rules and names such as 'require' elsewhere keep working; the compiler
// checks the word. The rule reads theta (the parameter), g (its update direction), t, epoch and
// its state, and assigns update: the parameter becomes theta + update.
optimizerDef : 'optimizer' name=ID '(' (hyper (',' hyper)* ','?)? ')' '{' optStmt* '}' ;

hyper       : name=ID '=' value=expr ;

optStmt     : word=ID name=ID '=' value=expr ';'?                # stateStmt
            | word=ID cond=expr ';'?                             # requireStmt
            | name=ID '=' value=expr ';'?                        # assignStmt
            ;

model       : 'model' name=ID '{' member* '}' ;

member      : 'input' name=ID ':' shape ';'?                    # inputDecl
            | 'label' name=ID ':' shape ';'?                    # labelDecl
            | name=ID '=' expr ';'?                             # letDecl
            | 'train' '{' (option (';' | ',')?)* '}'            # trainBlock
            ;

shape       : '[' (dim (',' dim)* ','?)? ']' ;

dim         : '-'? INT ;

option      : name=(ID | 'optimizer') '=' expr ;

// A reference is a name, or a parameter by the name `bpnet params` prints (h.W: the value that
// declares it, a dot, the parameter).
expr        : <assoc=right> left=expr op='^' right=expr         # binary
            | op='-' operand=expr                               # negate
            | left=expr op=('*' | '/') right=expr               # binary
            | left=expr op=('+' | '-') right=expr               # binary
            | left=expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') right=expr  # binary
            | fn=ID '(' (arg (',' arg)* ','?)? ')'              # call
            | name=ID ('.' field=ID)?                           # ref
            | value=(INT | FLOAT)                               # number
            | value=STRING                                      # string
            | '(' inner=expr ')'                                # parens
            ;

// 'activation' as an argument's name parses, so that the Keras habit dense(x, 64, activation = tanh)
// gets the compiler's hint (apply the function: tanh(dense(x, 64))) rather than a syntax error;
// 'train' names a data argument: mnist(train = 1000).
arg         : (name=(ID | 'activation' | 'train') '=')? value=expr ;

ID          : [a-zA-Z_] [a-zA-Z_0-9]* ;
INT         : [0-9]+ ;
FLOAT       : [0-9]+ '.' [0-9]* EXPONENT?
            | '.' [0-9]+ EXPONENT?
            | [0-9]+ EXPONENT
            ;
fragment EXPONENT : [eE] [+-]? [0-9]+ ;
STRING      : '"' (~["\\\r\n] | '\\' .)* '"' ;
// Malformed tokens get names of their own so the compiler can say what is wrong with them.
UNCLOSED_STRING  : '"' (~["\\\r\n] | '\\' .)* ;
BAD_NUMBER       : [0-9]+ ('.' [0-9]*)? [eE] [+-]?
                 | [0-9]+ ('.' [0-9]*)? ([eE] [+-]? [0-9]+)? [a-zA-Z_] [a-zA-Z_0-9]*
                 ;

LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
UNCLOSED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF ;
WS            : [ \t\r\n\f]+ -> skip ;

// Any other character is a token of its own, so that the compiler reports it in words.
ERROR_CHAR  : . ;

// Entry rules for pieces of the language written outside a .bpnet file (annotation values):
// one expression, a sequence of statements of an activation body, or an optimizer's
// hyperparameter or statements.
standaloneExpr  : expr EOF ;
standaloneStmts : stmt* EOF ;
standaloneHyper : hyper EOF ;
standaloneOptStmts : optStmt* EOF ;
