using System;
using System.Globalization;
using OptDsl.Compiler.Ir;

namespace OptDsl.Compiler.Emit;

/// <summary>Integer expressions (shapes, offsets, counts) as C# in member context: dims read from their fields.</summary>
internal static class MemberInts
{
    /// <summary>
    /// Every compound operand is parenthesized; <paramref name="outermost"/> leaves the whole expression bare (it stands alone).
    /// </summary>
    public static string Print(IntExpr e, ProblemNames names, bool outermost = false) => e switch
    {
        IntConst c => c.Value.ToString(CultureInfo.InvariantCulture),
        IntDim d => names.Field(d.Name),
        IntBinary b when outermost => $"{Print(b.Left, names)} {b.Op} {Print(b.Right, names)}",
        IntBinary b => $"({Print(b.Left, names)} {b.Op} {Print(b.Right, names)})",
        IntClamp c => $"global::System.Math.Max(0, {Print(c.Inner, names, outermost: true)})",
        _ => throw new InvalidOperationException("Index variable outside a loop"),
    };
}
