using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Syntax;

namespace OptDsl.Compiler.Semantics;

/// <summary>
/// Binds one problem block: its declarations and expressions through the shared <see cref="DeclarationBinder"/> and
/// <see cref="ExpressionBinder"/>, then what only a problem has: the objective (or pareto block), the constraints, the
/// solver and its options, and the least-squares form of the objective.
/// </summary>
internal sealed class ProblemBinder : BlockBinder
{
    public ProblemBinder(string path, string text, List<OptDiagnostic> diagnostics) : base(path, text, diagnostics)
    {
    }

    private string TextOf(SourceSpan span) => _c.TextOf(span);

    // "Not built yet" still yields the class (derivatives and constraint functions), only without Solve.
    private bool HasNewErrors => _c.Diagnostics.Skip(_errorsAtStart).Any(d => d.Level == DiagnosticLevel.Error && d.Id != Descriptors.NotBuiltYet.Id);

    public BoundProblem? Bind(ProblemSyntax problem)
    {
        _errorsAtStart = _c.Diagnostics.Count;
        bool canSolve = true;

        // Pass 1: register every name (declarations may be used before they appear), catching duplicates.
        foreach (var member in problem.Members)
        {
            if (_declarations.Register(member)) continue;
            switch (member)
            {
                case SampleSyntax s:
                    Report(Descriptors.WrongKindOfName, s.NameSpan, $"'{s.Keyword}' declares a sample of a model; a problem has 'data' instead");
                    break;
                case ModelMemberSyntax m:
                    Report(Descriptors.WrongKindOfName, m.Span, $"'{m.Keyword}' belongs in a model block, not a problem");
                    break;
            }
        }

        // Pass 2: dims, data, vars (laid out in x) and params.
        var offset = _declarations.BindAll(problem.Members);

        // The objective.
        var goals = problem.Members.OfType<GoalSyntax>().ToList();
        var paretoBlocks = problem.Members.OfType<ParetoSyntax>().ToList();
        var pareto = paretoBlocks.FirstOrDefault();
        foreach (var extra in paretoBlocks.Skip(1))
            Report(Descriptors.DuplicateObjective, extra.Span, problem.Name, pareto!.Span.Line + 1);
        if (pareto is not null && goals.Count > 0)
            Report(Descriptors.DuplicateObjective, goals[0].Span, problem.Name, pareto.Span.Line + 1);
        foreach (var extra in goals.Skip(1))
            Report(Descriptors.DuplicateObjective, extra.Span, problem.Name, goals[0].Span.Line + 1);
        if (goals.Count == 0 && pareto is null)
            Report(Descriptors.MissingObjective, problem.NameSpan, problem.Name);

        Expr objective = Expr.Zero;
        var goal = goals.FirstOrDefault();
        if (goal is not null)
        {
            var value = _expressions.Lower(goal.Value, Scope.Root());
            if (value is ScalarValue s) objective = s.Expr;
            else if (value is not ErrorValue)
                Report(Descriptors.ExpectedScalar, goal.Value.Span, "The objective", Shapes.Describe(value.Shape));
        }

        // Constraints.
        var constraints = new List<ConstraintFamily>();
        IntExpr rows = new IntConst(0);
        var constraintBlocks = problem.Members.OfType<ConstraintsSyntax>().ToList();
        var constraintSyntax = constraintBlocks.SelectMany(b => b.Constraints).ToList();
        CheckConstraintLabels(constraintSyntax);
        for (int k = 0; k < constraintSyntax.Count; k++)
        {
            var c = constraintSyntax[k];
            var family = BindConstraint(c, k, rows);
            if (family is null) continue;
            constraints.Add(family);
            try
            {
                rows = IntExpr.Add(rows, family.RowCount);
            }
            catch (OverflowException)
            {
                rows = new IntConst(long.MaxValue);
            }
            if (!_declarations.CheckTotal(rows, c.Span, "The number of constraint rows")) break;
        }

        // A pareto block: the objective is the weighted scalarization; the epsilon method adds one row per further objective.
        List<ParetoObjective>? paretoObjectives = null;
        int paretoPoints = 21;
        bool epsilon = false;
        if (pareto is not null && goals.Count == 0)
        {
            paretoObjectives = BindPareto(pareto, ref paretoPoints, ref epsilon);
            if (paretoObjectives is not null)
            {
                objective = Expr.Zero;
                for (int k = 0; k < paretoObjectives.Count; k++)
                {
                    var signed = paretoObjectives[k].Maximize ? Expr.Neg(paretoObjectives[k].Value) : paretoObjectives[k].Value;
                    objective = Expr.Add(objective, Expr.Mul(Expr.ScalarizationWeight(k), signed));
                    if (epsilon && k > 0)
                    {
                        string label = $"pareto_{paretoObjectives[k].Name}";
                        if (constraints.Any(c => c.Label == label))
                            Report(Descriptors.InvalidConstraint, pareto.Span, $"The epsilon method names its row for '{paretoObjectives[k].Name}' '{label}', which is already a constraint label; rename that constraint");
                        var family = new ConstraintFamily(label, pareto.Span.Line + 1, $"epsilon row of '{paretoObjectives[k].Name}'",
                            Array.Empty<IndexVar>(), signed, Expr.Const(double.NegativeInfinity), Expr.ScalarizationLevel(k), IndexSpace.OverLoops([], rows));
                        constraints.Add(family);
                        rows = IntExpr.Add(rows, family.RowCount);
                    }
                }
            }
        }

        // Lets and named objectives nothing used: still checked, so a mistake in them is reported, not hidden.
        var lowered = _expressions.LoweredLets;
        foreach (var let in _c.Lets.Values.Where(l => !lowered.Contains(l.Name)))
        {
            if (let.Indices.Count == 0) _expressions.LowerLetBody(let.Name, let.Value, Scope.Root(), []);
            else _expressions.LetAsArray(let, Scope.Root());
        }
        foreach (var o in _c.Objectives.Values.Where(o => !lowered.Contains(o.Name)))
            _expressions.LowerLetBody(o.Name, o.Value, Scope.Root(), []);

        // The solver.
        var solverSyntax = problem.Members.OfType<SolverSyntax>().ToList();
        foreach (var extra in solverSyntax.Skip(1))
            Report(Descriptors.DuplicateDeclaration, extra.NameSpan, "solver", solverSyntax[0].Span.Line + 1);
        var solver = BindSolver(solverSyntax.FirstOrDefault(), constraints.Count > 0, problem);
        if (solver is null) return null;
        if (!solver.Spec.IsBuilt) canSolve = false;

        if (constraints.Count > 0 && solver.Spec.Kind != ProblemKind.Constrained && solver.Spec.IsBuilt)
        {
            Report(Descriptors.InvalidConstraint, solverSyntax[0].NameSpan,
                $"Solver '{solver.Name}' is for unconstrained problems, but '{problem.Name}' has constraints; use {string.Join(" or ", SolverCatalog.All.Where(x => x.IsBuilt && x.Kind == ProblemKind.Constrained).Select(x => $"'{x.Name}'"))}");
        }

        if (constraints.Count == 0 && solver.Spec.Kind == ProblemKind.Constrained && solverSyntax.Count > 0)
        {
            Report(Descriptors.InvalidConstraint, solverSyntax[0].NameSpan,
                $"Solver '{solver.Name}' is for problems with constraints, and '{problem.Name}' has none; use '{SolverCatalog.Default(constrained: false, nonSmooth: false).Name}' (or another unconstrained solver)");
        }

        if (solver.Spec.UsesDerivatives)
        {
            foreach (var (function, span) in _c.NonSmooth)
                Report(Descriptors.NonDifferentiable, span, function, solver.Name);
        }

        var vars = _c.Vars.Values.OrderBy(v => v.Line).ToList();
        if (!problem.Members.OfType<VarSyntax>().Any())
            Report(Descriptors.NoVariables, problem.NameSpan, problem.Name);
        if ((goal is not null || paretoObjectives is not null) && !HasNewErrors)
        {
            var used = new HashSet<string>(ReverseUse(objective).Concat(constraints.SelectMany(c => ReverseUse(c.Body))));
            foreach (var v in vars.Where(v => !used.Contains(v.Name)))
                Report(Descriptors.UnusedVariable, ((VarSyntax)_c.Declared[v.Name]).NameSpan, v.Name);
        }

        if (solver.Spec.UsesDerivatives && solver.Spec.IsBuilt && !solver.Spec.SupportsBounds)
        {
            foreach (var v in vars.Where(v => v.HasBounds))
            {
                Report(Descriptors.BoundsNotSupported, solverSyntax.Count > 0 ? solverSyntax[0].NameSpan : problem.NameSpan, solver.Name, v.Name,
                    string.Join(", ", SolverCatalog.All.Where(s => s.IsBuilt && s.SupportsBounds).Select(s => s.Name)));
                break;
            }
        }

        if (solver.Spec.NeedsFiniteBounds && solver.Spec.IsBuilt)
        {
            foreach (var v in vars)
            {
                if (BoxProblem(v) is not { } what) continue;
                Report(Descriptors.FiniteBoundsRequired, ((VarSyntax)_c.Declared[v.Name]).NameSpan, solver.Name, v.Name, what);
                break;
            }
        }
        if (!solver.Spec.UsesDerivatives && solver.Options.Any(o => o.Option.Name == "polish"))
        {
            foreach (var (function, span) in _c.NonSmooth)
                Report(Descriptors.NonDifferentiable, span, function, $"{solver.Name}' with 'polish");
        }

        IReadOnlyList<ResidualBlock>? residuals = null;
        IntExpr? residualCount = null;
        if (goal is not null && !goal.Maximize && !HasNewErrors)
        {
            try
            {
                residuals = LeastSquares.Decompose(objective);
                residualCount = residuals?.Aggregate((IntExpr)new IntConst(0), (acc, r) => IntExpr.Add(acc, r.Rows.Count));
            }
            catch (OverflowException)
            {
                residualCount = new IntConst(long.MaxValue);
            }
            if (residualCount is IntConst { Value: > DeclarationBinder.MaxArrayLength })
            {
                if (solver.Spec.Kind == ProblemKind.LeastSquares) _declarations.CheckTotal(residualCount, goal.Value.Span, "The number of residuals");
                (residuals, residualCount) = (null, null);
            }
        }
        if (solver.Spec.Kind == ProblemKind.LeastSquares && residuals is null && goal is not null && !HasNewErrors)
        {
            Report(Descriptors.NotLeastSquares, goal.Value.Span,
                goal.Maximize ? "it maximizes" : "the objective is not a sum of squared terms with positive constant weights");
        }

        if (HasNewErrors || (goal is null && paretoObjectives is null)) return null;

        return new BoundProblem
        {
            Name = problem.Name,
            NameSpan = problem.NameSpan,
            Line = problem.Span.Line + 1,
            Dims = _c.Dims.Values.OrderBy(d => d.Line).ToList(),
            Data = _c.Data.Values.OrderBy(d => d.Line).ToList(),
            Params = _c.Params.Values.OrderBy(p => p.Line).ToList(),
            Vars = vars,
            Smooth = _c.NonSmooth.Count == 0,
            VariableCount = offset,
            Objective = objective,
            Maximize = goal?.Maximize ?? false,
            ObjectiveText = goal is not null ? TextOf(goal.Value.Span) : "the weighted sum of " + string.Join(", ", paretoObjectives!.Select(o => (o.Maximize ? "-" : "") + o.Name)),
            ObjectiveLine = (goal?.Span ?? pareto!.Span).Line + 1,
            Pareto = paretoObjectives,
            ParetoPoints = paretoPoints,
            ParetoEpsilon = epsilon,
            Constraints = constraints,
            ConstraintCount = rows,
            Solver = solver,
            Residuals = residuals,
            ResidualCount = residualCount,
            CanSolve = canSolve,
            IndexChecks = _c.IndexChecks.ToList(),
            ValueNames = _c.ValueNames,
        };
    }

