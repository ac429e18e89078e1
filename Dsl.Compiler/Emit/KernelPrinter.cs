using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Schedule;

namespace OptDsl.Compiler.Emit;

/// <summary>
/// Prints a <see cref="KernelPlan"/> as C#, through the one <see cref="SourceWriter"/> of the class being written. It
/// decides nothing about the computation: only spelling, parentheses and the escaping of .opt text in comments.
/// </summary>
internal sealed class KernelPrinter(SourceWriter writer, string fileName)
{
    private const string Tensor = "global::System.Numerics.Tensors.TensorPrimitives";
    private const string Vector256 = "global::System.Runtime.Intrinsics.Vector256";
    private const string Memory = "global::System.Runtime.InteropServices.MemoryMarshal";

    /// <summary>The largest buffer of an indexed value taken on the stack (32 KB); a larger one is an array.</summary>
    private const int StackBuffer = 4096;

    /// <summary>The ref locals declared by the SIMD loops being printed (a row loop's enclose its inner loops').</summary>
    private readonly HashSet<string> _refsInScope = new(StringComparer.Ordinal);

    /// <summary>Locals of the problem's symbols, clears, views, then the statements.</summary>
    public void Print(KernelPlan plan)
    {
        foreach (var local in plan.Locals) writer.Line(Declaration(local));
        foreach (var clear in plan.Clears) writer.Line(Clear(clear));
        foreach (var slice in plan.Slices)
        {
            string type = slice.ReadOnly ? "global::System.ReadOnlySpan<double>" : "global::System.Span<double>";
            writer.Line($"{type} {slice.Name} = {slice.Vector}.Slice({MemberInt(slice.Offset)}, {MemberInt(slice.Size)});");
        }
        Statements(plan.Body);
    }

    private static string Declaration(SymbolLocal local) => local.Kind switch
    {
        SymbolLocalKind.Dim => $"int {local.Name} = {local.Member};",
        SymbolLocalKind.DataArray => $"double[] {local.Name} = {local.Member};",
        _ => $"double {local.Name} = {local.Member};",
    };

    private static string Clear(VectorClear clear) =>
        clear.Offset is null ? $"{clear.Vector}.Clear();" : $"{clear.Vector}.Slice({MemberInt(clear.Offset)}, {MemberInt(clear.Size!)}).Clear();";

    private void Statements(IReadOnlyList<Statement> statements)
    {
        foreach (var statement in statements)
        {
            CompilerCancellation.Check();
            switch (statement)
            {
                case DeclareBuffer b:
                    writer.Line(b.Size is CIntLiteral { Value: <= StackBuffer }
                        ? $"global::System.Span<double> {b.Name} = stackalloc double[{Int(b.Size)}];"
                        : $"global::System.Span<double> {b.Name} = {Int(b.Size)} <= {StackBuffer} ? stackalloc double[{Int(b.Size)}] : new double[{Int(b.Size)}];");
                    break;
                case DeclareLocal d:
                    writer.Line($"double {d.Name} = {Code(d.Value)};");
                    break;
                case Loop loop:
                    using (writer.Block($"for (int {loop.Index} = {Int(loop.Lower)}; {loop.Index} < {Int(loop.Upper)}; {loop.Index}++)"))
                        Statements(loop.Body);
                    break;
                case Assign a:
                    writer.Line($"{a.Array}[{Int(a.Index)}] {(a.Accumulate ? "+=" : "=")} {Code(a.Value)};");
                    break;
                case Fold f:
                    string value = Code(f.Value);
                    writer.Line(f.Reduction switch
                    {
                        ExprKind.Sum => $"{f.Accumulator} += {value};",
                        ExprKind.Prod => $"{f.Accumulator} *= {value};",
                        _ => $"{f.Accumulator} = global::System.Math.Max({f.Accumulator}, {value});",
                    });
                    break;
                case Comment c:
                    writer.Line("// " + CommentText(c.What));
                    break;
                case VectorReduction r:
                    writer.Line($"double {r.Name} = {Tensor}.{r.Kind}({string.Join(", ", r.Operands.Select(Vector))});");
                    break;
                case VectorUpdate u:
                    string x = Vector(u.Source);
                    writer.Line((u.Scale, u.Accumulate) switch
                    {
                        (null, true) => $"{Tensor}.Add({u.Target}, {x}, {u.Target});",
                        (null, false) => $"{x}.CopyTo({u.Target});",
                        (_, true) => $"{Tensor}.MultiplyAdd({x}, {Code(u.Scale!)}, {u.Target}, {u.Target});",
                        _ => $"{Tensor}.Multiply({x}, {Code(u.Scale!)}, {u.Target});",
                    });
                    break;
                case SimdLoop simd:
                    PrintSimdLoop(simd);
                    break;
                case VectorDeclare d:
                    writer.Line($"var {d.Name} = {Code(d.Value)};");
                    break;
                case VectorFold f:
                    writer.Line($"{f.Accumulator} += {Code(f.Value)};");
                    break;
                case VectorPairStore p:
                    writer.Line($"global::OptDsl.Runtime.VectorMath.{(p.Accumulate ? "AddPairs" : "StorePairs")}(ref {p.Ref}, {Offset(p.Index)}, {Code(p.Evens)}, {Code(p.Odds)});");
                    break;
                case VectorStore st:
                    string at = $"ref {st.Ref}, {Offset(st.Index)}";
                    if (st.Accumulate)
                    {
                        // g + (a) + (b): each value added to the running total as its own += would (a chain in parentheses).
                        var sum = new StringBuilder($"{Vector256}.LoadUnsafe({at})");
                        foreach (var added in st.Values)
                        {
                            sum.Append(" + ");
                            Write(sum, added, 1);
                        }
                        writer.Line($"{Vector256}.StoreUnsafe({sum}, {at});");
                    }
                    else
                    {
                        writer.Line($"{Vector256}.StoreUnsafe({Code(st.Values[0])}, {at});");
                    }
                    break;
                case ExtractLane e:
                    writer.Line($"double {e.Name} = {Vector256}.GetElement({e.Vector}, {e.Lane});");
                    break;
                case PackLanes pack:
                    writer.Line($"var {pack.Name} = {Vector256}.Create({string.Join(", ", pack.Lanes)});");
                    break;
                default:
                    throw new InvalidOperationException("Unexpected statement " + statement.GetType().Name);
            }
        }
    }

