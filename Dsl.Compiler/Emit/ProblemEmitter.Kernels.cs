using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Derivatives;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Semantics;

namespace OptDsl.Compiler.Emit;

// The numerical kernels: objective, derivatives, constraints, residuals. Each method sets up named locals for the
// symbols it uses, then lets KernelEmitter schedule the IR.
public sealed partial class ProblemEmitter
{
    /// <summary>Maps IR symbols to the locals of one generated method.</summary>
    private sealed class Symbols(ProblemEmitter owner) : IKernelSymbols
    {
        public readonly SortedDictionary<int, string> Declarations = new();
        private readonly HashSet<string> _declared = new();

        public void Declare(int order, string name, string declaration)
        {
            if (_declared.Add(name)) Declarations[order * 1000 + Declarations.Count] = declaration;
        }

        public string Array(ExprKind kind, string symbol)
        {
            switch (kind)
            {
                case ExprKind.Var:
                    return owner.Slice(this, "x", "", symbol, readOnly: true);
                case ExprKind.Dir:
                    return owner.Slice(this, "v", "v_", symbol, readOnly: true);
                case ExprKind.Mult:
                    return "multipliers";
                default:
                    string local = owner._names.Local(symbol);
                    Declare(1, local, $"double[] {local} = {owner._names.Field(symbol)};");
                    return local;
            }
        }

        public string? Scalar(ExprKind kind, string symbol)
        {
            if (kind != ExprKind.Data || owner._p.Data.First(d => d.Name == symbol).Shape.Count != 0) return null;
            string local = owner._names.Local(symbol);
            Declare(1, local, $"double {local} = {owner._names.Field(symbol)};");
            return local;
        }

        public IntExpr Flatten(ExprKind kind, string symbol, IReadOnlyList<IntExpr> indices)
        {
            switch (kind)
            {
                case ExprKind.Var:
                case ExprKind.Dir:
                    return owner._p.Vars.First(v => v.Name == symbol).Elements.Flatten(indices);
                case ExprKind.Mult:
                    return owner._p.Constraints.First(c => c.Label == symbol).Rows.Flatten(indices);
                default:
                    return owner._p.Data.First(d => d.Name == symbol).Elements.Flatten(indices);
            }
        }

        public IntExpr? VectorLength(ExprKind kind, string symbol) => kind switch
        {
            ExprKind.Var or ExprKind.Dir => owner._p.Vars.First(v => v.Name == symbol) is { Shape.Count: 1 } v ? v.Shape[0] : null,
            ExprKind.Data => owner._p.Data.First(d => d.Name == symbol) is { Shape.Count: 1 } d ? d.Shape[0] : null,
            _ => null,
        };

        public string Param(string symbol)
        {
            // A pareto block's runtime weights and epsilon levels, set by the sweep before each solve.
            if (symbol.StartsWith("$weight", StringComparison.Ordinal)) return "_paretoWeights[" + symbol.Substring(7) + "]";
            if (symbol.StartsWith("$upper", StringComparison.Ordinal)) return "_paretoUpper[" + symbol.Substring(6) + "]";
            string local = owner._names.Local(symbol);
            Declare(2, local, $"double {local} = {owner.PropertyName(symbol)};");
            return local;
        }

        public string Dim(string name)
        {
            if (name == VariableCountDim) return "VariableCount";
            string local = owner._names.Local(name);
            Declare(0, local, $"int {local} = {owner.DimField(name)};");
            return local;
        }
    }

    /// <summary>A pseudo-dim standing for the variable count (row stride of dense Jacobians).</summary>
    private const string VariableCountDim = "$VariableCount";

    /// <summary>The local view of one variable inside a flat vector (the vector itself when there is one variable).</summary>
    private string Slice(Symbols symbols, string vector, string prefix, string variable, bool readOnly)
    {
        if (_singleVar) return vector;
        var v = _p.Vars.First(x => x.Name == variable);
        string name = prefix.Length == 0 ? _names.Local(variable) : _names.Slice(prefix, variable);
        string type = readOnly ? "global::System.ReadOnlySpan<double>" : "global::System.Span<double>";
        symbols.Declare(3, name, $"{type} {name} = {vector}.Slice({MemberIntLocal(symbols, v.Offset)}, {MemberIntLocal(symbols, v.Size)});");
        return name;
    }

