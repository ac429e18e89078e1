using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace OptDsl.Tests.Fuzz;

// The fuzzer's own model of a .opt program: every node renders itself as .opt text AND evaluates itself, so the harness
// has a reference value for the objective and the constraints that does not go through the compiler. Nodes are mutable
// only through their Kids arrays (the shrinker swaps a kid for a grandchild or a constant).

/// <summary>Concrete values of one instance of a program: dims, params, data, the variable layout and the point x.</summary>
public sealed class Env
{
    public readonly Dictionary<string, long> Dims = new(StringComparer.Ordinal);
    public readonly Dictionary<string, double> Params = new(StringComparer.Ordinal);
    public readonly Dictionary<string, (double[] Flat, int[] Shape)> Data = new(StringComparer.Ordinal);
    public readonly Dictionary<string, (int Offset, int[] Shape)> Vars = new(StringComparer.Ordinal);
    public double[] X = [];

    /// <summary>Index variables bound by enclosing reductions, forall and let indices (innermost first).</summary>
    public IndexScope? Scope;

    /// <summary>When the reference evaluation must give up (Stopwatch timestamp; 0: never).</summary>
    public long Deadline;

    private int _ticks;

    public void Tick()
    {
        if (Deadline != 0 && ++_ticks % 4096 == 0 && System.Diagnostics.Stopwatch.GetTimestamp() > Deadline) throw new OutOfTimeException();
    }

    public long Index(string name)
    {
        for (var s = Scope; s is not null; s = s.Parent)
            if (s.Name == name) return s.Value;
        throw new InvalidOperationException($"Fuzzer bug: index '{name}' is not bound");
    }

    public void Push(string name, long value) => Scope = new IndexScope(name, value, Scope);
}

public sealed record IndexScope(string Name, long Value, IndexScope? Parent);

/// <summary>The checks of one program ran out of their time budget (not a failure; counted).</summary>
public sealed class OutOfTimeException : Exception;

// ---- Integer expressions (shapes, ranges, indices) -----------------------------------------------------------

public abstract class IntE
{
    public abstract void Render(StringBuilder sb);
    public abstract long Eval(Env env);

    /// <summary>Bounds of the value (inclusive) given bounds of the names it uses.</summary>
    public abstract (long Lo, long Hi) Interval(Func<string, (long Lo, long Hi)> names);

    public virtual bool UsesIndex(string name) => false;

    public override string ToString()
    {
        var sb = new StringBuilder();
        Render(sb);
        return sb.ToString();
    }

    public static IntE Lit(long v) => new IntLit(v);
    public static IntE Ref(string n) => new IntName(n);
    public static IntE operator +(IntE a, IntE b) => new IntBin('+', a, b);
    public static IntE operator -(IntE a, IntE b) => new IntBin('-', a, b);
    public static IntE operator *(IntE a, IntE b) => new IntBin('*', a, b);
    public static IntE operator +(IntE a, long b) => new IntBin('+', a, Lit(b));
    public static IntE operator -(IntE a, long b) => new IntBin('-', a, Lit(b));
}

public sealed class IntLit(long value) : IntE
{
    public long Value { get; } = value;
    public override void Render(StringBuilder sb) => sb.Append(Value.ToString(CultureInfo.InvariantCulture));
    public override long Eval(Env env) => Value;
    public override (long Lo, long Hi) Interval(Func<string, (long Lo, long Hi)> names) => (Value, Value);
}

/// <summary>A dim or an index variable (the generator keeps the two sets of names disjoint).</summary>
public sealed class IntName(string name) : IntE
{
    public string Name { get; } = name;
    public override void Render(StringBuilder sb) => sb.Append(Name);
    public override long Eval(Env env) => env.Dims.TryGetValue(Name, out var d) && !IsBoundIndex(env) ? d : env.Index(Name);
    private bool IsBoundIndex(Env env)
    {
        for (var s = env.Scope; s is not null; s = s.Parent) if (s.Name == Name) return true;
        return false;
    }
    public override (long Lo, long Hi) Interval(Func<string, (long Lo, long Hi)> names) => names(Name);
    public override bool UsesIndex(string name) => Name == name;
}

