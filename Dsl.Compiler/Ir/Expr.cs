using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;

namespace OptDsl.Compiler.Ir;

public enum ExprKind
{
    Const,
    /// <summary>An integer expression (index variable, dim, index arithmetic) used as a real number.</summary>
    IndexValue,
    Param,
    Data,
    /// <summary>An element of a decision variable.</summary>
    Var,
    /// <summary>An element of the direction vector v of a Hessian-vector product (a constant for differentiation).</summary>
    Dir,
    /// <summary>An element of the Lagrange multiplier vector (a constant for differentiation).</summary>
    Mult,
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    Min,
    Max,
    Neg,
    Call,
    /// <summary><c>Args[0] (cmp) 0 ? Args[1] : Args[2]</c>.</summary>
    Select,
    Sum,
    Prod,
    /// <summary>Maximum over a range; its derivative is taken as zero (it only shifts logsumexp for stability).</summary>
    MaxReduce,
    /// <summary>
    /// Weight k (<see cref="Expr.Value"/>) of a pareto block's scalarization Σₖ weightₖ·sₖ·fₖ: a runtime input of the
    /// scalarized problem the Pareto sweep solves, a constant for differentiation.
    /// </summary>
    ScalarizationWeight,
    /// <summary>The ε-level k (<see cref="Expr.Value"/>) of a pareto block's row sₖ·fₖ ≤ levelₖ, like a weight.</summary>
    ScalarizationLevel,
}

public enum Comparison { Greater, GreaterOrEqual, Equal }

/// <summary>
/// A node of the expression IR: a hash-consed DAG (structurally equal nodes are the same object), so common
/// subexpressions are shared by construction. Build nodes only through the static factories, which also simplify.
/// </summary>
public sealed class Expr
{
    public ExprKind Kind { get; }
    public double Value { get; }
    public string? Symbol { get; }
    public Func Func { get; }
    public Comparison Comparison { get; }
    public IReadOnlyList<Expr> Args { get; }
    public IReadOnlyList<IntExpr> Indices { get; }
    /// <summary>The index bound by a reduction.</summary>
    public IndexVar? Bound { get; }

    /// <summary>Index variables this node's value depends on that no reduction inside it binds.</summary>
    public IReadOnlyList<IndexVar> Free { get; private set; } = Array.Empty<IndexVar>();

    public bool HasVar { get; private set; }
    public bool HasDir { get; private set; }
    public bool HasMult { get; private set; }

    /// <summary>The lowest level of a reduction inside this node (int.MaxValue when there is none).</summary>
    public int MinBoundLevel { get; private set; } = int.MaxValue;

    /// <summary>Creation order; children always have smaller ids than parents (a topological order).</summary>
    public int Id { get; private set; }

    private readonly int _hash;

    // A candidate for the interning table holds only what equality looks at; Complete() fills in the rest once it is new.
    private Expr(ExprKind kind, double value, string? symbol, Func func, Comparison comparison,
                 IReadOnlyList<Expr> args, IReadOnlyList<IntExpr> indices, IndexVar? bound, int hash)
    {
        Kind = kind; Value = value; Symbol = symbol; Func = func; Comparison = comparison;
        Args = args; Indices = indices; Bound = bound; _hash = hash;
    }

    private void Complete()
    {
        Id = Interlocked.Increment(ref s_nextId);
        bool hasVar = Kind == ExprKind.Var, hasDir = Kind == ExprKind.Dir, hasMult = Kind == ExprKind.Mult;
        List<IndexVar>? free = null;
        void AddFree(IndexVar v)
        {
            free ??= new List<IndexVar>();
            if (!free.Contains(v)) free.Add(v);
        }
        foreach (var a in Args)
        {
            hasVar |= a.HasVar;
            hasDir |= a.HasDir;
            hasMult |= a.HasMult;
            foreach (var v in a.Free) AddFree(v);
        }
        foreach (var ix in Indices) if (ix is not IntConst) foreach (var v in ix.FreeIndices()) AddFree(v);
        if (Bound is not null)
        {
            free?.Remove(Bound);
            foreach (var v in Bound.Lower.FreeIndices().Concat(Bound.Upper.FreeIndices())) AddFree(v);
        }
        if (free is { Count: > 0 })
        {
            free.Sort((a, b) => a.Level.CompareTo(b.Level));
            Free = free;
        }
        (HasVar, HasDir, HasMult) = (hasVar, hasDir, hasMult);
        int minBound = Bound?.Level ?? int.MaxValue;
        foreach (var a in Args) minBound = Math.Min(minBound, a.MinBoundLevel);
        MinBoundLevel = minBound;
    }