    /// <summary>
    /// <code>
    /// {
    ///     int j = lo;
    ///     if (Vector256.IsHardwareAccelerated &amp;&amp; hi - j &gt;= 4 &amp;&amp; ranges in bounds) { refs; broadcasts; lane loops; sums of lanes }
    ///     for (; j &lt; hi; j++) { the scalar body }
    /// }
    /// </code>
    /// </summary>
    private void PrintSimdLoop(SimdLoop simd)
    {
        var loop = simd.Scalar;
        string j = loop.Index, hi = Int(loop.Upper);
        int w = Schedule.LoopVectorizer.Width;
        using (writer.Block(null))
        {
            writer.Line($"int {j} = {Int(loop.Lower)};");
            // The lanes run when the hardware has them, there are enough elements, and every vector's range is in bounds.
            string gate = simd.Pairs ? "global::System.Runtime.Intrinsics.X86.Avx.IsSupported" : $"{Vector256}.IsHardwareAccelerated";
            var conditions = new List<string> { $"{gate} && {Minus(loop.Upper, j)} >= {w}" };
            conditions.AddRange(simd.Guards.Select(g => $"global::OptDsl.Runtime.GeneratedSupport.InRange({g.Vector}.Length, {Int(g.First)}, {Int(g.Last)})"));
            for (int k = 0; k < conditions.Count - 1; k++) writer.Line((k == 0 ? "if (" : "    && ") + conditions[k]);
            using (writer.Block((conditions.Count == 1 ? "if (" : "    && ") + conditions[conditions.Count - 1] + ")"))
            {
                if (simd.Rows)
                    writer.Line($"// {w} rows per step: the row's own statements in the {w} lanes, each inner loop once for the {w} rows; the loop below finishes the rest");
                else writer.Line((simd.Pairs ? $"// {w} pairs per vector (even and odd elements apart)" : $"// {w} elements per vector")
                    + (simd.Unroll > 1 ? $", {w * simd.Unroll} per step with {simd.Unroll} partial sums; the loops below finish the rest" : "; the loop below finishes the rest"));
                // A loop inside a row loop uses the refs the row loop declared (one ref per vector in the method).
                var declared = simd.Refs.Where(r => _refsInScope.Add(r.Name)).ToList();
                foreach (var r in declared)
                    writer.Line($"ref double {r.Name} = ref {Memory}.{(r.IsArray ? "GetArrayDataReference" : "GetReference")}({r.Vector});");
                foreach (var b in simd.Broadcasts) writer.Line($"var {b.Name} = {Vector256}.Create({Code(b.Value)});");
                foreach (var a in simd.Accumulators)
                    foreach (var lane in a.Lanes) writer.Line($"var {lane} = {Vector256}<double>.Zero;");
                if (simd.Unroll > 1)
                {
                    using (writer.Block($"for (; {j} <= {Minus(loop.Upper, w * simd.Unroll)}; {j} += {w * simd.Unroll})"))
                    {
                        foreach (var copy in simd.Unrolled)
                        {
                            if (copy.Any(s => s is VectorDeclare))
                                using (writer.Block(null)) Statements(copy);
                            else
                                Statements(copy);
                        }
                    }
                }
                using (writer.Block($"for (; {j} <= {Minus(loop.Upper, w)}; {j} += {w})"))
                    Statements(simd.Body);
                foreach (var a in simd.Accumulators)
                    writer.Line($"{a.Scalar} += {Vector256}.Sum({PairwiseSum(a.Lanes, 0, a.Lanes.Count)});");
                foreach (var r in declared) _refsInScope.Remove(r.Name);
            }
            using (writer.Block($"for (; {j} < {hi}; {j}++)"))
                Statements(loop.Body);
        }
    }

