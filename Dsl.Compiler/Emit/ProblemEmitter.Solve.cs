using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Semantics;

namespace OptDsl.Compiler.Emit;

// Start point, bounds, layout, default options and Solve: the .opt's solver line made callable.
public sealed partial class ProblemEmitter
{
    private void EmitSolve()
    {
        var solver = _p.Solver;
        EmitLayout();
        EmitStartPoint();
        EmitBounds();
        if (!_p.CanSolve) return;

        string optionText = solver.Options.Count == 0 ? "" : "(" + string.Join(", ", solver.Options.Select(o => $"{o.Option.Name}: {SharedMembers.OptionText(o.Value)}")) + ")";
        _w.Line($"/// <summary>The stopping rules of <c>solver {Xml(solver.Name + optionText)}</c> ({WhereXml(solver.Line)}): the defaults of <c>Solve</c>, whose options override only the properties they set (<c>SolveOptions.Merge</c>).</summary>");
        var common = solver.Options.Where(o => o.Option.OnSolveOptions).ToList();
        if (common.Count == 0)
        {
            _w.Line($"public static {Runtime}.SolveOptions DefaultSolveOptions {{ get; }} = new();");
        }
        else
        {
            _w.Line($"public static {Runtime}.SolveOptions DefaultSolveOptions {{ get; }} = new()");
            _w.Line("{");
            _w.Indent();
            foreach (var (option, value) in common) _w.Line($"{option.Property} = {SharedMembers.OptionValue(option, value)},");
            _w.Unindent();
            _w.Line("};");
        }
        _w.Line();

        _w.Line($"/// <summary>Solves from the start point of the .opt file with <c>solver {Xml(solver.Name)}</c>; <paramref name=\"options\"/> overrides only the properties it sets.</summary>");
        _w.Line($"public {Runtime}.SolveResult Solve({Runtime}.SolveOptions? options = null) => Solve(StartPoint(), options);");
        _w.Line();

        _w.Line($"/// <summary>Solves from <paramref name=\"start\"/> with <c>solver {Xml(solver.Name)}</c> ({WhereXml(solver.Line)}); <paramref name=\"options\"/> overrides only the properties it sets.</summary>");
        using (_w.Block($"public {Runtime}.SolveResult Solve(global::System.ReadOnlySpan<double> start, {Runtime}.SolveOptions? options = null)"))
        {
            RequireLength("start", "VariableCount", $"problem {_p.Name} has");
            // A NaN or infinite entry is named by the variable element it sets and that variable's declaration.
            string declarations = string.Join(", ", _p.Vars.Select(v => CSharpNames.StringLiteral($"var {v.Name} ({Where(v.Line)})")));
            _w.Line($"{Runtime}.GeneratedSupport.RequireFiniteStart(start, Layout, {declarations});");
            var settings = (solver.Spec.FixedSettings ?? []).Select(s => $"{s.Property} = {s.CSharpValue}")
                .Concat(solver.Options.Where(o => !o.Option.OnSolveOptions).Select(o => $"{o.Option.Property} = {SharedMembers.OptionValue(o.Option, o.Value)}")).ToList();
            // A derivative-free method judges its last point by the gradient only where the objective has one.
            if (!solver.Spec.UsesDerivatives && _p.Smooth) settings.Add("VerifyWithGradient = true");
            string init = settings.Count == 0 ? "()" : " { " + string.Join(", ", settings) + " }";
            _w.Line($"var solver = new {Runtime}.{solver.Spec.ClassName}{init};");
            string problem = $"({Runtime}.{solver.Spec.ProblemInterface})this";
            bool bounds = _p.Vars.Any(v => v.HasBounds) && solver.Spec.SupportsBounds;
            _w.Line("// The .opt file's options are the defaults: options given here replace only the properties they set.");
            _w.Line($"var result = solver.Minimize({problem}, start, {Runtime}.SolveOptions.Merge(DefaultSolveOptions, options){(bounds ? ", VariableBounds()" : "")});");
            if (_p.Maximize)
            {
                _w.Line("// The solver minimized the negated objective; report the maximized value as written.");
                _w.Line("var history = new global::System.Collections.Generic.List<global::OptDsl.Runtime.IterationInfo>(result.History.Count);");
                _w.Line("foreach (var step in result.History) history.Add(step with { Objective = -step.Objective });");
                _w.Line("return result with { Objective = -result.Objective, History = history, Layout = Layout };");
            }
            else
            {
                _w.Line("return result with { Layout = Layout };");
            }
        }
        _w.Line();
    }

