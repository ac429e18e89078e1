using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace OptDsl.Runtime;

/// <summary>
/// <see cref="OptMath"/>'s functions on four lanes at once, for the generated SIMD loops. Each lane follows the scalar
/// function's formula with <c>Vector256.Exp</c> and <c>Vector256.Log</c>
/// in place of <c>Math.Exp</c> and <c>Math.Log</c>: those are within one unit in the last
/// place of the correctly rounded result (as is <see cref="System.Math"/>), so a lane may differ from the scalar function
/// in its last bit. NaN in a lane stays NaN in that lane.
/// </summary>
public static class VectorMath
{
    /// <summary>log(1 + x) per lane, Goldberg's correction as <see cref="OptMath.Log1p"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Log1p(Vector256<double> x)
    {
        var u = Vector256.Create(1.0) + x;
        var m = u - Vector256.Create(1.0);
        // u == 1 → x (also where m = 0 would divide 0 by 0).
        return Vector256.ConditionalSelect(Vector256.Equals(m, Vector256<double>.Zero), x, Vector256.Log(u) * x / m);
    }

    /// <summary>1 / (1 + e^(−x)) per lane, one exp of −|x|, as <see cref="OptMath.Sigmoid"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Sigmoid(Vector256<double> x)
    {
        var e = Vector256.Exp(-Vector256.Abs(x));
        var one = Vector256.Create(1.0);
        return Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(x, Vector256<double>.Zero), one, e) / (one + e);
    }

    /// <summary>log(1 + e^x) = max(x, 0) + log1p(e^(−|x|)) per lane, as <see cref="OptMath.Softplus"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Softplus(Vector256<double> x) =>
        Vector256.Max(x, Vector256<double>.Zero) + Log1p(Vector256.Exp(-Vector256.Abs(x)));

    /// <summary>max(x, 0) per lane; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Relu(Vector256<double> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<double>.Zero) | ~Vector256.Equals(x, x), x, Vector256<double>.Zero);

    /// <summary>sign(x) per lane, sign(±0) = ±0; NaN stays NaN.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Sign(Vector256<double> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<double>.Zero), Vector256.Create(1.0),
            Vector256.ConditionalSelect(Vector256.LessThan(x, Vector256<double>.Zero), Vector256.Create(-1.0), x));

    /// <summary>1 for x &gt; 0, else 0, per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> Step(Vector256<double> x) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(x, Vector256<double>.Zero), Vector256.Create(1.0), Vector256<double>.Zero);

    // ---- Interleaved pairs (x[2i], x[2i + 1]) ----------------------------------------------------------------
    // Four pairs from `first` on are eight elements, two vectors. Avx.UnpackLow/UnpackHigh split them into the four even
    // and the four odd elements, in the lane order of their 128-bit halves: pairs 0, 2, 1, 3. The same instructions put
    // them back in place. Callers check Avx.IsSupported.

    /// <summary>Elements first, first + 4, first + 2, first + 6: the even halves of four pairs, in pair lane order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> LoadEvens(ref double vector, nuint first) =>
        Avx.UnpackLow(Vector256.LoadUnsafe(ref vector, first), Vector256.LoadUnsafe(ref vector, first + 4));

    /// <summary>Elements first + 1, first + 5, first + 3, first + 7: the odd halves of four pairs, in pair lane order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> LoadOdds(ref double vector, nuint first) =>
        Avx.UnpackHigh(Vector256.LoadUnsafe(ref vector, first), Vector256.LoadUnsafe(ref vector, first + 4));

    /// <summary>Writes four pairs from <paramref name="first"/> on: even elements from <paramref name="evens"/>, odd from <paramref name="odds"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StorePairs(ref double vector, nuint first, Vector256<double> evens, Vector256<double> odds)
    {
        Avx.UnpackLow(evens, odds).StoreUnsafe(ref vector, first);
        Avx.UnpackHigh(evens, odds).StoreUnsafe(ref vector, first + 4);
    }

    /// <summary>Adds <paramref name="evens"/> and <paramref name="odds"/> to four pairs from <paramref name="first"/> on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AddPairs(ref double vector, nuint first, Vector256<double> evens, Vector256<double> odds)
    {
        (Vector256.LoadUnsafe(ref vector, first) + Avx.UnpackLow(evens, odds)).StoreUnsafe(ref vector, first);
        (Vector256.LoadUnsafe(ref vector, first + 4) + Avx.UnpackHigh(evens, odds)).StoreUnsafe(ref vector, first + 4);
    }
}