    private List<ParetoObjective>? BindPareto(ParetoSyntax pareto, ref int points, ref bool epsilon)
    {
        var objectives = new List<ParetoObjective>();
        foreach (var g in pareto.Goals)
        {
            var value = _expressions.Lower(g.Value, Scope.Root());
            if (value is ErrorValue) return null;
            if (value is not ScalarValue s)
            {
                Report(Descriptors.ExpectedScalar, g.Value.Span, "Each objective of a pareto block", Shapes.Describe(value.Shape));
                return null;
            }
            string name = g.Value is NameSyntax n && _c.Objectives.ContainsKey(n.Name) ? n.Name : $"objective{objectives.Count}";
            objectives.Add(new ParetoObjective(name, s.Expr, g.Maximize));
        }
        var spec = new[]
        {
            new OptionSpec("points", OptionKind.Count, "Points"),
            new OptionSpec("method", OptionKind.Choice, "Method", Choices: ["weighted_sum", "epsilon"]),
        };
        var seen = new Dictionary<string, OptionSyntax>(StringComparer.Ordinal);
        foreach (var o in pareto.Options)
        {
            var option = spec.FirstOrDefault(x => x.Name == o.Name);
            if (option is null)
            {
                Report(Descriptors.UnknownOption, o.NameSpan, "pareto", o.Name, "points, method");
                continue;
            }
            if (!Unique(seen, o)) continue;
            var v = _options.Value(option, o);
            if (v is int count)
            {
                if (count < 2) Report(Descriptors.InvalidOptionValue, o.Value.Span, "points", "must be at least 2");
                else points = count;
            }
            else if (v is string method) epsilon = method == "epsilon";
        }
        if (objectives.Count < 2)
        {
            Report(Descriptors.WrongKindOfName, pareto.Span, "A pareto block needs at least two objectives ('minimize a; maximize b;')");
            return null;
        }
        return objectives;
    }