    private void EmitPareto()
    {
        var objectives = _p.Pareto!;
        int k = objectives.Count;
        bool epsilon = _p.ParetoEpsilon;
        string count = k.ToString(CultureInfo.InvariantCulture);
        _w.Line("// The pareto block's scalarization: objective = Σₖ weightₖ·sₖ·fₖ (sₖ = -1 for maximize)" + (epsilon ? ", and one row" : "."));
        if (epsilon) _w.Line("// sₖ·fₖ ≤ upperₖ per further objective (the epsilon method).");
        _w.Line("// This instance keeps the problem as written (equal weights" + (epsilon ? ", no ε-level" : "") + "); ParetoSweep solves copies that carry the sweep's.");
        _w.Line($"private double[] _paretoWeights = [{string.Join(", ", Enumerable.Repeat(CSharpNames.Literal(1.0 / k), k))}];");
        if (epsilon) _w.Line($"private double[] _paretoUpper = [{string.Join(", ", Enumerable.Repeat("double.PositiveInfinity", k))}];");
        _w.Line();
        _w.Line($"/// <summary>Writes each objective of the pareto block as written: {string.Join(", ", objectives.Select(o => Xml(o.Name)))}.</summary>");
        using (_w.Block("public void ObjectiveValues(global::System.ReadOnlySpan<double> x, global::System.Span<double> values)"))
        {
            RequireX();
            RequireLength("values", count, "the pareto block has");
            PrintKernel(_plan.ObjectiveValues!);
        }
        _w.Line();
        if (!_p.CanSolve) return;

        _w.Line($"int {Runtime}.IParetoProblem.Dimension => VariableCount;");
        _w.Line();
        _w.Line($"int {Runtime}.IParetoProblem.ObjectiveCount => {count};");
        _w.Line();
        _w.Line($"global::System.Collections.Generic.IReadOnlyList<string> {Runtime}.IParetoProblem.ObjectiveNames => [{string.Join(", ", objectives.Select(o => CSharpNames.StringLiteral(o.Name)))}];");
        _w.Line();
        _w.Line($"global::System.Collections.Generic.IReadOnlyList<bool> {Runtime}.IParetoProblem.Maximize => [{string.Join(", ", objectives.Select(o => o.Maximize ? "true" : "false"))}];");
        _w.Line();
        _w.Line($"bool {Runtime}.IParetoProblem.HasEpsilonRows => {(epsilon ? "true" : "false")};");
        _w.Line();
        using (_w.Block($"{Runtime}.SolveResult {Runtime}.IParetoProblem.SolveScalarized(global::System.ReadOnlySpan<double> weights, global::System.ReadOnlySpan<double> upper, global::System.ReadOnlySpan<double> start, {Runtime}.SolveOptions? options)"))
        {
            RequireLength("weights", count, "the pareto block has");
            RequireLength("upper", count, "the pareto block has");
            if (!epsilon)
            {
                _w.Line("// Weighted-sum classes have no ε-constraint rows: a finite level would be ignored, so it is refused.");
                using (_w.Block($"for (int k = 0; k < {count}; k++)"))
                {
                    _w.Line("if (!double.IsPositiveInfinity(upper[k]))");
                    _w.Line($"    throw new global::System.ArgumentException($\"upper[{{k}}] is {{upper[k]}}, but problem {_p.Name} was generated for the weighted-sum method and has no epsilon-constraint rows; write 'method: epsilon' in its pareto block to sweep levels.\", nameof(upper));");
                }
            }
            _w.Line("// A copy carries the weights, so this instance and concurrent sweeps never see them.");
            _w.Line($"var scalarized = ({_names.ClassName})MemberwiseClone();");
            _w.Line("scalarized._paretoWeights = weights.ToArray();");
            if (epsilon) _w.Line("scalarized._paretoUpper = upper.ToArray();");
            _w.Line("return scalarized.Solve(start, options);");
        }
        _w.Line();
        _w.Line($"/// <summary>The Pareto front of the pareto block ({WhereXml(_p.ObjectiveLine)}): {_p.ParetoPoints} points by the {(epsilon ? "epsilon-constraint" : "weighted-sum")} method, non-dominated only. Each solve uses <c>DefaultSolveOptions</c> with the properties <paramref name=\"options\"/> sets replaced. This instance is not changed: <c>Solve()</c> still solves the problem as written, and sweeps may run concurrently.</summary>");
        _w.Line($"public {Runtime}.ParetoFront ParetoFront({Runtime}.SolveOptions? options = null) =>");
        _w.Line($"    {Runtime}.ParetoSweep.Run(this, {Runtime}.ParetoMethod.{(epsilon ? "Epsilon" : "WeightedSum")}, {_p.ParetoPoints}, {Runtime}.SolveOptions.Merge(DefaultSolveOptions, options));");
        _w.Line();
    }