    /// <summary>(a + b) + (c + d): the lanes' partial sums added as a balanced tree.</summary>
    private static string PairwiseSum(IReadOnlyList<string> lanes, int from, int count) => count switch
    {
        1 => lanes[from],
        2 => $"{lanes[from]} + {lanes[from + 1]}",
        _ => $"({PairwiseSum(lanes, from, count / 2)}) + ({PairwiseSum(lanes, from + count / 2, count - count / 2)})",
    };

    /// <summary><c>upper - k</c> (k an index name or a count), parenthesized as C# needs.</summary>
    private static string Minus(CInt upper, string k) => Int(new CIntBinary('-', upper, new CIntName(k)));

    private static string Minus(CInt upper, int k) => Int(new CIntBinary('-', upper, new CIntLiteral(k)));

    /// <summary>An element offset of an unchecked load or store.</summary>
    private static string Offset(CInt index) => index is CIntName n ? $"(nuint){n.Name}" : $"(nuint)({Int(index)})";

    private string CommentText(KernelComment comment) => comment switch
    {
        SourceComment s => $"{CSharpNames.CommentText(s.Text)} ({CSharpNames.CommentText($"{fileName}:{s.Line}")})",
        LabelComment l => CSharpNames.CommentText(l.Label),
        DerivativeComment { AllElements: true } d => $"{Of(d)}∂{CSharpNames.CommentText(d.Variable)}, all elements at once",
        DerivativeComment d => $"{Of(d)}∂{CSharpNames.CommentText(d.Variable)}{Indices(d.Indices)}",
        _ => throw new InvalidOperationException(),
    };

    /// <summary>"∂/" for a gradient; "∂ label[indices]/" for a row of a Jacobian (a constraint family, a block of residuals).</summary>
    private static string Of(DerivativeComment d) => d.Row is null ? "∂/" : $"∂ {CSharpNames.CommentText(d.Row)}{Indices(d.RowIndices ?? [])}/";

    private static string Indices(IReadOnlyList<CInt> indices) => indices.Count == 0 ? "" : $"[{string.Join(", ", indices.Select(Int))}]";

    /// <summary>
    /// Data is a double[]: passed as a span, so TensorPrimitives' generic overloads apply (an array infers no T, and the
    /// float overload would be picked) and CopyTo needs no using directive.
    /// </summary>
    private static string Vector(VectorOperand v) =>
        v.IsDataArray ? $"new global::System.ReadOnlySpan<double>({v.Name})" : v.IsWritableSpan ? $"(global::System.ReadOnlySpan<double>){v.Name}" : v.Name;

    // ---- Expressions ---------------------------------------------------------------------------------------

    // Expression text is appended to one StringBuilder: building it by nested interpolation would copy the growing
    // left operand at every level of a long chain (quadratic in the chain's length).
    // Precedence: 0 additive, 1 multiplicative, 2 unary, 3 primary.

    private static string Code(CExpr e)
    {
        var sb = new StringBuilder();
        Write(sb, e, 0);
        return sb.ToString();
    }

    private static int Precedence(CExpr e) => e switch
    {
        CChain => 0,
        CBinary => 1,
        CNegate or CIndexValue => 2,
        CLiteral l => l.Value < 0 ? 2 : 3,
        _ => 3,
    };

