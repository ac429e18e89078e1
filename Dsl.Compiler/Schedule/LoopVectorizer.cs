using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler.Emit;
using OptDsl.Compiler.Ir;

namespace OptDsl.Compiler.Schedule;

/// <summary>
/// Turns innermost loops over contiguous elements into <see cref="SimdLoop"/>s: the loop body on four lanes at a time
/// (<c>Vector256&lt;double&gt;</c>), then the loop as it was for the remaining elements.
/// <para>
/// A loop qualifies when every statement of its body is a local, a sum folded into an accumulator, or a store; every
/// element it reads or writes has an index whose step per iteration is 0 (the same element each time: read once and
/// broadcast) or 1 (contiguous: loaded four at a time); a vector it writes is read or written only at the one index it
/// is stored at (so iterations are independent); and every call has a vector form (exp, log, sqrt, abs, sin, cos, min,
/// max and the runtime's log1p, sigmoid, softplus, relu, sign, step). Anything else (a power by a variable exponent,
/// tan, a product or maximum reduction, a stride of 2) leaves the loop scalar.
/// </para>
/// <para>
/// What changes in the results: sums are added in four lanes (and in several partial sums when the loop is unrolled)
/// and the lanes added up at the end, so a sum is rounded differently from the one-by-one order; exp, log, sin and cos
/// are .NET's vector versions, within one unit in the last place as the scalar ones are, but not always the same bit.
/// Element-wise stores without calls get exactly the scalar values (no fused multiply-add is formed).
/// </para>
/// </summary>
internal sealed class LoopVectorizer(NameScope names, HashSet<string> dataArrays)
{
    /// <summary>Lanes of a <c>Vector256&lt;double&gt;</c>.</summary>
    public const int Width = 4;

    /// <summary>Loops with longer bodies stay scalar: the vector copy would multiply the method's size for little gain.</summary>
    private const int MaxStatements = 48;

    private const string Vector = "global::System.Runtime.Intrinsics.Vector256.";