    private void EmitLayout()
    {
        _w.Line("/// <summary>Where each decision variable lives in x: use <c>result.Get(\"name\")</c> for a named view.</summary>");
        string layout = $"new {Runtime}.VariableLayout()" + string.Concat(_p.Vars.Select(v =>
            $".Add({CSharpNames.StringLiteral(v.Name)}, {MemberInt(v.Offset)}{string.Concat(v.Shape.Select(s => ", " + MemberInt(s)))})"));
        if (HasRuntimeDims) _w.Line($"public {Runtime}.VariableLayout Layout => _layout ??= {layout};");
        else _w.Line($"public {Runtime}.VariableLayout Layout => s_layout;");
        _w.Line();
        if (HasRuntimeDims) _w.Line($"private {Runtime}.VariableLayout? _layout;");
        else _w.Line($"private static readonly {Runtime}.VariableLayout s_layout = {layout};");
        _w.Line();
    }

    private void EmitStartPoint()
    {
        _w.Line("/// <summary>The start point of the .opt file (0 where none is given), clipped into the variables' bounds.</summary>");
        using (_w.Block("public double[] StartPoint()"))
        {
            _w.Line("var x = new double[VariableCount];");
            foreach (var v in _p.Vars.Where(v => v.Start is not null && v.Start.Any(s => s != 0)))
                FillVector(v, v.Start!, "x", $"start of {Comment(v.Name)} ({WhereComment(v.Line)})");
            if (_p.Vars.Any(v => v.HasBounds))
            {
                _w.Line("var bounds = VariableBounds()!;");
                _w.Line("for (int k = 0; k < x.Length; k++) x[k] = global::System.Math.Clamp(x[k], bounds.Lower[k], bounds.Upper[k]);");
            }
            _w.Line("return x;");
        }
        _w.Line();
    }

    private void EmitBounds()
    {
        _w.Line("/// <summary>The bounds of the var declarations (infinite where none is given), or null when no variable has bounds.</summary>");
        using (_w.Block($"public {Runtime}.Bounds? VariableBounds()"))
        {
            if (!_p.Vars.Any(v => v.HasBounds))
            {
                _w.Line("return null;");
            }
            else
            {
                _w.Line("var lower = new double[VariableCount];");
                _w.Line("var upper = new double[VariableCount];");
                _w.Line("global::System.Array.Fill(lower, double.NegativeInfinity);");
                _w.Line("global::System.Array.Fill(upper, double.PositiveInfinity);");
                foreach (var v in _p.Vars)
                {
                    if (v.Lower is not null) FillVector(v, v.Lower, "lower", $"lower bound of {Comment(v.Name)} ({WhereComment(v.Line)})");
                    if (v.Upper is not null) FillVector(v, v.Upper, "upper", $"upper bound of {Comment(v.Name)} ({WhereComment(v.Line)})");
                }
                _w.Line($"return new {Runtime}.Bounds(lower, upper);");
            }
        }
        _w.Line();
    }

    private void FillVector(VarSymbol v, double[] values, string array, string comment)
    {
        _w.Line($"// {comment}");
        if (values.Length == 1)
        {
            _w.Line($"global::System.Array.Fill({array}, {CSharpNames.Literal(values[0])}, {MemberInt(v.Offset)}, {MemberInt(v.Size)});");
            return;
        }
        // A list of values: the var's size is a constant, its offset may follow earlier vars of runtime size.
        for (int k = 0; k < values.Length; k++)
            _w.Line($"{array}[{MemberInt(IntExpr.Add(v.Offset, IntExpr.Const(k)), outermost: true)}] = {CSharpNames.Literal(values[k])};");
    }
}