    private static int s_nextId;

    // Interning. The table is per thread so concurrent generator runs never share mutable state; node identity only
    // matters within one compilation, which runs on one thread.
    [ThreadStatic] private static Dictionary<Expr, Expr>? t_table;

    private static Expr Intern(ExprKind kind, double value = 0, string? symbol = null, Func func = default, Comparison cmp = default,
                               IReadOnlyList<Expr>? args = null, IReadOnlyList<IntExpr>? indices = null, IndexVar? bound = null)
    {
        CompilerCancellation.Check();
        args ??= Array.Empty<Expr>();
        indices ??= Array.Empty<IntExpr>();
        unchecked
        {
            int hash = (int)kind * 397 ^ value.GetHashCode() ^ (symbol?.GetHashCode() ?? 0) * 31 ^ (int)func * 7919 ^ (int)cmp * 104729;
            foreach (var a in args) hash = hash * 31 + a.Id;
            foreach (var i in indices) hash = hash * 31 + i.GetHashCode();
            if (bound is not null) hash = hash * 31 + bound.GetHashCode();
            var candidate = new Expr(kind, value, symbol, func, cmp, args, indices, bound, hash);
            var table = t_table ??= new Dictionary<Expr, Expr>(StructuralComparer.Instance);
            if (table.TryGetValue(candidate, out var existing)) return existing;
            candidate.Complete();
            table.Add(candidate, candidate);
            return candidate;
        }
    }

    /// <summary>Forgets interned nodes (call between files so memory does not grow across a long IDE session).</summary>
    public static void ResetInterning() => t_table = null;

    private sealed class StructuralComparer : IEqualityComparer<Expr>
    {
        public static readonly StructuralComparer Instance = new();

        public bool Equals(Expr? x, Expr? y)
        {
            if (ReferenceEquals(x, y)) return true;
            if (x is null || y is null) return false;
            if (x.Kind != y.Kind || x.Func != y.Func || x.Comparison != y.Comparison || x.Symbol != y.Symbol) return false;
            if (BitConverter.DoubleToInt64Bits(x.Value) != BitConverter.DoubleToInt64Bits(y.Value)) return false;
            if (!Equals(x.Bound, y.Bound)) return false;
            if (x.Args.Count != y.Args.Count || x.Indices.Count != y.Indices.Count) return false;
            for (int i = 0; i < x.Args.Count; i++) if (!ReferenceEquals(x.Args[i], y.Args[i])) return false;
            for (int i = 0; i < x.Indices.Count; i++) if (!x.Indices[i].Equals(y.Indices[i])) return false;
            return true;
        }

        public int GetHashCode(Expr obj) => obj._hash;
    }

    public override int GetHashCode() => _hash;

    // ---- Leaves -------------------------------------------------------------------------------------------

    public static Expr Const(double value) => Intern(ExprKind.Const, value);
    public static Expr Zero => Const(0);
    public static Expr One => Const(1);

    public static Expr IndexValue(IntExpr e) => e is IntConst c ? Const(c.Value) : Intern(ExprKind.IndexValue, indices: [e]);
    public static Expr Param(string name) => Intern(ExprKind.Param, symbol: name);
    public static Expr ScalarizationWeight(int k) => Intern(ExprKind.ScalarizationWeight, value: k);
    public static Expr ScalarizationLevel(int k) => Intern(ExprKind.ScalarizationLevel, value: k);
    public static Expr Data(string name, IReadOnlyList<IntExpr> indices) => Intern(ExprKind.Data, symbol: name, indices: indices);
    public static Expr Var(string name, IReadOnlyList<IntExpr> indices) => Intern(ExprKind.Var, symbol: name, indices: indices);
    public static Expr Dir(string name, IReadOnlyList<IntExpr> indices) => Intern(ExprKind.Dir, symbol: name, indices: indices);
    public static Expr Mult(string family, IReadOnlyList<IntExpr> indices) => Intern(ExprKind.Mult, symbol: family, indices: indices);

    public bool IsConst => Kind == ExprKind.Const;
    public bool IsConstValue(double v) => Kind == ExprKind.Const && Value == v;

    // ---- Arithmetic with simplification -------------------------------------------------------------------