    private string MemberIntLocal(Symbols symbols, IntExpr e) => e switch
    {
        IntConst c => c.Value.ToString(System.Globalization.CultureInfo.InvariantCulture),
        IntDim d => symbols.Dim(d.Name),
        IntBinary b => $"{(b.Left is IntBinary ? "(" + MemberIntLocal(symbols, b.Left) + ")" : MemberIntLocal(symbols, b.Left))} {b.Op} {(b.Right is IntBinary ? "(" + MemberIntLocal(symbols, b.Right) + ")" : MemberIntLocal(symbols, b.Right))}",
        IntClamp c => $"global::System.Math.Max(0, {MemberIntLocal(symbols, c.Inner)})",
        _ => throw new InvalidOperationException(),
    };

    private IReadOnlyCollection<string> ReservedLocals => _names.ReservedLocals.ToList();

    /// <summary>Writes a kernel's locals and statements.</summary>
    private void EmitKernel(Symbols symbols, IReadOnlyList<KernelItem> items, IReadOnlyList<string>? clears = null)
    {
        var body = new SourceWriter();
        new KernelEmitter(symbols, body, ReservedLocals).Emit(items);
        // Declarations first: a clear of one variable's slice may use a dim local.
        var declarations = symbols.Declarations.Values.ToList();
        foreach (var line in declarations.Where(l => !l.Contains(".Slice("))) _w.Line(line);
        foreach (var line in clears ?? []) _w.Line(line);
        foreach (var line in declarations.Where(l => l.Contains(".Slice("))) _w.Line(line);
        foreach (var line in body.ToString().Split('\n').Where(l => l.Length > 0)) _w.Line(line);
    }

    /// <summary>
    /// The stores of a gradient-like vector, and the statements that zero the parts of it that need zeroing first.
    /// A variable whose terms write each of its elements exactly once (x[i] over its whole range; x[2i] and x[2i + 1]
    /// over half of it) is assigned directly: no clearing pass, no read-modify-write.
    /// </summary>
    private (List<KernelItem> Stores, List<string> Clears) GradientStores(Symbols symbols, IReadOnlyList<GradientTerm> terms, string vector, string prefix)
    {
        var stores = new List<KernelItem>();
        var clears = new List<string>();
        foreach (var v in _p.Vars)
        {
            var mine = terms.Where(t => t.Variable == v.Name).ToList();
            bool direct = CoversEachElementOnce(v, mine);
            if (!direct) clears.Add(_singleVar ? $"{vector}.Clear();" : $"{vector}.Slice({MemberIntLocal(symbols, v.Offset)}, {MemberIntLocal(symbols, v.Size)}).Clear();");
            foreach (var term in mine)
            {
                string target = Slice(symbols, vector, prefix, v.Name, readOnly: false);
                stores.Add(new Store(target, v.Elements.Flatten(term.Indices), term.Value, Accumulate: !direct, Element: (v.Name, term.Indices),
                    ArrayLength: v.Shape.Count == 1 ? v.Shape[0] : null, Context: term.Loops));
            }
        }
        if (clears.Count == _p.Vars.Count) clears = [$"{vector}.Clear();"];
        return (stores, clears);
    }

    /// <summary>True when the terms, run over their loops, write every element of <paramref name="v"/> exactly once.</summary>
    private static bool CoversEachElementOnce(VarSymbol v, List<GradientTerm> terms)
    {
        if (terms.Count == 0) return false;
        if (v.Size is IntConst { Value: 1 }) return terms.Count == 1 && terms[0].Loops.Count == 0;
        if (v.Shape.Count != 1) return false;
        var loop = terms[0].Loops.Count == 1 ? terms[0].Loops[0] : null;
        if (loop is null || loop.Lower is not IntConst { Value: 0 }) return false;
        var offsets = new HashSet<long>();
        long stride = 0;
        foreach (var t in terms)
        {
            if (t.Loops.Count != 1 || !t.Loops[0].Equals(loop)) return false;
            if (Affine(t.Indices[0], loop) is not var (a, b) || a <= 0) return false;
            if (stride == 0) stride = a;
            if (a != stride || b < 0 || b >= a || !offsets.Add(b)) return false;
        }
        return offsets.Count == stride && IntExpr.Mul(new IntConst(stride), loop.Upper).Equals(v.Shape[0]);
    }

    /// <summary>(a, b) when <paramref name="e"/> is a·i + b for the loop index i.</summary>
    private static (long A, long B)? Affine(IntExpr e, IndexVar i) => e switch
    {
        IntConst c => (0, c.Value),
        IntIndex { Var: var v } when v.Equals(i) => (1, 0),
        IntBinary { Op: '+' } x when Affine(x.Left, i) is var (a1, b1) && Affine(x.Right, i) is var (a2, b2) => (a1 + a2, b1 + b2),
        IntBinary { Op: '-' } x when Affine(x.Left, i) is var (a1, b1) && Affine(x.Right, i) is var (a2, b2) => (a1 - a2, b1 - b2),
        IntBinary { Op: '*', Left: IntConst k } x when Affine(x.Right, i) is var (a, b) => (k.Value * a, k.Value * b),
        IntBinary { Op: '*', Right: IntConst k } x when Affine(x.Left, i) is var (a, b) => (k.Value * a, k.Value * b),
        _ => null,
    };