    private static IEnumerable<string> ReverseUse(Expr e) =>
        ExprGraph.TopologicalOrder(e).Where(n => n.Kind == ExprKind.Var).Select(n => n.Symbol!);
    // ---- Constraints ---------------------------------------------------------------------------------------

    private ConstraintFamily? BindConstraint(ConstraintSyntax c, int ordinal, IntExpr rowOffset)
    {
        var scope = Scope.Root();
        var forAll = new List<IndexVar>();
        foreach (var b in c.ForAll)
        {
            var iv = _expressions.BindIndex(b, scope);
            if (iv is null) return null;
            if (iv.Lower.FreeIndices().Concat(iv.Upper.FreeIndices()).FirstOrDefault() is { } outer)
            {
                // Rows are numbered row-major over the family's indices, which needs a rectangular family.
                Report(Descriptors.InvalidConstraint, b.Lower.Span.To(b.Upper.Span),
                    $"The range of '{b.Name}' depends on '{outer.Name}': a forall family must be rectangular (no range may depend on another index of the family)");
                return null;
            }
            forAll.Add(iv);
            scope = scope.With(b.Name, new IntIndex(iv), isLoop: true);
        }

        foreach (var (op, span) in c.Operators)
        {
            if (op is "<" or ">")
            {
                Report(Descriptors.InvalidConstraint, span, $"Strict inequality '{op}' is not supported: optimization over closed sets needs '{op}='");
                return null;
            }
            if (op == "=")
            {
                Report(Descriptors.InvalidConstraint, span, "Use '==' for an equality constraint");
                return null;
            }
        }
        var operands = new List<Expr>();
        foreach (var o in c.Operands)
        {
            var v = _expressions.Lower(o, scope);
            if (v is ErrorValue) return null;
            if (v is not ScalarValue s)
            {
                Report(Descriptors.ExpectedScalar, o.Span, "Each side of a constraint (use forall for a family)", Shapes.Describe(v.Shape));
                return null;
            }
            operands.Add(s.Expr);
        }

        if (c.Label == "bounds")
        {
            // SolveResult.Multipliers["bounds"] holds the multipliers of the variables' own bounds.
            Report(Descriptors.WrongKindOfName, c.LabelSpan, "The label 'bounds' is reserved for the multipliers of variable bounds in the result; choose another label");
            return null;
        }
        var ops = c.Operators.Select(o => o.Op).ToList();
        Expr body, lower, upper;
        var inf = Expr.Const(double.PositiveInfinity);
        var minusInf = Expr.Const(double.NegativeInfinity);
        if (ops.Count == 1)
        {
            var (left, right) = (operands[0], operands[1]);
            // Keep the side with the variables as the body when the other side is free of them (a data bound stays a bound).
            // "Free of them" is read from the text, as the user does: mse(b, b) names b even though it simplifies to 0.
            bool leftNamesVars = _expressions.NamesVariable(c.Operands[0]), rightNamesVars = _expressions.NamesVariable(c.Operands[1]);
            (body, Expr other, bool flipped) = !rightNamesVars ? (left, right, false) : !leftNamesVars ? (right, left, true) : (Expr.Sub(left, right), Expr.Zero, false);
            string op = ops[0];
            if (flipped) op = op switch { "<=" => ">=", ">=" => "<=", _ => op };
            (lower, upper) = op switch
            {
                "==" => (other, other),
                "<=" => (minusInf, other),
                _ => (other, inf),
            };
        }
        else if (ops.Count == 2 && ops[0] == ops[1] && ops[0] is "<=" or ">=")
        {
            body = operands[1];
            (lower, upper) = ops[0] == "<=" ? (operands[0], operands[2]) : (operands[2], operands[0]);
            if (lower.HasVar || upper.HasVar)
            {
                Report(Descriptors.InvalidConstraint, c.Span, "In a two-sided constraint 'lo <= e <= hi' the outer sides cannot depend on decision variables");
                return null;
            }
        }
        else
        {
            Report(Descriptors.InvalidConstraint, c.Operators[Math.Min(1, c.Operators.Count - 1)].Span,
                "A constraint is 'a == b', 'a <= b', 'a >= b', or two-sided 'lo <= e <= hi' / 'hi >= e >= lo'");
            return null;
        }

        if (!body.HasVar)
        {
            Report(Descriptors.InvalidConstraint, c.Span, "This constraint does not involve any decision variable");
            return null;
        }
        var rows = IndexSpace.OverLoops(forAll, rowOffset);
        IntExpr count;
        try
        {
            count = rows.Count;
        }
        catch (OverflowException)
        {
            count = new IntConst(long.MaxValue);
        }
        if (!_declarations.CheckTotal(count, c.Span, "The number of rows of this constraint family")) return null;
        string label = c.Label ?? $"c{ordinal}";
        return new ConstraintFamily(label, c.Span.Line + 1, TextOf(c.Span), forAll, body, lower, upper, rows);
    }
    /// <summary>
    /// Labels name the multipliers in the result, so each must be unique: two equal labels, or a label equal to the
    /// automatic label <c>c&lt;k&gt;</c> of an unlabelled constraint, would make one family's multipliers unreachable.
    /// </summary>
    private void CheckConstraintLabels(IReadOnlyList<ConstraintSyntax> constraints)
    {
        var first = new Dictionary<string, ConstraintSyntax>(StringComparer.Ordinal);
        for (int k = 0; k < constraints.Count; k++)
        {
            var c = constraints[k];
            string label = c.Label ?? $"c{k}";
            if (!first.TryGetValue(label, out var earlier))
            {
                first[label] = c;
                continue;
            }
            if (c.Label is not null && earlier.Label is not null)
                Report(Descriptors.DuplicateDeclaration, c.LabelSpan, label, earlier.Span.Line + 1);
            else if (c.Label is not null)
                Report(Descriptors.InvalidConstraint, c.LabelSpan, $"'{label}' is the automatic label of the unlabelled constraint at line {earlier.Span.Line + 1}; choose another label, or label that constraint");
            else
                Report(Descriptors.InvalidConstraint, earlier.LabelSpan, $"'{label}' is the automatic label of the unlabelled constraint at line {c.Span.Line + 1}; choose another label, or label that constraint");
        }
    }

