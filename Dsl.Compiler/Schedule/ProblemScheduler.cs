using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OptDsl.Compiler.Derivatives;
using OptDsl.Compiler.Emit;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Semantics;

namespace OptDsl.Compiler.Schedule;

/// <summary>The plans of every kernel method of one problem's class (null where the class has no such method).</summary>
public sealed class ProblemPlan
{
    public required KernelPlan Objective { get; init; }
    public required KernelPlan Gradient { get; init; }
    public required KernelPlan HessianVectorProduct { get; init; }
    public KernelPlan? Constraints { get; init; }
    public KernelPlan? ConstraintBounds { get; init; }
    public KernelPlan? ConstraintJacobian { get; init; }
    public KernelPlan? Lagrangian { get; init; }
    public KernelPlan? LagrangianGradient { get; init; }
    public KernelPlan? LagrangianHessianVectorProduct { get; init; }
    public KernelPlan? Residuals { get; init; }
    public KernelPlan? ResidualJacobian { get; init; }
    /// <summary>The objectives of a pareto block, each as written.</summary>
    public KernelPlan? ObjectiveValues { get; init; }
}

/// <summary>
/// How the kernels of a class read and write: the name of the point vector, the data symbols that are locals of the
/// kernel method (a model's sample: its input row as a span, its target as a double or a span), and whether gradient-like
/// outputs accumulate into what the caller passes (a model's batch sums per-sample gradients) instead of being overwritten.
/// </summary>
internal sealed record KernelConventions(string Point, IReadOnlyDictionary<string, string> SampleLocals, bool Accumulate)
{
    public static readonly KernelConventions Problem = new("x", new Dictionary<string, string>(), false);
}

/// <summary>
/// The scheduling stage: a <see cref="DerivedProblem"/> in, a <see cref="ProblemPlan"/> out. It decides what each kernel
/// method stores (gradient scatters, Jacobian rows, constraint values), which parts of an output need zeroing first,
/// the locals that read the problem's symbols, and lets <see cref="KernelScheduler"/> place the computation.
/// </summary>
internal sealed class ProblemScheduler
{
    /// <summary>A pseudo-dim standing for the variable count (row stride of dense Jacobians).</summary>
    private const string VariableCountDim = "$VariableCount";

    private readonly DerivedProblem _d;
    private readonly BoundProblem _p;
    private readonly ProblemNames _names;
    private readonly bool _singleVar;
    private readonly KernelConventions _conventions;

    internal ProblemScheduler(DerivedProblem problem, ProblemNames names, KernelConventions? conventions = null)
    {
        _d = problem;
        _p = problem.Problem;
        _names = names;
        _singleVar = _p.Vars.Count == 1;
        _conventions = conventions ?? KernelConventions.Problem;
    }

    public static ProblemPlan Schedule(DerivedProblem problem, ProblemNames names) => new ProblemScheduler(problem, names).Schedule();

    /// <summary><c>double f = objective;</c></summary>
    internal KernelPlan ObjectiveKernel() => Kernel(new Symbols(this), [new DeclareScalar("f", _d.Objective.Value)]);

    /// <summary><c>double f = objective;</c> and the gradient into <c>gradient</c>.</summary>
    internal KernelPlan ObjectiveGradientKernel() => GradientKernel(_d.Objective);

    /// <summary>∇²f·v into <c>hv</c>.</summary>
    internal KernelPlan ObjectiveHessianVectorProductKernel() => HessianVectorProductKernel(_d.Objective);

    /// <summary>Any items, with this class's symbols.</summary>
    internal KernelPlan ItemsKernel(IReadOnlyList<KernelItem> items) => Kernel(new Symbols(this), items);