    /// <summary>Dense row-major Jacobian entries of a family of rows: J[row, column] += ∂row/∂x[column].</summary>
    private IEnumerable<KernelItem> JacobianStores(DerivedRows rows, string matrix)
    {
        var row = rows.Rows.Row;
        foreach (var term in rows.Jacobian)
        {
            var v = _p.Vars.First(x => x.Name == term.Variable);
            var column = v.InVector.Flatten(term.Indices);
            yield return new Store(matrix, IntExpr.Add(IntExpr.Mul(row, new IntDim(VariableCountDim)), column), term.Value, Accumulate: true, Element: (v.Name, term.Indices), Context: term.Loops);
        }
    }

    // ---- Objective and its derivatives ---------------------------------------------------------------------

    private void EmitObjectiveMethods()
    {
        var f = _d.Objective.Value;
        string what = _p.Maximize ? "the maximized expression" : "the objective";
        string src = Comment(_p.ObjectiveText);

        _w.Line($"/// <summary>Evaluates {what} ({WhereXml(_p.ObjectiveLine)}).</summary>");
        using (_w.Block("public double Objective(global::System.ReadOnlySpan<double> x)"))
        {
            RequireX();
            _w.Line($"// {src}");
            var symbols = new Symbols(this);
            EmitKernel(symbols, [new DeclareScalar("f", f)]);
            _w.Line("return f;");
        }
        _w.Line();

        EmitGradientMethod(
            $"/// <summary>Writes the gradient of {what} into <paramref name=\"gradient\"/> and returns its value. Symbolic reverse accumulation: every loop below mirrors a sum in the .opt file.</summary>",
            "public double Gradient(global::System.ReadOnlySpan<double> x, global::System.Span<double> gradient)", _d.Objective);
        EmitHessianVectorProductMethod(
            $"/// <summary>Writes ∇²f(x)·v for {what}: the exact symbolic gradient of the directional derivative ∇f(x)·v.</summary>",
            "public void HessianVectorProduct(global::System.ReadOnlySpan<double> x, global::System.ReadOnlySpan<double> v, global::System.Span<double> hv)", _d.Objective);

        _w.Line($"/// <summary>Writes the dense Hessian of {what} (row-major, VariableCount × VariableCount): column j is the exact product ∇²f(x)·e_j.</summary>");
        using (_w.Block("public void Hessian(global::System.ReadOnlySpan<double> x, global::System.Span<double> hessian)"))
        {
            RequireX();
            RequireLength("hessian", "(long)VariableCount * VariableCount", "it must have");
            _w.Line($"{Runtime}.GeneratedSupport.DenseHessian(x, hessian, VariableCount, HessianVectorProduct);");
        }
        _w.Line();

        // The solvers minimize: a maximize problem hands them the negated function.
        string sign = _p.Maximize ? "-" : "";
        _w.Line($"double {Runtime}.IGradientProblem.Objective(global::System.ReadOnlySpan<double> x) => {sign}Objective(x);");
        _w.Line();
        if (_p.Maximize)
        {
            using (_w.Block($"double {Runtime}.IGradientProblem.Gradient(global::System.ReadOnlySpan<double> x, global::System.Span<double> gradient)"))
            {
                _w.Line("double f = Gradient(x, gradient);");
                _w.Line("global::System.Numerics.Tensors.TensorPrimitives.Negate(gradient, gradient);");
                _w.Line("return -f;");
            }
            _w.Line();
            using (_w.Block($"void {Runtime}.ISecondOrderProblem.Hessian(global::System.ReadOnlySpan<double> x, global::System.Span<double> hessian)"))
            {
                _w.Line("Hessian(x, hessian);");
                _w.Line("global::System.Numerics.Tensors.TensorPrimitives.Negate(hessian, hessian);");
            }
            _w.Line();
            using (_w.Block($"void {Runtime}.ISecondOrderProblem.HessianVectorProduct(global::System.ReadOnlySpan<double> x, global::System.ReadOnlySpan<double> v, global::System.Span<double> hv)"))
            {
                _w.Line("HessianVectorProduct(x, v, hv);");
                _w.Line("global::System.Numerics.Tensors.TensorPrimitives.Negate(hv, hv);");
            }
            _w.Line();
        }
    }