    public static Expr Add(Expr a, Expr b)
    {
        if (a.IsConst && b.IsConst) return Const(a.Value + b.Value);
        if (a.IsConstValue(0)) return b;
        if (b.IsConstValue(0)) return a;
        if (b.Kind == ExprKind.Neg) return Sub(a, b.Args[0]);
        if (a.Kind == ExprKind.Neg) return Sub(b, a.Args[0]);
        if (b.IsConst && b.Value < 0) return Sub(a, Const(-b.Value));
        if (b.Kind == ExprKind.Mul && b.Args[0].IsConst && b.Args[0].Value < 0) return Sub(a, Mul(Const(-b.Args[0].Value), b.Args[1]));
        if (a.Kind == ExprKind.Mul && a.Args[0].IsConst && a.Args[0].Value < 0 && !(b.Kind == ExprKind.Mul && b.Args[0].IsConst && b.Args[0].Value < 0))
            return Sub(b, Mul(Const(-a.Args[0].Value), a.Args[1]));
        if (a == b) return Mul(Const(2), a);
        // Like terms: c·e + e = (c + 1)·e, e + c·e and c·e + d·e alike (a chain of 20,001 equal terms is one product).
        if (LikeTerm(a, out double ca, out Expr ea) && LikeTerm(b, out double cb, out Expr eb) && ea == eb && !ea.IsConst)
            return Mul(Const(ca + cb), ea);
        if (a.IsConst) (a, b) = (b, a);
        return Intern(ExprKind.Add, args: [a, b]);
    }

    /// <summary><paramref name="e"/> as <c>coefficient · term</c>: <c>c·t</c> for a constant c, else <c>1·e</c>.</summary>
    private static bool LikeTerm(Expr e, out double coefficient, out Expr term)
    {
        (coefficient, term) = e.Kind == ExprKind.Mul && e.Args[0].IsConst ? (e.Args[0].Value, e.Args[1]) : (1.0, e);
        return !double.IsNaN(coefficient) && !double.IsInfinity(coefficient);
    }

    public static Expr Sub(Expr a, Expr b)
    {
        if (a.IsConst && b.IsConst) return Const(a.Value - b.Value);
        // 1 − σ(z) = σ(−z), without the cancellation that leaves 1 − σ(30) with two correct digits.
        if (a.IsConstValue(1) && b is { Kind: ExprKind.Call, Func: Func.Sigmoid }) return Call(Func.Sigmoid, Neg(b.Args[0]));
        if (b.IsConstValue(0)) return a;
        if (a.IsConstValue(0)) return Neg(b);
        if (a == b) return Const(0);
        if (b.Kind == ExprKind.Neg) return Add(a, b.Args[0]);
        if (b.IsConst && b.Value < 0) return Add(a, Const(-b.Value));
        if (b.Kind == ExprKind.Mul && b.Args[0].IsConst && b.Args[0].Value < 0) return Add(a, Mul(Const(-b.Args[0].Value), b.Args[1]));
        return Intern(ExprKind.Sub, args: [a, b]);
    }

    public static Expr Neg(Expr a)
    {
        if (a.IsConst) return Const(-a.Value);
        if (a.Kind == ExprKind.Neg) return a.Args[0];
        if (a.Kind == ExprKind.Sub) return Sub(a.Args[1], a.Args[0]);
        if (a.Kind == ExprKind.Mul && a.Args[0].IsConst) return Mul(Const(-a.Args[0].Value), a.Args[1]);
        return Intern(ExprKind.Neg, args: [a]);
    }

    public static Expr Mul(Expr a, Expr b)
    {
        if (a.IsConst && b.IsConst) return Const(a.Value * b.Value);
        if (b.IsConst) (a, b) = (b, a);
        // 0·e = 0 for an expression e (taken finite, as every simplifier does); 0·inf and 0·NaN constants folded above.
        if (a.IsConstValue(0)) return a;
        if (a.IsConstValue(1)) return b;
        if (a.IsConstValue(-1)) return Neg(b);
        if (a.Kind == ExprKind.Neg && b.Kind == ExprKind.Neg) return Mul(a.Args[0], b.Args[0]);
        if (a.Kind == ExprKind.Neg) return Neg(Mul(a.Args[0], b));
        if (b.Kind == ExprKind.Neg) return Neg(Mul(a, b.Args[0]));
        if (a.IsConst && b.Kind == ExprKind.Mul && b.Args[0].IsConst) return Mul(Const(a.Value * b.Args[0].Value), b.Args[1]);
        if (!a.IsConst && b.Kind == ExprKind.Mul && b.Args[0].IsConst) return Mul(b.Args[0], Mul(a, b.Args[1]));
        if (a.Kind == ExprKind.Mul && a.Args[0].IsConst && !b.IsConst) return Mul(a.Args[0], Mul(a.Args[1], b));
        if (a == b) return Pow(a, Const(2));
        return Intern(ExprKind.Mul, args: [a, b]);
    }

