using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace OptDsl.Tests.Fuzz;

/// <summary>An extent of a shape or range: how it is written (a literal, a dim, <c>2 * n</c>), its canonical key and its value.</summary>
public sealed record Ext(IntE Expr, string Key, long Value)
{
    public override string ToString() => Expr.ToString();
}

public sealed class DimDecl
{
    public required string Name;
    /// <summary>Null for a runtime dim (bound by data or a constructor argument).</summary>
    public string? ValueText;
    public long Value;
    public bool Fixed => ValueText is not null;
}

public sealed class DataDecl
{
    public required string Name;
    public required List<Ext> Shape;
    public required double[] Flat;
}

public sealed class ParamDecl
{
    public required string Name;
    public required string ValueText;
    public double Value;
}

public sealed class VarDecl
{
    public required string Name;
    public required List<Ext> Shape;
    public string? BoundsText;
    public double[]? Lower, Upper;
    public string? StartText;
    public double[]? Start;
    public int Size => (int)Shape.Aggregate(1L, (a, e) => a * e.Value);
}

public sealed class ObjectiveDecl
{
    public required string Name;
    public required Node Body;
}

public sealed class ConstraintDecl
{
    public string? Label;
    public string? Comment;
    public List<Binding> ForAll = new();
    public required List<Node> Sides;
    public required List<string> Ops;
}

public sealed class ProblemDecl
{
    public required string Name;
    public List<DimDecl> Dims = new();
    public List<DataDecl> Data = new();
    public List<ParamDecl> Params = new();
    public List<VarDecl> Vars = new();
    public List<LetDef> Lets = new();
    public List<ObjectiveDecl> Objectives = new();
    public required Node Goal;
    public bool Maximize;
    public List<ConstraintDecl> Constraints = new();
    /// <summary>Split the constraints into two <c>subject to</c> blocks after this many (0: one block).</summary>
    public int SecondBlockAt;
    public string? Solver;
    /// <summary>Comments between members (each removable by the shrinker).</summary>
    public List<string> Comments = new();
    /// <summary>0: canonical member order; otherwise a seed that interleaves the kinds (each kind keeps its order).</summary>
    public int OrderSeed;

    public ProblemDecl Clone() => (ProblemDecl)MemberwiseClone();

    // ---- Semantics the harness relies on, from docs/language.md -----------------------------------------------

    /// <summary>The first data (declaration order) with a bare dim on an axis binds that dim.</summary>
    public Dictionary<string, (DataDecl Data, int Axis)> BoundDims()
    {
        var bound = new Dictionary<string, (DataDecl, int)>(StringComparer.Ordinal);
        foreach (var d in Data)
            for (int axis = 0; axis < d.Shape.Count; axis++)
                if (d.Shape[axis].Expr is IntName n && Dims.FirstOrDefault(x => x.Name == n.Name) is { Fixed: false } && !bound.ContainsKey(n.Name))
                    bound[n.Name] = (d, axis);
        return bound;
    }

    /// <summary>Constructor arguments: data in declaration order, then dims not bound by data.</summary>
    public object[] ConstructorArguments()
    {
        var args = new List<object>();
        foreach (var d in Data)
        {
            switch (d.Shape.Count)
            {
                case 0: args.Add(d.Flat[0]); break;
                case 1: args.Add(d.Flat.ToArray()); break;
                default:
                {
                    int r = (int)d.Shape[0].Value, c = (int)d.Shape[1].Value;
                    var a = new double[r, c];
                    for (int i = 0; i < r; i++)
                        for (int j = 0; j < c; j++)
                            a[i, j] = d.Flat[i * c + j];
                    args.Add(a);
                    break;
                }
            }
        }
        var bound = BoundDims();
        foreach (var d in Dims.Where(d => !d.Fixed && !bound.ContainsKey(d.Name))) args.Add((int)d.Value);
        return args.ToArray();
    }

    public int VariableCount => Vars.Sum(v => v.Size);

    /// <summary>Reference evaluations give up (OutOfTimeException) after this Stopwatch timestamp (0: never).</summary>
    public long Deadline;

    public Env NewEnv(double[] x)
    {
        var env = new Env { X = x, Deadline = Deadline };
        foreach (var d in Dims) env.Dims[d.Name] = d.Value;
        foreach (var p in Params) env.Params[p.Name] = p.Value;
        foreach (var d in Data) env.Data[d.Name] = (d.Flat, d.Shape.Select(s => (int)s.Value).ToArray());
        int offset = 0;
        foreach (var v in Vars)
        {
            env.Vars[v.Name] = (offset, v.Shape.Select(s => (int)s.Value).ToArray());
            offset += v.Size;
        }
        return env;
    }