    /// <summary>Why <paramref name="v"/> lacks the finite box a population method needs, or null when it has one.</summary>
    private static string? BoxProblem(VarSymbol v)
    {
        if (v.Lower is null && v.Upper is null) return "no bounds";
        if (v.Lower is null || v.Lower.Any(x => double.IsNaN(x) || double.IsInfinity(x))) return "no finite lower bound";
        if (v.Upper is null || v.Upper.Any(x => double.IsNaN(x) || double.IsInfinity(x))) return "no finite upper bound";
        for (int i = 0; i < Math.Max(v.Lower.Length, v.Upper.Length); i++)
            if (!(v.Upper[Math.Min(i, v.Upper.Length - 1)] > v.Lower[Math.Min(i, v.Lower.Length - 1)])) return "an empty range (lower = upper)";
        return null;
    }

    // ---- Solver --------------------------------------------------------------------------------------------

    private BoundSolver? BindSolver(SolverSyntax? s, bool constrained, ProblemSyntax problem)
    {
        if (s is null)
        {
            // docs/language.md: lbfgs for smooth unconstrained, ipm with constraints, nelder_mead when not differentiable.
            var spec = SolverCatalog.Default(constrained, _c.NonSmooth.Count > 0);
            string name = spec.Name;
            if (!spec.IsBuilt)
            {
                Report(Descriptors.NotBuiltYet, problem.NameSpan,
                    $"{spec.NotBuiltReason} (the default for this problem{(constrained ? ", which has constraints" : ", whose objective is not differentiable")})");
            }
            return new BoundSolver(name, problem.Span.Line + 1, spec, Array.Empty<(OptionSpec, object)>());
        }

        var found = SolverCatalog.Find(s.Name);
        if (found is null)
        {
            Report(Descriptors.UnknownSolver, s.NameSpan, s.Name, SolverCatalog.Names);
            return null;
        }
        if (!found.IsBuilt) Report(Descriptors.NotBuiltYet, s.NameSpan, found.NotBuiltReason!);

        var options = new List<(OptionSpec, object)>();
        var seen = new Dictionary<string, OptionSyntax>(StringComparer.Ordinal);
        foreach (var o in s.Options)
        {
            var spec = found.Options.FirstOrDefault(x => x.Name == o.Name);
            if (spec is null)
            {
                Report(Descriptors.UnknownOption, o.NameSpan, found.Name, o.Name, string.Join(", ", found.Options.Select(x => x.Name)));
                continue;
            }
            if (!Unique(seen, o)) continue;
            var value = _options.Value(spec, o);
            if (value is not null) options.Add((spec, value));
        }
        return new BoundSolver(found.Name, s.Span.Line + 1, found, options);
    }
}
