using System.Linq;
using System.Text;

namespace OptDsl.Compiler.Ir;

/// <summary>Prints IR in the .opt language's own notation, for dumps, snapshots and generated comments.</summary>
public static class ExprPrinter
{
    public static string Print(Expr e)
    {
        var sb = new StringBuilder();
        Write(sb, e, 0);
        return sb.ToString();
    }

    // Precedence: 0 lowest (+ -), 1 (* /), 2 unary minus, 3 (^), 4 atoms.
    private static void Write(StringBuilder sb, Expr e, int context)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.EnsureSufficientExecutionStack();
        switch (e.Kind)
        {
            case ExprKind.Const:
                if (e.Value < 0 && context > 0) sb.Append('(').Append(Expr.Format(e.Value)).Append(')');
                else sb.Append(Expr.Format(e.Value));
                break;
            case ExprKind.IndexValue:
                string text = e.Indices[0].ToString()!;
                sb.Append(e.Indices[0] is IntBinary && context > 0 ? $"({text})" : text);
                break;
            case ExprKind.Param:
                sb.Append(e.Symbol);
                break;
            case ExprKind.ScalarizationWeight:
                sb.Append("weight[").Append((int)e.Value).Append(']');
                break;
            case ExprKind.ScalarizationLevel:
                sb.Append("level[").Append((int)e.Value).Append(']');
                break;
            case ExprKind.Data:
            case ExprKind.Var:
            case ExprKind.Dir:
            case ExprKind.Mult:
                string prefix = e.Kind switch { ExprKind.Dir => "v:", ExprKind.Mult => "λ:", _ => "" };
                sb.Append(prefix).Append(e.Symbol);
                if (e.Indices.Count > 0) sb.Append('[').Append(string.Join(", ", e.Indices.Select(i => i.ToString()))).Append(']');
                break;
            case ExprKind.Add:
            case ExprKind.Sub:
                Infix(sb, e, e.Kind == ExprKind.Add ? " + " : " - ", 0, context);
                break;
            case ExprKind.Mul:
            case ExprKind.Div:
                Infix(sb, e, e.Kind == ExprKind.Mul ? " * " : " / ", 1, context);
                break;
            case ExprKind.Pow:
                if (context > 3) sb.Append('(');
                Write(sb, e.Args[0], 4);
                sb.Append('^');
                Write(sb, e.Args[1], 4);
                if (context > 3) sb.Append(')');
                break;
            case ExprKind.Neg:
                if (context > 2) sb.Append('(');
                sb.Append('-');
                Write(sb, e.Args[0], 3);
                if (context > 2) sb.Append(')');
                break;
            case ExprKind.Min:
            case ExprKind.Max:
                sb.Append(e.Kind == ExprKind.Min ? "min(" : "max(");
                Write(sb, e.Args[0], 0);
                sb.Append(", ");
                Write(sb, e.Args[1], 0);
                sb.Append(')');
                break;
            case ExprKind.Call:
                sb.Append(ElementaryFunctions.Of(e.Func).Name).Append('(');
                Write(sb, e.Args[0], 0);
                sb.Append(')');
                break;
            case ExprKind.Select:
                sb.Append("if(");
                Write(sb, e.Args[0], 0);
                sb.Append(e.Comparison switch { Comparison.Greater => " > 0, ", Comparison.GreaterOrEqual => " >= 0, ", _ => " == 0, " });
                Write(sb, e.Args[1], 0);
                sb.Append(", ");
                Write(sb, e.Args[2], 0);
                sb.Append(')');
                break;
            case ExprKind.Sum:
            case ExprKind.Prod:
            case ExprKind.MaxReduce:
                if (context > 1) sb.Append('(');
                var i = e.Bound!;
                sb.Append(e.Kind switch { ExprKind.Sum => "sum", ExprKind.Prod => "prod", _ => "max" })
                  .Append('(').Append(i).Append(" in ").Append(i.Lower).Append("..").Append(i.Upper).Append(") ");
                Write(sb, e.Args[0], 1);
                if (context > 1) sb.Append(')');
                break;
        }
    }

    private static void Infix(StringBuilder sb, Expr e, string op, int precedence, int context)
    {
        bool paren = context > precedence;
        if (paren) sb.Append('(');
        Write(sb, e.Args[0], precedence);
        sb.Append(op);
        // Right operands of - and / bind tighter to keep a - (b - c) and a / (b * c) unambiguous.
        Write(sb, e.Args[1], e.Kind is ExprKind.Sub or ExprKind.Div ? precedence + 1 : precedence);
        if (paren) sb.Append(')');
    }
}