    /// <summary>The objective as written (not negated for maximize).</summary>
    public double ReferenceObjective(double[] x) => Goal.Eval(NewEnv(x));

    /// <summary>One row of the constraint layout: its value, lower and upper bound, as docs/language.md defines them.</summary>
    public List<(double Value, double Lower, double Upper)> ReferenceConstraints(double[] x)
    {
        var env = NewEnv(x);
        var rows = new List<(double, double, double)>();
        foreach (var c in Constraints) Rows(env, c, 0, rows);
        return rows;
    }

    private static void Rows(Env env, ConstraintDecl c, int level, List<(double, double, double)> rows)
    {
        if (level < c.ForAll.Count)
        {
            var b = c.ForAll[level];
            long lo = b.Lower.Eval(env), hi = b.Upper.Eval(env);
            var saved = env.Scope;
            for (long i = lo; i < hi; i++)
            {
                env.Scope = new IndexScope(b.Name, i, saved);
                Rows(env, c, level + 1, rows);
            }
            env.Scope = saved;
            return;
        }
        var v = c.Sides.Select(s => s.Eval(env)).ToArray();
        if (c.Ops.Count == 2)
        {
            rows.Add(c.Ops[0] == "<=" ? (v[1], v[0], v[2]) : (v[1], v[2], v[0]));
            return;
        }
        string op = c.Ops[0];
        double body, other;
        if (!c.Sides[1].ReadsVar) (body, other) = (v[0], v[1]);
        else if (!c.Sides[0].ReadsVar)
        {
            (body, other) = (v[1], v[0]);
            op = op switch { "<=" => ">=", ">=" => "<=", _ => op };
        }
        else (body, other) = (v[0] - v[1], 0);
        rows.Add(op switch
        {
            "==" => (body, other, other),
            "<=" => (body, double.NegativeInfinity, other),
            _ => (body, other, double.PositiveInfinity),
        });
    }

    /// <summary>StartPoint(): the declared start (0 where none), clipped into the bounds.</summary>
    public double[] ReferenceStart()
    {
        var x = new List<double>();
        foreach (var v in Vars)
            for (int k = 0; k < v.Size; k++)
            {
                double s = v.Start is null ? 0 : v.Start[v.Start.Length == 1 ? 0 : k];
                double lo = v.Lower is null ? double.NegativeInfinity : v.Lower[v.Lower.Length == 1 ? 0 : k];
                double hi = v.Upper is null ? double.PositiveInfinity : v.Upper[v.Upper.Length == 1 ? 0 : k];
                x.Add(Math.Clamp(s, lo, hi));
            }
        return x.ToArray();
    }

    public bool HasBounds => Vars.Any(v => v.BoundsText is not null);

    // ---- Rendering -------------------------------------------------------------------------------------------

    public void Render(StringBuilder sb, string nl)
    {
        sb.Append("problem ").Append(Name).Append(" {").Append(nl);
        var kinds = new List<List<string>>
        {
            Dims.Select(d => $"dim {d.Name}{(d.ValueText is null ? "" : " = " + d.ValueText)};").ToList(),
            Data.Select(d => $"data {d.Name}{ShapeText(d.Shape)};").ToList(),
            Params.Select(p => $"param {p.Name} = {p.ValueText};").ToList(),
            Vars.Select(v => $"var {v.Name}{ShapeText(v.Shape)}{(v.BoundsText is null ? "" : " in " + v.BoundsText)}{(v.StartText is null ? "" : " = " + v.StartText)};").ToList(),
            Lets.Select(LetText).ToList(),
            Objectives.Select(o => $"objective {o.Name} = {o.Body.Text};").ToList(),
            Comments.ToList(),
        };
        IEnumerable<string> members;
        if (OrderSeed == 0)
        {
            members = kinds.SelectMany(k => k);
        }
        else
        {
            var rng = new Random(OrderSeed);
            var order = new List<string>();
            var queues = kinds.Select(k => new Queue<string>(k)).ToList();
            while (queues.Any(q => q.Count > 0))
            {
                var open = queues.Where(q => q.Count > 0).ToList();
                order.Add(open[rng.Next(open.Count)].Dequeue());
            }
            members = order;
        }
        foreach (var m in members) sb.Append("    ").Append(m).Append(nl);

        sb.Append("    ").Append(Maximize ? "maximize " : "minimize ").Append(Goal.Text).Append(';').Append(nl);
        if (Constraints.Count > 0)
        {
            int split = SecondBlockAt > 0 && SecondBlockAt < Constraints.Count ? SecondBlockAt : Constraints.Count;
            foreach (var block in new[] { Constraints.Take(split), Constraints.Skip(split) })
            {
                var list = block.ToList();
                if (list.Count == 0) continue;
                sb.Append("    subject to {").Append(nl);
                foreach (var c in list) sb.Append("        ").Append(ConstraintText(c)).Append(nl);
                sb.Append("    }").Append(nl);
            }
        }
        if (Solver is not null) sb.Append("    ").Append(Solver).Append(nl);
        sb.Append('}').Append(nl);
    }