    private static void Write(StringBuilder sb, CExpr e, int context)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        bool paren = Precedence(e) < context;
        if (paren) sb.Append('(');
        switch (e)
        {
            case CName n:
                sb.Append(n.Name);
                break;
            case CLiteral l:
                sb.Append(CSharpNames.Literal(l.Value));
                break;
            case CIndexValue i:
                sb.Append("(double)").Append(IntAtom(i.Index));
                break;
            case CElement el:
                sb.Append(el.Array).Append('[').Append(Int(el.Index)).Append(']');
                break;
            case CChain c:
                Write(sb, c.First, 0);
                foreach (var (minus, operand) in c.Rest)
                {
                    sb.Append(minus ? " - " : " + ");
                    Write(sb, operand, minus ? 1 : 0);
                }
                break;
            case CBinary b:
                Write(sb, b.Left, 1);
                sb.Append(b.Op == '*' ? " * " : " / ");
                Write(sb, b.Right, 2);
                break;
            case CNegate n:
                sb.Append('-');
                Write(sb, n.Operand, 2);
                break;
            case CCall call:
                sb.Append(call.Method).Append('(');
                for (int k = 0; k < call.Arguments.Count; k++)
                {
                    if (k > 0) sb.Append(", ");
                    Write(sb, call.Arguments[k], 0);
                }
                sb.Append(')');
                break;
            case CVectorLoad load:
                sb.Append(Vector256).Append(".LoadUnsafe(ref ").Append(load.Ref).Append(", ").Append(Offset(load.Index)).Append(')');
                break;
            case CVectorPairLoad pair:
                sb.Append("global::OptDsl.Runtime.VectorMath.").Append(pair.Odd ? "LoadOdds" : "LoadEvens")
                  .Append("(ref ").Append(pair.Ref).Append(", ").Append(Offset(pair.Index)).Append(')');
                break;
            case CVectorConstant k:
                sb.Append(Vector256).Append(".Create(").Append(CSharpNames.Literal(k.Value)).Append(')');
                break;
            case CVectorIndex vi:
                sb.Append('(').Append(Vector256).Append(".Create((double)").Append(IntAtom(vi.Index)).Append(')');
                if (vi.Step != 0)
                {
                    // Iteration of each lane: 0, 1, 2, 3, or 0, 2, 1, 3 in a pair loop.
                    string Lane(long k) => CSharpNames.Literal((vi.PairOrder && k is 1 or 2 ? 3 - k : k) * vi.Step);
                    sb.Append(" + ").Append(Vector256).Append(".Create(").Append(Lane(0)).Append(", ").Append(Lane(1)).Append(", ")
                      .Append(Lane(2)).Append(", ").Append(Lane(3)).Append(')');
                }
                sb.Append(')');
                break;
            case CVectorSelect vs:
                sb.Append(Vector256).Append(".ConditionalSelect(").Append(Vector256)
                  .Append(vs.Comparison switch { Comparison.Greater => ".GreaterThan(", Comparison.GreaterOrEqual => ".GreaterThanOrEqual(", _ => ".Equals(" });
                Write(sb, vs.Condition, 0);
                sb.Append(", ").Append(Vector256).Append("<double>.Zero), ");
                Write(sb, vs.WhenTrue, 0);
                sb.Append(", ");
                Write(sb, vs.WhenFalse, 0);
                sb.Append(')');
                break;
            case CConditional c:
                sb.Append('(');
                Write(sb, c.Condition, 0);
                sb.Append(c.Comparison switch { Comparison.Greater => " > ", Comparison.GreaterOrEqual => " >= ", _ => " == " }).Append("0.0 ? ");
                Write(sb, c.WhenTrue, 0);
                sb.Append(" : ");
                Write(sb, c.WhenFalse, 0);
                sb.Append(')');
                break;
            default:
                throw new InvalidOperationException("Unexpected expression " + e.GetType().Name);
        }
        if (paren) sb.Append(')');
    }

    // ---- Integer expressions -------------------------------------------------------------------------------

    /// <summary>An index inside a kernel: parentheses only where C# needs them.</summary>
    private static string Int(CInt e) => e switch
    {
        CIntLiteral c => c.Value.ToString(CultureInfo.InvariantCulture),
        CIntName n => n.Name,
        CIntBinary b => $"{IntOperand(b.Left, b.Op, false)} {b.Op} {IntOperand(b.Right, b.Op, true)}",
        CIntClamp c => $"global::System.Math.Max(0, {Int(c.Inner)})",
        _ => throw new InvalidOperationException(),
    };

    private static string IntOperand(CInt e, char parentOp, bool right)
    {
        string text = Int(e);
        bool needs = e is CIntBinary child && (parentOp == '*' && child.Op != '*' || parentOp == '-' && right && child.Op != '*');
        return needs ? "(" + text + ")" : text;
    }

    private static string IntAtom(CInt e) => e is CIntBinary ? "(" + Int(e) + ")" : Int(e);

    /// <summary>An offset or size of a method's views and clears: every compound operand in parentheses.</summary>
    private static string MemberInt(CInt e) => e switch
    {
        CIntLiteral c => c.Value.ToString(CultureInfo.InvariantCulture),
        CIntName n => n.Name,
        CIntBinary b => $"{(b.Left is CIntBinary ? "(" + MemberInt(b.Left) + ")" : MemberInt(b.Left))} {b.Op} {(b.Right is CIntBinary ? "(" + MemberInt(b.Right) + ")" : MemberInt(b.Right))}",
        CIntClamp c => $"global::System.Math.Max(0, {MemberInt(c.Inner)})",
        _ => throw new InvalidOperationException(),
    };
}