public sealed class IntBin(char op, IntE left, IntE right) : IntE
{
    public char Op { get; } = op;
    public IntE Left { get; } = left;
    public IntE Right { get; } = right;

    public override void Render(StringBuilder sb)
    {
        bool wrapL = Op == '*' && Left is IntBin { Op: '+' or '-' };
        bool wrapR = Right is IntBin { Op: '+' or '-' } && Op is '*' or '-';
        if (wrapL) sb.Append('(');
        Left.Render(sb);
        if (wrapL) sb.Append(')');
        sb.Append(' ').Append(Op).Append(' ');
        if (wrapR) sb.Append('(');
        Right.Render(sb);
        if (wrapR) sb.Append(')');
    }

    public override long Eval(Env env)
    {
        long a = Left.Eval(env), b = Right.Eval(env);
        return Op switch { '+' => a + b, '-' => a - b, _ => a * b };
    }

    public override (long Lo, long Hi) Interval(Func<string, (long Lo, long Hi)> names)
    {
        var (a0, a1) = Left.Interval(names);
        var (b0, b1) = Right.Interval(names);
        switch (Op)
        {
            case '+': return (a0 + b0, a1 + b1);
            case '-': return (a0 - b1, a1 - b0);
            default:
                long[] p = [a0 * b0, a0 * b1, a1 * b0, a1 * b1];
                return (p.Min(), p.Max());
        }
    }

    public override bool UsesIndex(string name) => Left.UsesIndex(name) || Right.UsesIndex(name);
}

/// <summary>One <c>name in lo..hi</c> of a reduction, forall or indexed let.</summary>
public sealed record Binding(string Name, IntE Lower, IntE Upper)
{
    public void Render(StringBuilder sb)
    {
        sb.Append(Name).Append(" in ");
        Lower.Render(sb);
        sb.Append("..");
        Upper.Render(sb);
    }
}

// ---- Value expressions --------------------------------------------------------------------------------------

/// <summary>A scalar or array expression of the fuzzer's model.</summary>
public abstract class Node
{
    /// <summary>Sub-expressions the shrinker may promote in place of this node.</summary>
    public Node[] Kids = [];

    public virtual bool IsArray => false;

    /// <summary>For arrays: the canonical shape (one key per axis) that decides elementwise compatibility.</summary>
    public virtual string[] ShapeKey => [];

    public abstract void Render(StringBuilder sb);

    public virtual double Eval(Env env) => throw new InvalidOperationException($"Fuzzer bug: {GetType().Name} is an array");

    public virtual int[] Shape(Env env) => throw new InvalidOperationException($"Fuzzer bug: {GetType().Name} is a scalar");

    public virtual double Elem(Env env, int[] index) => throw new InvalidOperationException($"Fuzzer bug: {GetType().Name} is a scalar");

    /// <summary>The declared name this node reads (a var, data, param, let or objective), if it is such a reference.</summary>
    public virtual string? RefName => null;

    /// <summary>Whether the expression (syntactically) reads a decision variable.</summary>
    public virtual bool ReadsVar => Kids.Any(k => k.ReadsVar);

    public string Text
    {
        get
        {
            var sb = new StringBuilder();
            Render(sb);
            return sb.ToString();
        }
    }

    public IEnumerable<Node> Descendants()
    {
        yield return this;
        foreach (var k in Kids)
            foreach (var d in k.Descendants())
                yield return d;
    }

    public override string ToString() => Text;