    public static Expr Div(Expr a, Expr b)
    {
        // Constants fold as IEEE arithmetic does: 0/0 is NaN and 1/0 is infinity, never 0 (the binder reports NaN).
        if (a.IsConst && b.IsConst) return Const(a.Value / b.Value);
        if (b.IsConstValue(1)) return a;
        if (b.IsConstValue(-1)) return Neg(a);
        if (a.IsConstValue(0)) return a;
        if (a == b) return One;
        if (a.Kind == ExprKind.Neg) return Neg(Div(a.Args[0], b));
        if (b.Kind == ExprKind.Neg) return Neg(Div(a, b.Args[0]));
        return Intern(ExprKind.Div, args: [a, b]);
    }

    public static Expr Pow(Expr a, Expr b)
    {
        if (a.IsConst && b.IsConst) return Const(Math.Pow(a.Value, b.Value));
        if (b.IsConstValue(1)) return a;
        if (b.IsConstValue(0)) return One;
        if (a.Kind == ExprKind.Pow && a.Args[1].IsConst && b.IsConst && IsInteger(a.Args[1].Value) && IsInteger(b.Value))
            return Pow(a.Args[0], Const(a.Args[1].Value * b.Value));
        return Intern(ExprKind.Pow, args: [a, b]);
    }

    public static Expr Min(Expr a, Expr b) =>
        a.IsConst && b.IsConst ? Const(Math.Min(a.Value, b.Value)) : a == b ? a : Intern(ExprKind.Min, args: [a, b]);

    public static Expr Max(Expr a, Expr b) =>
        a.IsConst && b.IsConst ? Const(Math.Max(a.Value, b.Value)) : a == b ? a : Intern(ExprKind.Max, args: [a, b]);

    public static Expr Call(Func f, Expr a)
    {
        if (a.IsConst) return Const(Evaluate(f, a.Value));
        // log σ(z) = −softplus(−z): finite for every z (log of a saturated σ is 0 or −∞ in floating point).
        if (f == Func.Log && a is { Kind: ExprKind.Call, Func: Func.Sigmoid }) return Neg(Call(Func.Softplus, Neg(a.Args[0])));
        return Intern(ExprKind.Call, func: f, args: [a]);
    }

    /// <summary><c>condition (cmp) 0 ? whenTrue : whenFalse</c>.</summary>
    public static Expr Select(Expr condition, Comparison cmp, Expr whenTrue, Expr whenFalse)
    {
        if (condition.IsConst) return Compare(condition.Value, cmp) ? whenTrue : whenFalse;
        if (whenTrue == whenFalse) return whenTrue;
        return Intern(ExprKind.Select, cmp: cmp, args: [condition, whenTrue, whenFalse]);
    }

    public static Expr Sum(IndexVar i, Expr body)
    {
        if (body.IsConstValue(0)) return body;
        body = Nested(i, body);
        if (!body.Free.Contains(i))
            return Mul(Count(i), body);
        // Factor loop-invariant multipliers out of the loop, anywhere in a product chain: Σ a·f(i)·b·g(i) = a·b·Σ f(i)·g(i).
        if (body.Kind == ExprKind.Mul)
        {
            var factors = new List<Expr>();
            Factors(body, factors);
            var invariant = factors.Where(f => !f.Free.Contains(i)).ToList();
            if (invariant.Count > 0)
            {
                var varying = factors.Where(f => f.Free.Contains(i)).Aggregate((Expr?)null, (acc, f) => acc is null ? f : Mul(acc, f)) ?? One;
                var outside = invariant.Aggregate((acc, f) => Mul(acc, f));
                return Mul(outside, Sum(i, varying));
            }
        }
        if (body.Kind == ExprKind.Neg) return Neg(Sum(i, body.Args[0]));
        return Intern(ExprKind.Sum, args: [body], bound: i);
    }

    private static void Factors(Expr e, List<Expr> into)
    {
        if (e.Kind == ExprKind.Mul)
        {
            Factors(e.Args[0], into);
            Factors(e.Args[1], into);
        }
        else
        {
            into.Add(e);
        }
    }

