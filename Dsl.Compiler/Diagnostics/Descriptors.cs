namespace OptDsl.Compiler;

/// <summary>The catalog of .opt diagnostics. Ids are stable; docs/diagnostics.md describes each one.</summary>
public static class Descriptors
{
    public static readonly DiagnosticDescriptor SyntaxError = new("OPT0001", "Syntax error", "{0}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor UnknownName = new("OPT0002", "Unknown name", "The name '{0}' is not declared{1}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor DuplicateDeclaration = new("OPT0003", "Duplicate declaration", "'{0}' is already declared at line {1}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor ShapeMismatch = new("OPT0004", "Shape mismatch", "{0}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor WrongIndexCount = new("OPT0005", "Wrong number of indices", "'{0}' has {1} dimension(s) but is indexed with {2}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor WrongArity = new("OPT0006", "Wrong number of arguments", "'{0}' takes {1} but is given {2}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor UnknownFunction = new("OPT0007", "Unknown function", "There is no function '{0}'{1}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor UnknownSolver = new("OPT0008", "Unknown solver", "There is no solver '{0}'. Known solvers: {1}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor UnknownOption = new("OPT0009", "Unknown solver option", "Solver '{0}' has no option '{1}'. Its options: {2}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor InvalidOptionValue = new("OPT0010", "Invalid option value", "Option '{0}' {1}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor MissingObjective = new("OPT0011", "Missing objective", "Problem '{0}' has no 'minimize' or 'maximize'", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor DuplicateObjective = new("OPT0012", "More than one objective", "Problem '{0}' already has an objective at line {1}; combine objectives in one weighted sum", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor NotAnIntegerExpression = new("OPT0013", "Not an integer expression", "{0} must be an integer expression of literals, dims and index variables with + - *", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor ExpectedScalar = new("OPT0014", "Expected a scalar", "{0} must be a scalar but has shape {1}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor NonDifferentiable = new("OPT0015", "Non-differentiable function under a gradient-based solver", "'{0}' is not differentiable everywhere; solver '{1}' uses the subgradient-0 convention at its kinks. Consider a smooth alternative or a derivative-free solver", DiagnosticLevel.Warning);
    public static readonly DiagnosticDescriptor InvalidDim = new("OPT0016", "Invalid dim", "{0}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor InvalidVariableInit = new("OPT0017", "Invalid bounds or start", "{0}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor BoundsNotSupported = new("OPT0018", "Solver does not take bounds", "Solver '{0}' does not handle variable bounds, and '{1}' has bounds. Use one of: {2}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor NotLeastSquares = new("OPT0019", "Not a least-squares objective", "Solver 'lm' needs an objective of the form 'minimize sum(...) r^2' (a sum of squared residuals): {0}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor InvalidConstraint = new("OPT0020", "Invalid constraint", "{0}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor VariableInIndex = new("OPT0021", "Decision variable in an index", "{0} cannot depend on the decision variable '{1}'", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor NotConstant = new("OPT0022", "Not a constant", "{0} must be a constant expression", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor IndexOutOfRange = new("OPT0023", "Index out of range", "{0}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor WrongKindOfName = new("OPT0024", "Wrong kind of name", "{0}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor UnusedVariable = new("OPT0025", "Unused decision variable", "Decision variable '{0}' does not appear in the objective or constraints", DiagnosticLevel.Warning);
    public static readonly DiagnosticDescriptor TooDeep = new("OPT0026", "Expression too deeply nested", "An expression here is nested too deeply to compile (over 20,000 levels of brackets and prefix or power operators); split it with lets or sums", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor Renamed = new("OPT0027", "Name changed in C#", "In the generated C#, {0}", DiagnosticLevel.Info);
    public static readonly DiagnosticDescriptor ReversedRange = new("OPT0028", "Reversed range", "The range of '{0}' is {1}..{2}, which is reversed: a range lo..hi runs from lo up to hi - 1 and needs lo <= hi", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor SizeTooLarge = new("OPT0029", "Size too large", "{0}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor NotANumber = new("OPT0030", "Constant is not a number", "'{0}' is NaN (not a number) whatever the variables are: a constant 0/0, inf - inf, 0 * inf or a function outside its domain", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor NoVariables = new("OPT0031", "No decision variables", "'{0}' declares no 'var': there is nothing to optimize", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor ParamNotFinite = new("OPT0032", "Param default not finite", "The default of param '{0}' is {1}; a param holds a finite number", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor InvalidModel = new("OPT0033", "Invalid model", "{0}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor UnknownOptimizer = new("OPT0034", "Unknown optimizer", "There is no optimizer '{0}'{1}. Known optimizers: {2}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor UnknownModelOption = new("OPT0035", "Unknown optimizer option or setting", "{0} has no option '{1}'. Its options: {2}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor FiniteBoundsRequired = new("OPT0037", "Solver needs finite bounds", "Solver '{0}' searches a box and needs finite lower and upper bounds on every variable; '{1}' has {2}. Declare them, e.g. 'var {1} in [-5, 5];'", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor UnknownSchedule = new("OPT0036", "Unknown schedule", "There is no schedule '{0}'. Known schedules: {1}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor UnknownTuneTarget = new("OPT0038", "Not a tunable name", "'{0}' is not a param or a tunable setting of model '{1}': {2}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor InvalidSearchRange = new("OPT0039", "Invalid search range", "{0}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor TuneTypeMismatch = new("OPT0040", "Wrong kind of value", "{0}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor InvalidTune = new("OPT0041", "Invalid tune block", "{0}", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor NotBuiltYet = new("OPT0900", "Not built yet", "{0} is part of the language but not built yet in this version of OptDsl", DiagnosticLevel.Error);
    public static readonly DiagnosticDescriptor InternalError = new("OPT0999", "Internal compiler error", "The OptDsl compiler failed on this file ({0}). Please report it with the file", DiagnosticLevel.Error);

    public static readonly DiagnosticDescriptor[] All =
    [
        SyntaxError, UnknownName, DuplicateDeclaration, ShapeMismatch, WrongIndexCount, WrongArity, UnknownFunction,
        UnknownSolver, UnknownOption, InvalidOptionValue, MissingObjective, DuplicateObjective, NotAnIntegerExpression,
        ExpectedScalar, NonDifferentiable, InvalidDim, InvalidVariableInit, BoundsNotSupported, NotLeastSquares,
        InvalidConstraint, VariableInIndex, NotConstant, IndexOutOfRange, WrongKindOfName, UnusedVariable, TooDeep, Renamed,
        ReversedRange, SizeTooLarge, NotANumber, NoVariables, ParamNotFinite,
        InvalidModel, UnknownOptimizer, UnknownModelOption, UnknownSchedule, FiniteBoundsRequired,
        UnknownTuneTarget, InvalidSearchRange, TuneTypeMismatch, InvalidTune, NotBuiltYet, InternalError,
    ];
}
