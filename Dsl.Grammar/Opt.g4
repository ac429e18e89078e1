// The .opt language, v1 (reference: docs/language.md).
// Parses the whole v1 surface: problem, model and tune blocks. Semantics live in Dsl.Compiler.
grammar Opt;

file
    : namespaceDecl? block* EOF
    ;

namespaceDecl
    : NAMESPACE qualifiedName ';'
    ;

qualifiedName
    : ident ('.' ident)*
    ;

block
    : PROBLEM name=ident '{' member* '}'                 # problemBlock
    | MODEL name=ident '{' member* '}'                   # modelBlock
    | TUNE model=ident AS name=ident '{' tuneMember* '}' # tuneBlock
    ;

member
    : DIM name=ident ('=' value=expr)? ';'                                       # dimDecl
    | DATA name=ident shape? ';'                                                 # dataDecl
    | PARAM name=ident '=' value=expr ';'                                        # paramDecl
    | VAR name=ident shape? (IN '[' lower=expr ',' upper=expr ']')? ('=' start=expr)? ';' # varDecl
    | INPUT name=ident shape? ';'                                                # inputDecl
    | TARGET name=ident shape? ';'                                               # targetDecl
    | LET name=ident ('[' indexBinding (',' indexBinding)* ']')? '=' value=expr ';' # letDecl
    | OBJECTIVE name=ident '=' value=expr ';'                                    # objectiveDecl
    | sense=(MINIMIZE | MAXIMIZE) value=expr ';'                                 # goalDecl
    | SUBJECT TO '{' constraint* '}'                                             # constraintsDecl
    | PARETO '{' paretoItem* '}'                                                 # paretoDecl
    | SOLVER name=ident ('(' optionList? ')')? ';'                               # solverDecl
    | PREDICT value=expr ';'                                                     # predictDecl
    | LOSS value=expr ';'                                                        # lossDecl
    | OPTIMIZER name=ident ('(' optionList? ')')? ('{' (option ';')* '}' | ';')  # optimizerDecl
    ;

shape
    : '[' expr (',' expr)* ']'
    ;

indexBinding
    : name=ident IN lower=expr '..' upper=expr
    ;

constraint
    : (label=ident ':')? (FORALL '(' indexBinding (',' indexBinding)* ')')? expr (relOp expr)+ ';'
    ;

relOp
    : '==' | '<=' | '>=' | '<' | '>' | '='
    ;

paretoItem
    : sense=(MINIMIZE | MAXIMIZE) value=expr ';'  # paretoGoal
    | option ';'                                  # paretoOption
    ;

tuneMember
    : name=ident IN '{' expr (',' expr)* '}' ';'  # tuneChoice
    | name=ident IN value=expr ';'                # tuneRange
    | SEARCH name=ident ('(' optionList? ')')? ';' # tuneSearch
    | option ';'                                  # tuneOption
    ;

optionList
    : option (',' option)*
    ;

option
    : name=ident ':' optionValue
    ;

optionValue
    : ident '(' optionList? ')'   # callOptionValue
    | '(' optionList ')'          # tupleOptionValue
    | expr                        # exprOptionValue
    ;

// Precedence, highest first: postfix indexing and calls, '^' (right-assoc), unary minus,
// '*' '/', reductions (their body takes '*' and '/' but not '+' '-', as in AMPL), '+' '-'.
expr
    : <assoc=right> left=expr '^' right=expr                                   # powExpr
    | op=('-' | '+') operand=expr                                              # unaryExpr
    | left=expr op=('*' | '/') right=expr                                      # mulExpr
    | kind=(SUM | PROD | LOGSUMEXP) '(' indexBinding (',' indexBinding)* ')' body=expr # reductionExpr
    | left=expr op=('+' | '-') right=expr                                      # addExpr
    | primary                                                                  # primaryExpr
    ;

primary
    : NUMBER                                        # numberLiteral
    | ident '(' (expr (',' expr)*)? ')'             # callExpr
    | ident '[' indexItem (',' indexItem)* ']'      # indexExpr
    | ident                                         # nameExpr
    | '(' expr ')'                                  # parenExpr
    | '[' expr (',' expr)* ']'                      # listExpr
    ;

indexItem
    : ':'    # sliceIndex
    | expr   # exprIndex
    ;

// Keywords are reserved only where they would be ambiguous: declaration words stay usable as names.
ident
    : ID | DIM | DATA | PARAM | VAR | LET | OBJECTIVE | MINIMIZE | MAXIMIZE | SUBJECT | TO | SOLVER
    | INPUT | TARGET | PREDICT | LOSS | OPTIMIZER | PARETO | SEARCH | AS | MODEL | PROBLEM | TUNE | NAMESPACE
    ;

NAMESPACE : 'namespace';
PROBLEM   : 'problem';
MODEL     : 'model';
TUNE      : 'tune';
AS        : 'as';
DIM       : 'dim';
DATA      : 'data';
PARAM     : 'param';
VAR       : 'var';
LET       : 'let';
OBJECTIVE : 'objective';
MINIMIZE  : 'minimize';
MAXIMIZE  : 'maximize';
SUBJECT   : 'subject';
TO        : 'to';
SOLVER    : 'solver';
INPUT     : 'input';
TARGET    : 'target';
PREDICT   : 'predict';
LOSS      : 'loss';
OPTIMIZER : 'optimizer';
PARETO    : 'pareto';
SEARCH    : 'search';
FORALL    : 'forall';
IN        : 'in';
SUM       : 'sum';
PROD      : 'prod';
LOGSUMEXP : 'logsumexp';

NUMBER : DIGITS ('.' DIGITS)? ([eE] [+-]? DIGITS)? ;
ID     : [A-Za-z_] [A-Za-z0-9_]* ;

fragment DIGITS : [0-9]+ ;

LINE_COMMENT  : '//' ~[\r\n]* -> channel(HIDDEN);
BLOCK_COMMENT : '/*' .*? '*/' -> channel(HIDDEN);
// A '/*' never closed by '*/' is one token to the end of the file, which the parser rejects with a located error.
// Without it the lexer would scan to the end of the file from every unclosed '/*' (quadratic) only to fall back to
// '/' and '*', which no valid file has in a row anyway.
UNTERMINATED_COMMENT : '/*' (~'*' | '*'+ ~[*/])* '*'* EOF;
WS            : [ \t\r\n\f]+ -> channel(HIDDEN);

// Anything else becomes one token the parser rejects with a located error, instead of a lexer crash.
UNKNOWN_CHAR : . ;