    private ProblemPlan Schedule()
    {
        var constrained = _p.Constraints.Count > 0;
        return new ProblemPlan
        {
            Objective = Kernel(new Symbols(this), [new DeclareScalar("f", _d.Objective.Value)]),
            Gradient = GradientKernel(_d.Objective),
            HessianVectorProduct = HessianVectorProductKernel(_d.Objective),
            Constraints = constrained ? ConstraintsKernel() : null,
            ConstraintBounds = constrained ? ConstraintBoundsKernel() : null,
            ConstraintJacobian = constrained ? Kernel(new Symbols(this), _d.Constraints.SelectMany(c => JacobianStores(c, "jacobian")).ToList()) : null,
            Lagrangian = constrained ? Kernel(new Symbols(this), [new DeclareScalar("f", _d.Lagrangian!.Value)]) : null,
            LagrangianGradient = constrained ? GradientKernel(_d.Lagrangian!) : null,
            LagrangianHessianVectorProduct = constrained ? HessianVectorProductKernel(_d.Lagrangian!) : null,
            Residuals = _p.Residuals is { } blocks
                ? Kernel(new Symbols(this), blocks.Select(b => (KernelItem)new Store("residuals", b.Rows.Row, b.Residual, Accumulate: false)).ToList())
                : null,
            ResidualJacobian = _d.Residuals is { } rows ? Kernel(new Symbols(this), rows.SelectMany(b => JacobianStores(b, "jacobian")).ToList()) : null,
            ObjectiveValues = _p.Pareto is { } objectives
                ? Kernel(new Symbols(this), objectives.Select((o, i) => (KernelItem)new Store("values", new IntConst(i), o.Value, Accumulate: false, Comment: new LabelComment(o.Name))).ToList())
                : null,
        };
    }

    /// <summary>Schedules <paramref name="items"/> with the locals of <paramref name="symbols"/>.</summary>
    private KernelPlan Kernel(Symbols symbols, IReadOnlyList<KernelItem> items, IReadOnlyList<VectorClear>? clears = null)
    {
        var body = new KernelScheduler(symbols, _names.ReservedLocals.ToList(), _p.ValueNames).Schedule(items);
        return symbols.Plan(clears ?? [], body);
    }

    private KernelPlan GradientKernel(DerivedFunction function)
    {
        var symbols = new Symbols(this);
        var (stores, clears) = GradientStores(symbols, function.Gradient, "gradient", "g_");
        var items = new List<KernelItem> { new DeclareScalar("f", function.Value) };
        items.AddRange(stores);
        return Kernel(symbols, items, clears);
    }

    private KernelPlan HessianVectorProductKernel(DerivedFunction function)
    {
        var symbols = new Symbols(this);
        var (stores, clears) = GradientStores(symbols, function.HessianVectorProduct, "hv", "hv_");
        return Kernel(symbols, stores, clears);
    }

    private KernelPlan ConstraintsKernel()
    {
        var items = new List<KernelItem>();
        foreach (var c in _p.Constraints)
            items.Add(new Store("values", c.Rows.Row, c.Body, Accumulate: false, Comment: new SourceComment(c.SourceText, c.Line)));
        return Kernel(new Symbols(this), items);
    }

    private KernelPlan ConstraintBoundsKernel()
    {
        var items = new List<KernelItem>();
        foreach (var c in _p.Constraints)
        {
            // A bound that does not vary over the family still runs once per row: the row index carries the loops.
            items.Add(new Store("lower", c.Rows.Row, c.Lower, Accumulate: false, Comment: new LabelComment(c.Label)));
            items.Add(new Store("upper", c.Rows.Row, c.Upper, Accumulate: false));
        }
        return Kernel(new Symbols(this), items);
    }

    /// <summary>Maps IR symbols to the locals of one generated method, declaring each on first use.</summary>
    private sealed class Symbols(ProblemScheduler owner) : IKernelSymbols
    {
        /// <summary>Declarations with their group (0 dims, 1 data, 2 params, 3 slices), in order of first use.</summary>
        private readonly List<(int Group, object Declaration)> _declarations = new();
        private readonly HashSet<string> _declared = new();

        public void Declare(int group, string name, object declaration)
        {
            if (_declared.Add(name)) _declarations.Add((group, declaration));
        }