    public static string Fmt(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A number literal written as in the source (0.5, 1e-3, 2.5E+1).</summary>
public sealed class Num(string text) : Node
{
    public string Literal { get; } = text;
    public double Value { get; } = double.Parse(text, CultureInfo.InvariantCulture);
    public override void Render(StringBuilder sb) => sb.Append(Literal);
    public override double Eval(Env env) => Value;
}

/// <summary>A named scalar: a param, a fixed or runtime dim, scalar data, a scalar var, a constant.</summary>
public sealed class Sym(string text, Func<Env, double> value, bool readsVar = false) : Node
{
    public string Name { get; } = text;
    public override void Render(StringBuilder sb) => sb.Append(Name);
    public override double Eval(Env env) => value(env);
    public override bool ReadsVar => readsVar;
    public override string? RefName => Name;
}

public enum ElemKind { Var, Data }

/// <summary>An element of a var or of data: <c>x[i + 1]</c>, <c>A[i, 2]</c>.</summary>
public sealed class ElemRef(string name, ElemKind kind, IntE[] index) : Node
{
    public string Name { get; } = name;
    public ElemKind Kind { get; } = kind;
    public IntE[] Index { get; } = index;

    public override void Render(StringBuilder sb)
    {
        sb.Append(Name).Append('[');
        for (int k = 0; k < Index.Length; k++)
        {
            if (k > 0) sb.Append(", ");
            Index[k].Render(sb);
        }
        sb.Append(']');
    }

    public override double Eval(Env env)
    {
        int[] shape = Kind == ElemKind.Var ? env.Vars[Name].Shape : env.Data[Name].Shape;
        long flat = 0;
        for (int k = 0; k < Index.Length; k++)
        {
            long i = Index[k].Eval(env);
            if (i < 0 || i >= shape[k]) throw new InvalidOperationException($"Fuzzer bug: {Text} reads index {i} of an axis of size {shape[k]}");
            flat = flat * shape[k] + i;
        }
        return Kind == ElemKind.Var ? env.X[env.Vars[Name].Offset + flat] : env.Data[Name].Flat[flat];
    }

    public override bool ReadsVar => Kind == ElemKind.Var;
    public override string? RefName => Name;
}

/// <summary>An integer expression used as a real number: <c>((i + 1) / 3)</c>.</summary>
public sealed class IndexValue(IntE value, int divisor) : Node
{
    public override void Render(StringBuilder sb)
    {
        sb.Append("((");
        value.Render(sb);
        sb.Append(')');
        if (divisor != 1) sb.Append(" / ").Append(divisor.ToString(CultureInfo.InvariantCulture));
        sb.Append(')');
    }

    public override double Eval(Env env) => (double)value.Eval(env) / divisor;
}

public sealed class LetDef
{
    public required string Name;
    public required List<Binding> Indices;
    public required Node Body;
    /// <summary>Per index: the first value, the end (exclusive) and the shape key when the range starts at 0.</summary>
    public List<(long Lo, long Hi, string? Key)> Ranges = new();

    public double Element(Env env, long[] index)
    {
        var saved = env.Scope;
        env.Scope = null; // a let body sees only its own indices
        try
        {
            for (int k = 0; k < Indices.Count; k++) env.Push(Indices[k].Name, index[k]);
            return Body.Eval(env);
        }
        finally
        {
            env.Scope = saved;
        }
    }
}

/// <summary>A scalar let or named objective used by name.</summary>
public sealed class LetScalarRef(string name, Func<LetDef?> let, Func<Node?> objective) : Node
{
    public string Name { get; } = name;
    public override void Render(StringBuilder sb) => sb.Append(Name);

    public override double Eval(Env env)
    {
        if (let() is { } l) return l.Element(env, []);
        var o = objective() ?? throw new InvalidOperationException("Fuzzer bug: dangling name " + Name);
        var saved = env.Scope;
        env.Scope = null;
        try { return o.Eval(env); }
        finally { env.Scope = saved; }
    }

    public override bool ReadsVar => let() is { } l ? l.Body.ReadsVar : objective()?.ReadsVar ?? false;
    public override string? RefName => Name;
}

/// <summary><c>r[i + 1]</c> for an indexed let.</summary>
public sealed class LetElemRef(LetDef let, IntE[] index) : Node
{
    public LetDef Let { get; } = let;

    public override void Render(StringBuilder sb)
    {
        sb.Append(Let.Name).Append('[');
        for (int k = 0; k < index.Length; k++)
        {
            if (k > 0) sb.Append(", ");
            index[k].Render(sb);
        }
        sb.Append(']');
    }

    public override double Eval(Env env) => Let.Element(env, index.Select(i => i.Eval(env)).ToArray());
    public override bool ReadsVar => Let.Body.ReadsVar;
    public override string? RefName => Let.Name;
}

/// <summary><c>(a + b)</c>, <c>(a - b)</c>, <c>(a * b)</c> on scalars.</summary>
public sealed class Bin : Node
{
    public char Op { get; }

    public Bin(char op, Node a, Node b)
    {
        Op = op;
        Kids = [a, b];
    }

    public override void Render(StringBuilder sb)
    {
        sb.Append('(');
        Kids[0].Render(sb);
        sb.Append(' ').Append(Op).Append(' ');
        Kids[1].Render(sb);
        sb.Append(')');
    }

    public override double Eval(Env env)
    {
        double a = Kids[0].Eval(env), b = Kids[1].Eval(env);
        return Op switch { '+' => a + b, '-' => a - b, _ => a * b };
    }
}

/// <summary>A function form over scalar kids, written from a template with {0}, {1} holes.</summary>
public sealed class Fn : Node
{
    public string Template { get; }
    private readonly Func<double[], double> _f;

    public Fn(string template, Func<double[], double> f, params Node[] kids)
    {
        Template = template;
        _f = f;
        Kids = kids;
    }

    public override void Render(StringBuilder sb) => RenderTemplate(sb, Template, Kids);

    public override double Eval(Env env)
    {
        var args = new double[Kids.Length];
        for (int k = 0; k < args.Length; k++) args[k] = Kids[k].Eval(env);
        return _f(args);
    }

    public static void RenderTemplate(StringBuilder sb, string template, Node[] kids)
    {
        for (int k = 0; k < template.Length; k++)
        {
            if (template[k] == '{' && k + 2 < template.Length && template[k + 2] == '}' && char.IsDigit(template[k + 1]))
            {
                kids[template[k + 1] - '0'].Render(sb);
                k += 2;
            }
            else
            {
                sb.Append(template[k]);
            }
        }
    }
}

/// <summary>A comment inside an expression: <c>(/* ... */ e)</c> or <c>(e // ...\n)</c>.</summary>
public sealed class Commented : Node
{
    public string Comment { get; }
    public bool After { get; }

    public Commented(string comment, Node kid, bool after = false)
    {
        Comment = comment;
        After = after;
        Kids = [kid];
    }

    public override void Render(StringBuilder sb)
    {
        sb.Append('(');
        if (!After) sb.Append(Comment).Append(' ');
        Kids[0].Render(sb);
        if (After) sb.Append(' ').Append(Comment);
        sb.Append(')');
    }

    public override double Eval(Env env) => Kids[0].Eval(env);
    public override bool IsArray => Kids[0].IsArray;
    public override string[] ShapeKey => Kids[0].ShapeKey;
    public override int[] Shape(Env env) => Kids[0].Shape(env);
    public override double Elem(Env env, int[] index) => Kids[0].Elem(env, index);
}

/// <summary><c>sum(i in a..b, j in c..d) (body)</c>, <c>prod</c>, <c>logsumexp</c>.</summary>
public sealed class Reduce : Node
{
    public string Kind { get; }
    public List<Binding> Bindings { get; }

    public Reduce(string kind, List<Binding> bindings, Node body)
    {
        Kind = kind;
        Bindings = bindings;
        Kids = [body];
    }

    public override void Render(StringBuilder sb)
    {
        sb.Append('(').Append(Kind).Append('(');
        for (int k = 0; k < Bindings.Count; k++)
        {
            if (k > 0) sb.Append(", ");
            Bindings[k].Render(sb);
        }
        sb.Append(") (");
        Kids[0].Render(sb);
        sb.Append("))");
    }

    public override double Eval(Env env)
    {
        var values = new List<double>();
        Collect(env, 0, values);
        switch (Kind)
        {
            case "sum":
            {
                double s = 0;
                foreach (var v in values) s += v;
                return s;
            }
            case "prod":
            {
                double p = 1;
                foreach (var v in values) p *= v;
                return p;
            }
            default:
            {
                if (values.Count == 0) return double.NegativeInfinity;
                double m = values.Max();
                if (double.IsInfinity(m)) return m;
                double s = 0;
                foreach (var v in values) s += Math.Exp(v - m);
                return m + Math.Log(s);
            }
        }
    }

    private void Collect(Env env, int level, List<double> into)
    {
        if (level == Bindings.Count)
        {
            into.Add(Kids[0].Eval(env));
            return;
        }
        var b = Bindings[level];
        long lo = b.Lower.Eval(env), hi = b.Upper.Eval(env);
        var saved = env.Scope;
        for (long i = lo; i < hi; i++)
        {
            env.Tick();
            env.Scope = new IndexScope(b.Name, i, saved);
            Collect(env, level + 1, into);
        }
        env.Scope = saved;
    }
}

// ---- Arrays -------------------------------------------------------------------------------------------------

/// <summary>A whole var, data or zero-based indexed let: <c>x</c>, <c>A</c>, <c>r</c>.</summary>
public sealed class Whole(string name, string[] shapeKey, Func<Env, int[]> shape, Func<Env, int[], double> element, bool readsVar) : Node
{
    public string Name { get; } = name;
    public override bool IsArray => true;
    public override string[] ShapeKey => shapeKey;
    public override void Render(StringBuilder sb) => sb.Append(Name);
    public override int[] Shape(Env env) => shape(env);
    public override double Elem(Env env, int[] index) => element(env, index);
    public override bool ReadsVar => readsVar;
    public override string? RefName => Name;
}

/// <summary>A row or column of a 2-D var or data: <c>A[i, :]</c>, <c>W[:, 1]</c>.</summary>
public sealed class Slice(string name, ElemKind kind, int fixedAxis, IntE fixedIndex, string[] shapeKey) : Node
{
    public override bool IsArray => true;
    public override string[] ShapeKey => shapeKey;
    public override string? RefName => name;

    public override void Render(StringBuilder sb)
    {
        sb.Append(name).Append('[');
        if (fixedAxis == 0)
        {
            fixedIndex.Render(sb);
            sb.Append(", :]");
        }
        else
        {
            sb.Append(":, ");
            fixedIndex.Render(sb);
            sb.Append(']');
        }
    }

    private int[] Full(Env env) => kind == ElemKind.Var ? env.Vars[name].Shape : env.Data[name].Shape;

    public override int[] Shape(Env env) => [Full(env)[1 - fixedAxis]];

    public override double Elem(Env env, int[] index)
    {
        var shape = Full(env);
        long f = fixedIndex.Eval(env);
        if (f < 0 || f >= shape[fixedAxis]) throw new InvalidOperationException($"Fuzzer bug: slice index {f} out of range");
        long row = fixedAxis == 0 ? f : index[0], col = fixedAxis == 0 ? index[0] : f;
        long flat = row * shape[1] + col;
        return kind == ElemKind.Var ? env.X[env.Vars[name].Offset + flat] : env.Data[name].Flat[flat];
    }

    public override bool ReadsVar => kind == ElemKind.Var;
}

/// <summary><c>(A * x)</c>: a 2-D array times a 1-D array.</summary>
public sealed class MatVec : Node
{
    public MatVec(Node a, Node x) => Kids = [a, x];
    public override bool IsArray => true;
    // The shrinker may have put a scalar where the matrix was: then there is no meaningful shape.
    public override string[] ShapeKey => Kids[0].ShapeKey is [var rows, ..] ? [rows] : [];

    public override void Render(StringBuilder sb)
    {
        sb.Append('(');
        Kids[0].Render(sb);
        sb.Append(" * ");
        Kids[1].Render(sb);
        sb.Append(')');
    }

    public override int[] Shape(Env env) => [Kids[0].Shape(env)[0]];

    public override double Elem(Env env, int[] index)
    {
        int columns = Kids[0].Shape(env)[1];
        double s = 0;
        for (int j = 0; j < columns; j++) s += Kids[0].Elem(env, [index[0], j]) * Kids[1].Elem(env, [j]);
        return s;
    }
}

/// <summary>Elementwise <c>(a op b)</c> where at least one side is an array (the other may be a scalar broadcast).</summary>
public sealed class ArrBin : Node
{
    public char Op { get; }

    public ArrBin(char op, Node a, Node b)
    {
        Op = op;
        Kids = [a, b];
    }

    private Node ArraySide => Kids[0].IsArray ? Kids[0] : Kids[1];
    public override bool IsArray => true;
    public override string[] ShapeKey => ArraySide.ShapeKey;

    public override void Render(StringBuilder sb)
    {
        sb.Append('(');
        Kids[0].Render(sb);
        sb.Append(' ').Append(Op).Append(' ');
        Kids[1].Render(sb);
        sb.Append(')');
    }

    public override int[] Shape(Env env) => ArraySide.Shape(env);

    public override double Elem(Env env, int[] index)
    {
        double a = Kids[0].IsArray ? Kids[0].Elem(env, index) : Kids[0].Eval(env);
        double b = Kids[1].IsArray ? Kids[1].Elem(env, index) : Kids[1].Eval(env);
        return Op switch { '+' => a + b, '-' => a - b, _ => a * b };
    }
}

/// <summary>A smooth function form applied elementwise to an array (its template has one hole).</summary>
public sealed class ArrMap : Node
{
    public string Template { get; }
    private readonly Func<double[], double> _f;

    public ArrMap(string template, Func<double[], double> f, Node a)
    {
        Template = template;
        _f = f;
        Kids = [a];
    }

    public override bool IsArray => true;
    public override string[] ShapeKey => Kids[0].ShapeKey;
    public override void Render(StringBuilder sb) => Fn.RenderTemplate(sb, Template, Kids);
    public override int[] Shape(Env env) => Kids[0].Shape(env);
    public override double Elem(Env env, int[] index) => _f([Kids[0].Elem(env, index)]);
}

/// <summary>A scalar function of arrays (and scalars): <c>l2(a)</c>, <c>dot(a, b)</c>, <c>mse(a, b)</c>, <c>cce_logits(z, y)</c>...</summary>
public sealed class Reduction : Node
{
    public string Template { get; }
    private readonly Func<Env, Node[], double> _f;

    public Reduction(string template, Func<Env, Node[], double> f, params Node[] kids)
    {
        Template = template;
        _f = f;
        Kids = kids;
    }

    public override void Render(StringBuilder sb) => Fn.RenderTemplate(sb, Template, Kids);
    public override double Eval(Env env) => _f(env, Kids);

    /// <summary>Every element of an array node, row-major.</summary>
    public static IEnumerable<double> Elements(Env env, Node a)
    {
        if (!a.IsArray)
        {
            yield return a.Eval(env);
            yield break;
        }
        var shape = a.Shape(env);
        if (shape.Length == 1)
        {
            for (int i = 0; i < shape[0]; i++) yield return a.Elem(env, [i]);
        }
        else
        {
            for (int i = 0; i < shape[0]; i++)
                for (int j = 0; j < shape[1]; j++)
                    yield return a.Elem(env, [i, j]);
        }
    }

    public static int Count(Env env, Node a) => a.IsArray ? a.Shape(env).Aggregate(1, (x, y) => x * y) : 1;
}

/// <summary>Reference implementations of the language's functions, written independently of the compiler.</summary>
public static class RefMath
{
    public static double Sq(double x) => x * x;

    public static double Sigmoid(double x) => x >= 0 ? 1 / (1 + Math.Exp(-x)) : Math.Exp(x) / (1 + Math.Exp(x));

    public static double Softplus(double x) => x > 0 ? x + Log1p(Math.Exp(-x)) : Log1p(Math.Exp(x));

    public static double Log1p(double x)
    {
        if (Math.Abs(x) > 1e-4) return Math.Log(1 + x);
        // log(1 + x) = x - x²/2 + x³/3 - ...
        return x * (1 - x * (0.5 - x * (1.0 / 3 - x * 0.25)));
    }

    /// <summary>log Σ exp(v) over the values, stable.</summary>
    public static double LogSumExp(IReadOnlyList<double> v)
    {
        if (v.Count == 0) return double.NegativeInfinity;
        double m = v.Max();
        if (double.IsInfinity(m)) return m;
        double s = 0;
        foreach (var t in v) s += Math.Exp(t - m);
        return m + Math.Log(s);
    }
}