    /// <summary>A method that writes the gradient of <paramref name="root"/> and returns its value.</summary>
    private void EmitGradientMethod(string doc, string header, DerivedFunction function, bool withMultipliers = false)
    {
        _w.Line(doc);
        using (_w.Block(header))
        {
            RequireX();
            if (withMultipliers) RequireLength("multipliers", "ConstraintCount", "it must have");
            RequireLength("gradient", "VariableCount", "it must have");
            var symbols = new Symbols(this);
            var (stores, clears) = GradientStores(symbols, function.Gradient, "gradient", "g_");
            var items = new List<KernelItem> { new DeclareScalar("f", function.Value) };
            items.AddRange(stores);
            EmitKernel(symbols, items, clears: clears);
            _w.Line("return f;");
        }
        _w.Line();
    }

    /// <summary>A method that writes ∇²(root)·v: the reverse-mode gradient of the forward-mode directional derivative.</summary>
    private void EmitHessianVectorProductMethod(string doc, string header, DerivedFunction function, bool withMultipliers = false)
    {
        _w.Line(doc);
        using (_w.Block(header))
        {
            RequireX();
            if (withMultipliers) RequireLength("multipliers", "ConstraintCount", "it must have");
            RequireLength("v", "VariableCount", "it must have");
            RequireLength("hv", "VariableCount", "it must have");
            var symbols = new Symbols(this);
            var (stores, clears) = GradientStores(symbols, function.HessianVectorProduct, "hv", "hv_");
            EmitKernel(symbols, stores, clears: clears);
        }
        _w.Line();
    }

    // ---- Constraints ---------------------------------------------------------------------------------------

    private void EmitConstraintMethods()
    {
        _w.Line("/// <summary>The number of constraint rows: " + string.Join(", ", _p.Constraints.Select(c => $"{c.Label} ({WhereXml(c.Line)})")) + ", in that order.</summary>");
        _w.Line(_p.ConstraintCount is IntConst cc ? $"public const int ConstraintCount = {cc.Value};" : "public int ConstraintCount { get; }");
        _w.Line();
        _w.Line($"int {Runtime}.IConstrainedProblem.ConstraintCount => ConstraintCount;");
        _w.Line();
        _w.Line("/// <summary>The label of each constraint family with its first row and row count.</summary>");
        using (_w.Block("public global::System.Collections.Generic.IReadOnlyList<(string Label, int Offset, int Count)> ConstraintLabels => new (string, int, int)[]"))
        {
            foreach (var c in _p.Constraints) _w.Line($"({CSharpNames.StringLiteral(c.Label)}, {MemberInt(c.RowOffset)}, {MemberInt(c.RowCount)}),");
        }
        _w.Line(";");
        _w.Line();

        _w.Line("/// <summary>Writes the constraint functions c(x); row k must satisfy lower[k] ≤ c_k(x) ≤ upper[k] (see <see cref=\"ConstraintBounds\"/>).</summary>");
        using (_w.Block("public void Constraints(global::System.ReadOnlySpan<double> x, global::System.Span<double> values)"))
        {
            RequireX();
            RequireLength("values", "ConstraintCount", "it must have");
            var symbols = new Symbols(this);
            var items = new List<KernelItem>();
            foreach (var c in _p.Constraints)
                items.Add(new Store("values", c.Rows.Row, c.Body, Accumulate: false, Comment: $"{Comment(c.SourceText)} ({WhereComment(c.Line)})"));
            EmitKernel(symbols, items);
        }
        _w.Line();

        _w.Line("/// <summary>Writes the bounds of each constraint row (equal for equalities; infinite for one-sided rows).</summary>");
        using (_w.Block("public void ConstraintBounds(global::System.Span<double> lower, global::System.Span<double> upper)"))
        {
            RequireLength("lower", "ConstraintCount", "it must have");
            RequireLength("upper", "ConstraintCount", "it must have");
            var symbols = new Symbols(this);
            var items = new List<KernelItem>();
            foreach (var c in _p.Constraints)
            {
                // A bound that does not vary over the family still runs once per row: the row index carries the loops.
                items.Add(new Store("lower", c.Rows.Row, c.Lower, Accumulate: false, Comment: c.Label));
                items.Add(new Store("upper", c.Rows.Row, c.Upper, Accumulate: false));
            }
            EmitKernel(symbols, items);
        }
        _w.Line();

        _w.Line("/// <summary>Writes the dense constraint Jacobian, row-major ConstraintCount × VariableCount.</summary>");
        using (_w.Block("public void ConstraintJacobian(global::System.ReadOnlySpan<double> x, global::System.Span<double> jacobian)"))
        {
            RequireX();
            RequireLength("jacobian", "(long)ConstraintCount * VariableCount", "it must have");
            _w.Line("jacobian.Clear();");
            var symbols = new Symbols(this);
            EmitKernel(symbols, _d.Constraints.SelectMany(c => JacobianStores(c, "jacobian")).ToList());
        }
        _w.Line();

        var lagrangian = _d.Lagrangian!;
        _w.Line("/// <summary>The Lagrangian L(x, λ) = f(x) + Σₖ λₖ cₖ(x), with f in minimization form (negated for maximize).</summary>");
        using (_w.Block("public double Lagrangian(global::System.ReadOnlySpan<double> x, global::System.ReadOnlySpan<double> multipliers)"))
        {
            RequireX();
            RequireLength("multipliers", "ConstraintCount", "it must have");
            EmitKernel(new Symbols(this), [new DeclareScalar("f", lagrangian.Value)]);
            _w.Line("return f;");
        }
        _w.Line();

        EmitGradientMethod("/// <summary>Writes ∇ₓL(x, λ) and returns L(x, λ).</summary>",
            "public double LagrangianGradient(global::System.ReadOnlySpan<double> x, global::System.ReadOnlySpan<double> multipliers, global::System.Span<double> gradient)", lagrangian, withMultipliers: true);
        EmitHessianVectorProductMethod("/// <summary>Writes ∇²ₓₓL(x, λ)·v.</summary>",
            "public void LagrangianHessianVectorProduct(global::System.ReadOnlySpan<double> x, global::System.ReadOnlySpan<double> multipliers, global::System.ReadOnlySpan<double> v, global::System.Span<double> hv)", lagrangian, withMultipliers: true);

        _w.Line("/// <summary>Writes the dense Hessian of the Lagrangian, row-major VariableCount × VariableCount.</summary>");
        using (_w.Block("public void LagrangianHessian(global::System.ReadOnlySpan<double> x, global::System.ReadOnlySpan<double> multipliers, global::System.Span<double> hessian)"))
        {
            RequireX();
            RequireLength("multipliers", "ConstraintCount", "it must have");
            RequireLength("hessian", "(long)VariableCount * VariableCount", "it must have");
            _w.Line("var lambda = multipliers.ToArray();");
            _w.Line($"{Runtime}.GeneratedSupport.DenseHessian(x, hessian, VariableCount, (point, v, hv) => LagrangianHessianVectorProduct(point, lambda, v, hv));");
        }
        _w.Line();
    }