        public KernelPlan Plan(IReadOnlyList<VectorClear> clears, IReadOnlyList<Statement> body)
        {
            var ordered = _declarations.Select((d, k) => (d.Group, d.Declaration, k)).OrderBy(d => d.Group).ThenBy(d => d.k).ToList();
            return new KernelPlan(ordered.Select(d => d.Declaration).OfType<SymbolLocal>().ToList(), clears,
                ordered.Select(d => d.Declaration).OfType<SliceLocal>().ToList(), body);
        }

        public string Array(ExprKind kind, string symbol)
        {
            switch (kind)
            {
                case ExprKind.Var:
                    return owner.Slice(this, owner._conventions.Point, "", symbol, readOnly: true);
                case ExprKind.Data when owner._conventions.SampleLocals.TryGetValue(symbol, out var sample):
                    return sample;
                case ExprKind.Dir:
                    return owner.Slice(this, "v", "v_", symbol, readOnly: true);
                case ExprKind.Mult:
                    return "multipliers";
                default:
                    string local = owner._names.Local(symbol);
                    Declare(1, local, new SymbolLocal(SymbolLocalKind.DataArray, local, owner._names.Field(symbol)));
                    return local;
            }
        }

        public string? Scalar(ExprKind kind, string symbol)
        {
            if (kind != ExprKind.Data || owner._p.Data.First(d => d.Name == symbol).Shape.Count != 0) return null;
            if (owner._conventions.SampleLocals.TryGetValue(symbol, out var sample)) return sample;
            string local = owner._names.Local(symbol);
            Declare(1, local, new SymbolLocal(SymbolLocalKind.DataScalar, local, owner._names.Field(symbol)));
            return local;
        }

        public IntExpr Flatten(ExprKind kind, string symbol, IReadOnlyList<IntExpr> indices) => kind switch
        {
            ExprKind.Var or ExprKind.Dir => owner._p.Vars.First(v => v.Name == symbol).Elements.Flatten(indices),
            ExprKind.Mult => owner._p.Constraints.First(c => c.Label == symbol).Rows.Flatten(indices),
            _ => owner._p.Data.First(d => d.Name == symbol).Elements.Flatten(indices),
        };

        public IntExpr? VectorLength(ExprKind kind, string symbol) => kind switch
        {
            ExprKind.Var or ExprKind.Dir => owner._p.Vars.First(v => v.Name == symbol) is { Shape.Count: 1 } v ? v.Shape[0] : null,
            ExprKind.Data => owner._p.Data.First(d => d.Name == symbol) is { Shape.Count: 1 } d ? d.Shape[0] : null,
            _ => null,
        };

        // A pareto block's weights and ε-levels: fields of the instance the sweep solves (a copy of the user's, see EmitPareto).
        public string Scalarization(ExprKind kind, int k) =>
            (kind == ExprKind.ScalarizationWeight ? "_paretoWeights[" : "_paretoUpper[") + k.ToString(CultureInfo.InvariantCulture) + "]";

        public string Param(string symbol)
        {
            string local = owner._names.Local(symbol);
            Declare(2, local, new SymbolLocal(SymbolLocalKind.Param, local, owner._names.Property(symbol)));
            return local;
        }

        public bool IsDataArray(string symbol) => !owner._conventions.SampleLocals.ContainsKey(symbol);

        public string Dim(string name)
        {
            if (name == VariableCountDim) return "VariableCount";
            string local = owner._names.Local(name);
            Declare(0, local, new SymbolLocal(SymbolLocalKind.Dim, local, owner._names.Field(name)));
            return local;
        }

        /// <summary>An integer of the method's own scope (no loop index): dims read through their locals.</summary>
        public CInt Int(IntExpr e) => e switch
        {
            IntConst c => new CIntLiteral(c.Value),
            IntDim d => new CIntName(Dim(d.Name)),
            IntBinary b => Binary(b),
            IntClamp c => new CIntClamp(Int(c.Inner)),
            _ => throw new InvalidOperationException(),
        };

