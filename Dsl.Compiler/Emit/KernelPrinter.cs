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
                default:
                    throw new InvalidOperationException("Unexpected statement " + statement.GetType().Name);
            }
        }
    }

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
    private static string Vector(VectorOperand v) => v.IsDataArray ? $"new global::System.ReadOnlySpan<double>({v.Name})" : v.Name;

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