    // ---- Least squares -------------------------------------------------------------------------------------

    private void EmitLeastSquaresMethods()
    {
        var blocks = _p.Residuals!;
        _w.Line("/// <summary>The number of residuals rₖ in f = Σₖ rₖ².</summary>");
        _w.Line(_p.ResidualCount is IntConst rc ? $"public const int ResidualCount = {rc.Value};" : "public int ResidualCount { get; }");
        _w.Line();
        _w.Line($"int {Runtime}.ILeastSquaresProblem.Dimension => VariableCount;");
        _w.Line();
        _w.Line($"int {Runtime}.ILeastSquaresProblem.ResidualCount => ResidualCount;");
        _w.Line();

        _w.Line($"/// <summary>Writes the residuals r(x), with f(x) = Σₖ rₖ(x)² ({WhereXml(_p.ObjectiveLine)}).</summary>");
        using (_w.Block("public void Residuals(global::System.ReadOnlySpan<double> x, global::System.Span<double> residuals)"))
        {
            RequireX();
            RequireLength("residuals", "ResidualCount", "it must have");
            var symbols = new Symbols(this);
            EmitKernel(symbols, blocks.Select(b => (KernelItem)new Store("residuals", b.Rows.Row, b.Residual, Accumulate: false)).ToList());
        }
        _w.Line();

        _w.Line("/// <summary>Writes the Jacobian of the residuals, row-major ResidualCount × VariableCount.</summary>");
        using (_w.Block("public void ResidualJacobian(global::System.ReadOnlySpan<double> x, global::System.Span<double> jacobian)"))
        {
            RequireX();
            RequireLength("jacobian", "(long)ResidualCount * VariableCount", "it must have");
            _w.Line("jacobian.Clear();");
            var symbols = new Symbols(this);
            EmitKernel(symbols, _d.Residuals!.SelectMany(b => JacobianStores(b, "jacobian")).ToList());
        }
        _w.Line();
        _w.Line($"void {Runtime}.ILeastSquaresProblem.Jacobian(global::System.ReadOnlySpan<double> x, global::System.Span<double> jacobian) => ResidualJacobian(x, jacobian);");
        _w.Line();
    }
}