    public static string ShapeText(List<Ext> shape) => shape.Count == 0 ? "" : "[" + string.Join(", ", shape.Select(s => s.Expr.ToString())) + "]";

    public static string LetText(LetDef l)
    {
        var sb = new StringBuilder("let ").Append(l.Name);
        if (l.Indices.Count > 0)
        {
            sb.Append('[');
            for (int k = 0; k < l.Indices.Count; k++)
            {
                if (k > 0) sb.Append(", ");
                l.Indices[k].Render(sb);
            }
            sb.Append(']');
        }
        sb.Append(" = ");
        l.Body.Render(sb);
        return sb.Append(';').ToString();
    }

    public static string ConstraintText(ConstraintDecl c)
    {
        var sb = new StringBuilder();
        if (c.Label is not null) sb.Append(c.Label).Append(": ");
        if (c.Comment is not null) sb.Append(c.Comment).Append(' ');
        if (c.ForAll.Count > 0)
        {
            sb.Append("forall(");
            for (int k = 0; k < c.ForAll.Count; k++)
            {
                if (k > 0) sb.Append(", ");
                c.ForAll[k].Render(sb);
            }
            sb.Append(") ");
        }
        for (int k = 0; k < c.Sides.Count; k++)
        {
            if (k > 0) sb.Append(' ').Append(c.Ops[k - 1]).Append(' ');
            c.Sides[k].Render(sb);
        }
        return sb.Append(';').ToString();
    }
}

/// <summary>One generated .opt file with the compiler arguments it is compiled with.</summary>
public sealed class FuzzProgram
{
    public required int Id;
    public required int Seed;
    /// <summary>The unique first namespace segment that keeps programs apart in one Roslyn compilation.</summary>
    public required string Unique;
    public required string Path;
    public string? NamespaceArgument;
    /// <summary>The segments of the file's <c>namespace</c> line, or null for none.</summary>
    public List<string>? NamespaceLine;
    public List<string> HeaderComments = new();
    public required List<ProblemDecl> Problems;
    public string NewLine = "\n";
    /// <summary>Where hostile text was put: "file name", "namespace argument", "comment", ...</summary>
    public HashSet<string> Vectors = new();

    public string Text
    {
        get
        {
            var sb = new StringBuilder();
            foreach (var c in HeaderComments) sb.Append(c).Append(NewLine);
            if (NamespaceLine is not null) sb.Append("namespace ").Append(string.Join(".", NamespaceLine)).Append(';').Append(NewLine).Append(NewLine);
            foreach (var p in Problems)
            {
                p.Render(sb, NewLine);
                sb.Append(NewLine);
            }
            return sb.ToString();
        }
    }

    public FuzzProgram ShallowCopy()
    {
        var copy = (FuzzProgram)MemberwiseClone();
        copy.Problems = Problems.ToList();
        copy.HeaderComments = HeaderComments.ToList();
        copy.NamespaceLine = NamespaceLine?.ToList();
        copy.Vectors = new HashSet<string>(Vectors);
        return copy;
    }

    /// <summary>A C#-string rendering of text with control and non-ASCII characters escaped, for reports.</summary>
    public static string Escape(string? s)
    {
        if (s is null) return "null";
        var sb = new StringBuilder("\"");
        foreach (char ch in s)
        {
            switch (ch)
            {
                case '\\': sb.Append("\\\\"); break;
                case '"': sb.Append("\\\""); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (ch < 0x20 || ch > 0x7e) sb.Append("\\u").Append(((int)ch).ToString("X4", CultureInfo.InvariantCulture));
                    else sb.Append(ch);
                    break;
            }
        }
        return sb.Append('"').ToString();
    }

    /// <summary>The .opt text with invisible line terminators made visible (⟨U+2028⟩), for reports.</summary>
    public static string Visible(string text)
    {
        var sb = new StringBuilder();
        foreach (char ch in text)
        {
            if (ch is '\u2028' or '\u2029' or '\u0085' or '\r' || (ch < 0x20 && ch != '\n' && ch != '\t') || (ch > 0x7e && char.IsControl(ch)))
                sb.Append("⟨U+").Append(((int)ch).ToString("X4", CultureInfo.InvariantCulture)).Append('⟩');
            else
                sb.Append(ch);
        }
        return sb.ToString();
    }
}