    public static Expr Prod(IndexVar i, Expr body)
    {
        if (body.IsConstValue(1)) return body;
        body = Nested(i, body);
        if (!body.Free.Contains(i)) return Pow(body, Count(i));
        return Intern(ExprKind.Prod, args: [body], bound: i);
    }

    public static Expr MaxReduce(IndexVar i, Expr body)
    {
        body = Nested(i, body);
        return !body.Free.Contains(i) ? body : Intern(ExprKind.MaxReduce, args: [body], bound: i);
    }

    /// <summary>
    /// The invariant every pass relies on: a reduction inside the body of a reduction over <paramref name="i"/> binds at a
    /// higher level, so it never binds an index equal to <paramref name="i"/>. A body assembled from parts lowered
    /// elsewhere (logsumexp's own loop over the classes inside cce_logits' sum over the same classes) is rebased.
    /// </summary>
    private static Expr Nested(IndexVar i, Expr body) => body.MinBoundLevel <= i.Level ? body.Rebase(i.Level + 1) : body;

    /// <summary>The number of iterations of <paramref name="i"/>'s range, as a real.</summary>
    public static Expr Count(IndexVar i) => IndexValue(IntExpr.Count(i.Lower, i.Upper));

    public static bool IsInteger(double v) => Math.Abs(v) < 1e15 && v == Math.Floor(v);

    public static bool Compare(double value, Comparison cmp) => cmp switch
    {
        Comparison.Greater => value > 0,
        Comparison.GreaterOrEqual => value >= 0,
        _ => value == 0,
    };

    /// <summary>The value of an elementary function (<see cref="ElementaryFunctions"/>), for constant folding.</summary>
    public static double Evaluate(Func f, double x) => ElementaryFunctions.Of(f).Evaluate(x);

    /// <summary>Replaces index variables throughout (moves a let body to its use site).</summary>
    public Expr Substitute(IReadOnlyDictionary<IndexVar, IntExpr> map) => Substitute(map, new Dictionary<Expr, Expr>());