        private CInt Binary(IntBinary b)
        {
            var left = Int(b.Left);
            return new CIntBinary(b.Op, left, Int(b.Right));
        }
    }

    /// <summary>The local view of one variable inside a flat vector (the vector itself when there is one variable).</summary>
    private string Slice(Symbols symbols, string vector, string prefix, string variable, bool readOnly)
    {
        if (_singleVar) return vector;
        var v = _p.Vars.First(x => x.Name == variable);
        string name = prefix.Length == 0 ? _names.Local(variable) : _names.Slice(prefix, variable);
        var offset = symbols.Int(v.Offset);
        symbols.Declare(3, name, new SliceLocal(name, vector, readOnly, offset, symbols.Int(v.Size)));
        return name;
    }

    /// <summary>
    /// The stores of a gradient-like vector, and the clears of the parts of it that need zeroing first.
    /// A variable whose terms write each of its elements exactly once (x[i] over its whole range; x[2i] and x[2i + 1]
    /// over half of it) is assigned directly: no clearing pass, no read-modify-write.
    /// </summary>
    private (List<KernelItem> Stores, List<VectorClear> Clears) GradientStores(Symbols symbols, IReadOnlyList<GradientTerm> terms, string vector, string prefix)
    {
        var stores = new List<KernelItem>();
        var clears = new List<VectorClear>();
        foreach (var v in _p.Vars)
        {
            var mine = terms.Where(t => t.Variable == v.Name).ToList();
            bool direct = !_conventions.Accumulate && CoversEachElementOnce(v, mine);
            if (!direct && !_conventions.Accumulate)
            {
                if (_singleVar)
                {
                    clears.Add(new VectorClear(vector));
                }
                else
                {
                    var offset = symbols.Int(v.Offset);
                    clears.Add(new VectorClear(vector, offset, symbols.Int(v.Size)));
                }
            }
            var gathered = mine.Select(term =>
            {
                var (value, loops) = direct ? (term.Value, term.Loops) : Gathered(term);
                return (term, value, loops);
            }).ToList();
            if (_conventions.Accumulate) gathered = Merged(gathered);
            foreach (var (term, value, loops) in gathered)
            {
                string target = Slice(symbols, vector, prefix, v.Name, readOnly: false);
                stores.Add(new Store(target, v.Elements.Flatten(term.Indices), value, Accumulate: !direct, Element: (v.Name, term.Indices),
                    ArrayLength: v.Shape.Count == 1 ? v.Shape[0] : null, Context: loops));
            }
        }
        if (clears.Count == _p.Vars.Count && clears.Count > 0) clears = [new VectorClear(vector)];
        return (stores, clears);
    }

    /// <summary>
    /// Terms that add into the same elements over the same loops (a hidden layer's ∂/∂W1[j, i] from the target's part
    /// of a cross-entropy and from its softmax part) become one store, their common factors taken out of the sum:
    /// <c>g[j, i] += x[i]·(1 − h[j]²)·(a[j] + b[j])</c> is one pass over W1's gradient instead of two. Used for models,
    /// whose per-sample kernels run once per row (problem kernels keep one store per term).
    /// </summary>
    private static List<(GradientTerm Term, Expr Value, IReadOnlyList<IndexVar> Loops)> Merged(List<(GradientTerm Term, Expr Value, IReadOnlyList<IndexVar> Loops)> terms)
    {
        var result = new List<(GradientTerm, Expr, IReadOnlyList<IndexVar>)>();
        foreach (var group in terms.GroupBy(t => (Key(t.Term.Indices), Key(t.Loops))))
        {
            var members = group.ToList();
            if (members.Count == 1 || !members.All(m => m.Term.Indices.SequenceEqual(members[0].Term.Indices) && m.Loops.SequenceEqual(members[0].Loops)))
            {
                result.AddRange(members);
                continue;
            }
            var factorLists = members.Select(m => SignedFactors(m.Value)).ToList();
            var common = factorLists[0].Factors.Where(f => factorLists.All(l => l.Factors.Contains(f))).Distinct().ToList();
            Expr sum = Expr.Zero;
            foreach (var (negative, factors) in factorLists)
            {
                var rest = new List<Expr>(factors);
                foreach (var c in common) rest.Remove(c);
                Expr product = rest.Aggregate(Expr.Const(1), (acc, f) => Expr.Mul(acc, f));
                sum = negative ? Expr.Sub(sum, product) : Expr.Add(sum, product);
            }
            var merged = common.Aggregate(sum, (acc, f) => Expr.Mul(f, acc));
            result.Add((members[0].Term, merged, members[0].Loops));
        }
        return result;

        static string Key<T>(IEnumerable<T> items) => string.Join(";", items.Select(i => i!.ToString()));
    }