    /// <summary>The scalar methods with a four-lane version: the elementary functions' table, and min/max.</summary>
    private static readonly Dictionary<string, string> s_vectorMethods = ElementaryFunctions.All
        .Where(f => f.VectorMethod is not null)
        .Select(f => (f.CSharpMethod, f.VectorMethod!))
        .Concat([("global::System.Math.Min", Vector + "Min"), ("global::System.Math.Max", Vector + "Max")])
        .ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal);

    /// <summary>One ref local per vector, shared by every SIMD loop of the method (they are never nested).</summary>
    private readonly Dictionary<string, string> _refs = new(StringComparer.Ordinal);

    /// <summary><paramref name="statements"/> with every qualifying innermost loop (at any depth) vectorized.</summary>
    public IReadOnlyList<Statement> Rewrite(IReadOnlyList<Statement> statements)
    {
        var result = new List<Statement>(statements.Count);
        foreach (var statement in statements)
        {
            CompilerCancellation.Check();
            if (statement is not Loop loop) result.Add(statement);
            else if (loop.Body.Any(s => s is Loop or SimdLoop)) result.Add(loop with { Body = Rewrite(loop.Body) });
            else result.Add(TryVectorize(loop) ?? (Statement)loop);
        }
        return result;
    }

    // ---- Legality and translation ---------------------------------------------------------------------------

    private sealed class Translation(Loop loop)
    {
        public readonly Loop Loop = loop;
        public readonly HashSet<string> Locals = new(StringComparer.Ordinal);
        public readonly List<string> Accumulators = new();
        /// <summary>Vectors the loop writes, with the one index at which it touches each.</summary>
        public readonly Dictionary<string, CInt> Written = new(StringComparer.Ordinal);
        /// <summary>Every contiguous access, for the range checks (distinct, in order of first use).</summary>
        public readonly List<(string Vector, CInt Index)> Accesses = new();
        /// <summary>Loop-invariant scalars broadcast into lanes, in order of first use.</summary>
        public readonly List<(CExpr Scalar, string Name)> Broadcasts = new();
        public string Index => Loop.Index;
    }

    private sealed class NotVectorizable : Exception;

    private SimdLoop? TryVectorize(Loop loop)
    {
        var body = loop.Body;
        int work = body.Count(s => s is not Comment);
        if (work == 0 || work > MaxStatements || !body.Any(s => s is Fold or Assign)) return null;
        // A loop known to run fewer times than there are lanes gains nothing.
        if (loop.Lower is CIntLiteral lo && loop.Upper is CIntLiteral hi && hi.Value - lo.Value < Width) return null;
        var t = new Translation(loop);
        try
        {
            // Writes first: every access of a written vector is checked against its one index.
            foreach (var s in body)
            {
                switch (s)
                {
                    case Comment or DeclareLocal:
                        break;
                    case Fold { Reduction: ExprKind.Sum } f:
                        if (!t.Accumulators.Contains(f.Accumulator, StringComparer.Ordinal)) t.Accumulators.Add(f.Accumulator);
                        break;
                    case Assign a:
                        if (Coefficient(a.Index, t.Index) != 1) return null;
                        if (t.Written.TryGetValue(a.Array, out var at) && !at.Equals(a.Index)) return null;
                        t.Written[a.Array] = a.Index;
                        break;
                    default:
                        return null;
                }
            }
            var single = Translate(t, shift: 0, lane: 0, comments: true);
            int unroll = t.Accumulators.Count == 0 ? 1 : work <= 4 ? 4 : 2;
            var unrolled = new List<IReadOnlyList<Statement>>();
            if (unroll > 1)
                for (int u = 0; u < unroll; u++) unrolled.Add(Translate(t, shift: u * Width, lane: u, comments: false));

            var accumulators = t.Accumulators
                .Select(a => new SimdAccumulator(a, Enumerable.Range(0, unroll).Select(u => names.Claim(Bare(a) + "_v" + u)).ToList()))
                .ToList();
            // Lane names are claimed after translation; the statements refer to them by (accumulator, lane).
            var laneNames = accumulators.ToDictionary(a => a.Scalar, a => a.Lanes, StringComparer.Ordinal);
            IReadOnlyList<Statement> Name(IReadOnlyList<Statement> statements, int lane) =>
                statements.Select(s => s is VectorFold f ? f with { Accumulator = laneNames[f.Accumulator][lane] } : s).ToList();

            var vectors = t.Accesses.Select(a => a.Vector).Distinct(StringComparer.Ordinal).ToList();
            var refs = vectors.Select(v => new SimdRef(RefOf(v), v, dataArrays.Contains(v))).ToList();
            var guards = t.Accesses
                .Select(a => new SimdGuard(a.Vector, Substitute(a.Index, t.Index, loop.Lower), Substitute(a.Index, t.Index, Minus(loop.Upper, 1))))
                .ToList();
            var broadcasts = t.Broadcasts.Select(b => new SimdBroadcast(b.Name, b.Scalar)).ToList();
            return new SimdLoop(loop, refs, guards, broadcasts, accumulators, unroll,
                                unrolled.Select((c, u) => Name(c, u)).ToList(), Name(single, 0));
        }
        catch (NotVectorizable)
        {
            return null;
        }
    }

    private List<Statement> Translate(Translation t, int shift, int lane, bool comments)
    {
        var result = new List<Statement>();
        foreach (var s in t.Loop.Body)
        {
            switch (s)
            {
                case Comment c:
                    if (comments) result.Add(c);
                    break;
                case DeclareLocal d:
                    var value = Expression(t, d.Value, shift);
                    if (shift == 0 && lane == 0) t.Locals.Add(d.Name);
                    result.Add(new VectorDeclare(d.Name, value));
                    break;
                case Fold f:
                    result.Add(new VectorFold(f.Accumulator, Expression(t, f.Value, shift)));
                    break;
                case Assign a:
                    Access(t, a.Array, a.Index);
                    result.Add(new VectorStore(RefOf(a.Array), Shift(a.Index, t.Index, shift), a.Accumulate, Expression(t, a.Value, shift)));
                    break;
            }
        }
        return result;
    }

    private CExpr Expression(Translation t, CExpr e, int shift)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (e)
        {
            case CName n:
                if (t.Locals.Contains(n.Name)) return n;
                if (t.Accumulators.Contains(n.Name, StringComparer.Ordinal)) throw new NotVectorizable();
                return new CName(Broadcast(t, n));
            case CLiteral l:
                return new CVectorConstant(l.Value);
            case CIndexValue iv:
                return Coefficient(iv.Index, t.Index) is { } step ? new CVectorIndex(Shift(iv.Index, t.Index, shift), step) : throw new NotVectorizable();
            case CElement el:
                switch (Coefficient(el.Index, t.Index))
                {
                    case 0 when !t.Written.ContainsKey(el.Array):
                        return new CName(Broadcast(t, el));
                    case 1 when !t.Written.TryGetValue(el.Array, out var at) || at.Equals(el.Index):
                        Access(t, el.Array, el.Index);
                        return new CVectorLoad(RefOf(el.Array), Shift(el.Index, t.Index, shift));
                    default:
                        throw new NotVectorizable();
                }
            case CChain c:
                return new CChain(Expression(t, c.First, shift), c.Rest.Select(r => (r.Minus, Expression(t, r.Operand, shift))).ToList());
            case CBinary b:
                return new CBinary(b.Op, Expression(t, b.Left, shift), Expression(t, b.Right, shift));
            case CNegate n:
                return new CNegate(Expression(t, n.Operand, shift));
            case CCall call when s_vectorMethods.TryGetValue(call.Method, out var method):
                return new CCall(method, call.Arguments.Select(a => Expression(t, a, shift)).ToList());
            case CConditional c:
                return new CVectorSelect(Expression(t, c.Condition, shift), c.Comparison, Expression(t, c.WhenTrue, shift), Expression(t, c.WhenFalse, shift));
            default:
                throw new NotVectorizable();
        }
    }

    private string Broadcast(Translation t, CExpr scalar)
    {
        foreach (var (s, name) in t.Broadcasts) if (s.Equals(scalar)) return name;
        string preferred = scalar switch
        {
            CName n => Bare(n.Name) + "_v", // Claim makes any text (a primary expression) an identifier
            CElement el => Bare(el.Array) + "_v",
            _ => "c_v",
        };
        string claimed = names.Claim(preferred);
        t.Broadcasts.Add((scalar, claimed));
        return claimed;
    }

    private static void Access(Translation t, string vector, CInt index)
    {
        if (!t.Accesses.Contains((vector, index))) t.Accesses.Add((vector, index));
    }

    private string RefOf(string vector)
    {
        if (!_refs.TryGetValue(vector, out var name)) _refs[vector] = name = names.Claim(Bare(vector) + "_ref");
        return name;
    }

    private static string Bare(string name) => name.StartsWith("@", StringComparison.Ordinal) ? name.Substring(1) : name;

    // ---- Index arithmetic ---------------------------------------------------------------------------------

    /// <summary>How much <paramref name="e"/> grows per step of <paramref name="index"/>; null when that is not a constant.</summary>
    internal static long? Coefficient(CInt e, string index) => e switch
    {
        CIntLiteral => 0,
        CIntName n => n.Name == index ? 1 : 0,
        CIntBinary { Op: '+' } b => Coefficient(b.Left, index) + Coefficient(b.Right, index),
        CIntBinary { Op: '-' } b => Coefficient(b.Left, index) - Coefficient(b.Right, index),
        CIntBinary { Op: '*' } b => (Coefficient(b.Left, index), Coefficient(b.Right, index)) switch
        {
            (0, 0) => 0,
            (long c, _) when b.Right is CIntLiteral r => c * r.Value,
            (_, long c) when b.Left is CIntLiteral l => c * l.Value,
            _ => null,
        },
        CIntClamp c => Coefficient(c.Inner, index) == 0 ? 0 : null,
        _ => null,
    };

    /// <summary><paramref name="e"/> with <paramref name="index"/> advanced by <paramref name="shift"/> elements.</summary>
    private static CInt Shift(CInt e, string index, int shift) =>
        shift == 0 ? e : Substitute(e, index, new CIntBinary('+', new CIntName(index), new CIntLiteral(shift)));

    /// <summary><paramref name="e"/> with <paramref name="index"/> replaced by <paramref name="by"/>, constants folded.</summary>
    internal static CInt Substitute(CInt e, string index, CInt by) => e switch
    {
        CIntName n when n.Name == index => by,
        CIntBinary b => Simplify(new CIntBinary(b.Op, Substitute(b.Left, index, by), Substitute(b.Right, index, by))),
        CIntClamp c => new CIntClamp(Substitute(c.Inner, index, by)),
        _ => e,
    };

    /// <summary><c>e - k</c>, unfolded: a constant bound stays readable as <c>100 - 1</c>.</summary>
    private static CInt Minus(CInt e, long k) => new CIntBinary('-', e, new CIntLiteral(k));

    private static CInt Simplify(CIntBinary b) => (b.Op, b.Left, b.Right) switch
    {
        ('+', CIntLiteral l, CIntLiteral r) => new CIntLiteral(l.Value + r.Value),
        ('-', CIntLiteral l, CIntLiteral r) => new CIntLiteral(l.Value - r.Value),
        ('*', CIntLiteral l, CIntLiteral r) => new CIntLiteral(l.Value * r.Value),
        ('+' or '-', var l, CIntLiteral { Value: 0 }) => l,
        ('+', var l, CIntLiteral { Value: < 0 } r) => Simplify(new CIntBinary('-', l, new CIntLiteral(-r.Value))),
        ('-', var l, CIntLiteral { Value: < 0 } r) => Simplify(new CIntBinary('+', l, new CIntLiteral(-r.Value))),
        ('+', CIntLiteral { Value: 0 }, var r) => r,
        ('*', CIntLiteral { Value: 0 }, _) or ('*', _, CIntLiteral { Value: 0 }) => new CIntLiteral(0),
        ('*', CIntLiteral { Value: 1 }, var r) => r,
        ('*', var l, CIntLiteral { Value: 1 }) => l,
        // (a + 1) + 4 → a + 5; (a + 1) - 1 → a
        ('+' or '-', CIntBinary { Op: '+' or '-', Right: CIntLiteral inner } l, CIntLiteral outer) =>
            Simplify(new CIntBinary(l.Op, l.Left, new CIntLiteral(inner.Value + (l.Op == b.Op ? outer.Value : -outer.Value)))),
        _ => b,
    };
}