    // Memoized per call: a DAG that shares subexpressions is rewritten in time linear in its nodes, not its paths.
    private Expr Substitute(IReadOnlyDictionary<IndexVar, IntExpr> map, Dictionary<Expr, Expr> memo)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (map.Count == 0 || !Free.Any(map.ContainsKey)) return this;
        if (memo.TryGetValue(this, out var done)) return done;
        var result = SubstituteOnce(map, memo);
        memo[this] = result;
        return result;
    }

    private Expr SubstituteOnce(IReadOnlyDictionary<IndexVar, IntExpr> map, Dictionary<Expr, Expr> memo)
    {
        if (Bound is not null && Bound.Lower.FreeIndices().Concat(Bound.Upper.FreeIndices()).Any(map.ContainsKey))
        {
            // The range of this reduction moves too: rebind the body to the moved index.
            var moved = Bound with { Lower = Bound.Lower.Substitute(map), Upper = Bound.Upper.Substitute(map) };
            var inner = new Dictionary<IndexVar, IntExpr>();
            foreach (var pair in map) inner[pair.Key] = pair.Value;
            inner[Bound] = new IntIndex(moved);
            var body = Args[0].Substitute(inner, new Dictionary<Expr, Expr>());
            return Kind switch
            {
                ExprKind.Sum => Sum(moved, body),
                ExprKind.Prod => Prod(moved, body),
                _ => MaxReduce(moved, body),
            };
        }
        var indices = Indices.Select(i => i.Substitute(map)).ToArray();
        var args = Args.Select(a => a.Substitute(map, memo)).ToArray();
        return Rebuild(args, indices);
    }

    /// <summary>
    /// This expression, whose one free index is <paramref name="index"/>, as a function of that index alone: the index
    /// renamed <c>$</c> at level 0, every reduction inside moved to levels from 1 (keeping their nesting). Two
    /// expressions written under different loops (the same let used in two places) give the same node exactly when they
    /// are the same function of their index.
    /// </summary>
    public Expr Canonical(IndexVar index)
    {
        var e = Substitute(new Dictionary<IndexVar, IntExpr> { [index] = new IntIndex(new IndexVar("$", index.Lower, index.Upper, 0)) });
        if (e.MinBoundLevel == int.MaxValue || e.MinBoundLevel == 1) return e;
        return Rebased(e, 1 - e.MinBoundLevel, new Dictionary<IndexVar, IndexVar>(), new Dictionary<Expr, Expr>());
    }

    /// <summary>
    /// This expression placed where <paramref name="depth"/> loops are open (levels 0..depth−1): every reduction inside
    /// it moves to levels ≥ depth, keeping their nesting. A scalar lowered outside a loop (dot(b, b) in
    /// <c>mse(dot(b, b) - b, y)</c>) binds its index at the level of the loop it is then placed in; with equal index
    /// variables, an index of the inner reduction would be taken for the outer loop's (a capture that made a residual
    /// Jacobian wrong). Free indices, which belong to the open loops, are untouched.
    /// </summary>
    public Expr Rebase(int depth)
    {
        if (MinBoundLevel >= depth) return this;
        int shift = depth - MinBoundLevel;
        return Rebased(this, shift, new Dictionary<IndexVar, IndexVar>(), new Dictionary<Expr, Expr>());
    }

    private static Expr Rebased(Expr e, int shift, Dictionary<IndexVar, IndexVar> renamed, Dictionary<Expr, Expr> memo)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        if (e.MinBoundLevel == int.MaxValue && !e.Free.Any(renamed.ContainsKey)) return e;
        if (memo.TryGetValue(e, out var done)) return done;
        var map = renamed.ToDictionary(p => p.Key, p => (IntExpr)new IntIndex(p.Value));
        IntExpr Index(IntExpr i) => map.Count == 0 ? i : i.Substitute(map);
        Expr result;
        if (e.Bound is { } b)
        {
            // A new binder: its body sees the moved index (and its own memo, since the same body node means another thing).
            var moved = new IndexVar(b.Name, Index(b.Lower), Index(b.Upper), b.Level + shift);
            var inner = new Dictionary<IndexVar, IndexVar>(renamed) { [b] = moved };
            var body = Rebased(e.Args[0], shift, inner, new Dictionary<Expr, Expr>());
            result = e.Kind switch
            {
                ExprKind.Sum => Sum(moved, body),
                ExprKind.Prod => Prod(moved, body),
                _ => MaxReduce(moved, body),
            };
        }
        else
        {
            var args = e.Args.Select(a => Rebased(a, shift, renamed, memo)).ToArray();
            result = e.Rebuild(args, e.Indices.Select(Index).ToArray());
        }
        memo[e] = result;
        return result;
    }

    /// <summary>The same node kind over new children, through the simplifying factories.</summary>
    public Expr Rebuild(IReadOnlyList<Expr> args, IReadOnlyList<IntExpr>? indices = null)
    {
        indices ??= Indices;
        return Kind switch
        {
            ExprKind.Const => this,
            ExprKind.IndexValue => IndexValue(indices[0]),
            ExprKind.Param or ExprKind.ScalarizationWeight or ExprKind.ScalarizationLevel => this,
            ExprKind.Data => Data(Symbol!, indices),
            ExprKind.Var => Var(Symbol!, indices),
            ExprKind.Dir => Dir(Symbol!, indices),
            ExprKind.Mult => Mult(Symbol!, indices),
            ExprKind.Add => Add(args[0], args[1]),
            ExprKind.Sub => Sub(args[0], args[1]),
            ExprKind.Mul => Mul(args[0], args[1]),
            ExprKind.Div => Div(args[0], args[1]),
            ExprKind.Pow => Pow(args[0], args[1]),
            ExprKind.Min => Min(args[0], args[1]),
            ExprKind.Max => Max(args[0], args[1]),
            ExprKind.Neg => Neg(args[0]),
            ExprKind.Call => Call(Func, args[0]),
            ExprKind.Select => Select(args[0], Comparison, args[1], args[2]),
            ExprKind.Sum => Sum(Bound!, args[0]),
            ExprKind.Prod => Prod(Bound!, args[0]),
            ExprKind.MaxReduce => MaxReduce(Bound!, args[0]),
            _ => throw new InvalidOperationException(Kind.ToString()),
        };
    }

    /// <summary>A compact, deterministic, human-readable form used in IR dumps and generated comments.</summary>
    public override string ToString() => ExprPrinter.Print(this);

    public static string Format(double v)
    {
        if (double.IsPositiveInfinity(v)) return "inf";
        if (double.IsNegativeInfinity(v)) return "-inf";
        if (double.IsNaN(v)) return "nan";
        return v.ToString("R", CultureInfo.InvariantCulture);
    }
}