    /// <summary>A product as its factors, with the sign of a leading negation.</summary>
    private static (bool Negative, List<Expr> Factors) SignedFactors(Expr e)
    {
        bool negative = false;
        while (e.Kind == ExprKind.Neg)
        {
            negative = !negative;
            e = e.Args[0];
        }
        var factors = new List<Expr>();
        var pending = new Stack<Expr>();
        pending.Push(e);
        while (pending.Count > 0)
        {
            var x = pending.Pop();
            if (x.Kind == ExprKind.Mul) { pending.Push(x.Args[1]); pending.Push(x.Args[0]); }
            else factors.Add(x);
        }
        return (negative, factors);
    }

    /// <summary>
    /// A term that scatters over a loop its element does not name (∂/∂W1[j, i] of a hidden layer runs over every class k:
    /// <c>for k, j, i: g[j, i] += y[k]·W2[k, j]·(1 − h[j]²)·x[i]</c>), rewritten as one sum over that loop when the sum's
    /// loop-invariant factors leave it needing fewer loops than the store: <c>for j: δ = Σ_k y[k]·W2[k, j]; for i:
    /// g[j, i] += δ·(1 − h[j]²)·x[i]</c>, which is backpropagation's order (k·j + j·i work instead of k·j·i). A term whose
    /// every factor runs over the loop (<c>g[j] += r[i]·A[i, j]</c>) keeps its scatter, which reads A row by row.
    /// </summary>
    private static (Expr Value, IReadOnlyList<IndexVar> Loops) Gathered(GradientTerm term)
    {
        var named = new HashSet<IndexVar>(term.Indices.SelectMany(i => i.FreeIndices()));
        var scatter = term.Loops.Where(l => !named.Contains(l)).ToList();
        if (scatter.Count == 0 || named.Count == 0) return (term.Value, term.Loops);
        // Another loop's range that depends on a scatter loop keeps the loops in their order.
        if (term.Loops.Any(l => l.Lower.FreeIndices().Concat(l.Upper.FreeIndices()).Any(scatter.Contains))) return (term.Value, term.Loops);
        var value = term.Value;
        for (int k = scatter.Count - 1; k >= 0; k--) value = Expr.Sum(scatter[k], value);
        // Worth it only when a sum over the scatter loops lost a loop the store runs in (its invariant factors moved out).
        var core = value.Kind == ExprKind.Neg ? value.Args[0] : value;
        var factors = new List<Expr>();
        void Factors(Expr e)
        {
            if (e.Kind == ExprKind.Mul) { Factors(e.Args[0]); Factors(e.Args[1]); }
            else factors.Add(e);
        }
        Factors(core);
        bool gains = factors.Any(f => f.Kind == ExprKind.Sum && scatter.Contains(f.Bound!) && f.Free.Count < named.Count && f.Free.All(named.Contains));
        return gains ? (value, term.Loops.Where(named.Contains).ToList()) : (term.Value, term.Loops);
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
            yield return new Store(matrix, IntExpr.Add(IntExpr.Mul(row, new IntDim(VariableCountDim)), column), term.Value, Accumulate: true,
                Element: (v.Name, term.Indices), Context: term.Loops, Row: (rows.Label, rows.LabelIndices));
        }
    }
}
