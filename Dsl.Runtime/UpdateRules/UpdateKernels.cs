using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OptDsl.Runtime;

/// <summary>
/// The first-order update rules' steps, each one pass over x, the gradient and the rule's state (and the box's bounds
/// when there is one): <see cref="Vector{T}"/> loads and stores through <c>ref</c>/<see cref="Unsafe.Add{T}(ref T, int)"/>
/// (no bounds checks), the step's constants in locals, then a scalar tail.
/// </summary>
/// <remarks>
/// <para>
/// Bit for bit the values of the rules as they were (a sequence of <c>TensorPrimitives</c> calls, one rounding per
/// operation): every entry goes through the same IEEE operations in the same order. <c>TensorPrimitives.MultiplyAdd</c>
/// is a multiply then an add, two roundings (not a fused multiply-add), and so is <c>a * b + c</c> here; the JIT does not
/// contract it. The vector and scalar paths do the same operations; <see cref="Vector.Max{T}(Vector{T}, Vector{T})"/>
/// and <see cref="Math.Max(double, double)"/> are both IEEE 754:2019 maximum, as <c>TensorPrimitives.Max</c>; the
/// projection is <see cref="Math.Clamp(double, double, double)"/>'s comparisons (x &lt; lower, then x &gt; upper), so a
/// NaN stays NaN and −0 inside [−0, +0] is kept. <c>FusedUpdateRuleTests</c> checks all of it against the old rules.
/// </para>
/// <para>
/// Every option that changes the work per entry is a type argument (<see cref="Yes"/> or <see cref="No"/>), so the JIT
/// compiles one loop per combination with no test inside it. An empty <c>lower</c> means no box.
/// </para>
/// </remarks>
internal static class UpdateKernels
{
    /// <summary>A compile-time switch for the JIT: a kernel instantiated with <see cref="Yes"/> or <see cref="No"/>.</summary>
    internal interface IFlag
    {
        static abstract bool On { get; }
    }

    internal readonly struct Yes : IFlag
    {
        public static bool On => true;
    }

    internal readonly struct No : IFlag
    {
        public static bool On => false;
    }

    private static int Width => Vector<double>.Count;

    /// <summary><see cref="Math.Clamp(double, double, double)"/> lane by lane (lower ≤ upper).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> Clamp(Vector<double> x, Vector<double> lower, Vector<double> upper) =>
        Vector.ConditionalSelect(Vector.LessThan(x, lower), lower, Vector.ConditionalSelect(Vector.GreaterThan(x, upper), upper, x));

    /// <summary><see cref="Math.Clamp(double, double, double)"/> without its lower ≤ upper check (the box guarantees it).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Clamp(double x, double lower, double upper) => x < lower ? lower : x > upper ? upper : x;

    /// <summary>
    /// Plain gradient step, and momentum with μ = 0: d = g (+ λx), x ← P(d·(−γ) + x).
    /// </summary>
    public static void Sgd<TDecay, TBox>(Span<double> x, ReadOnlySpan<double> gradient, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper,
        double weightDecay, double learningRate)
        where TDecay : struct, IFlag
        where TBox : struct, IFlag
    {
        int n = x.Length;
        ref double rx = ref MemoryMarshal.GetReference(x);
        ref double rg = ref MemoryMarshal.GetReference(gradient);
        ref double rl = ref MemoryMarshal.GetReference(lower);
        ref double ru = ref MemoryMarshal.GetReference(upper);
        double step = -learningRate;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vDecay = new Vector<double>(weightDecay);
            var vStep = new Vector<double>(step);
            for (; i <= n - Width; i += Width)
            {
                nuint k = (nuint)i;
                var xi = Vector.LoadUnsafe(ref rx, k);
                var d = Vector.LoadUnsafe(ref rg, k);
                if (TDecay.On) d = xi * vDecay + d;
                xi = d * vStep + xi;
                if (TBox.On) xi = Clamp(xi, Vector.LoadUnsafe(ref rl, k), Vector.LoadUnsafe(ref ru, k));
                xi.StoreUnsafe(ref rx, k);
            }
        }
        for (; i < n; i++)
        {
            double xi = Unsafe.Add(ref rx, i);
            double d = Unsafe.Add(ref rg, i);
            if (TDecay.On) d = xi * weightDecay + d;
            xi = d * step + xi;
            if (TBox.On) xi = Clamp(xi, Unsafe.Add(ref rl, i), Unsafe.Add(ref ru, i));
            Unsafe.Add(ref rx, i) = xi;
        }
    }

    /// <summary>
    /// Momentum μ &gt; 0: d = g (+ λx); b ← d on the first step, else b ← d·(1 − τ) + b·μ; d ← b·μ + d (Nesterov) or
    /// d ← b; x ← P(d·(−γ) + x).
    /// </summary>
    public static void Momentum<TDecay, TFirst, TNesterov, TBox>(Span<double> x, ReadOnlySpan<double> gradient, Span<double> buffer,
        ReadOnlySpan<double> lower, ReadOnlySpan<double> upper, double weightDecay, double momentum, double dampening, double learningRate)
        where TDecay : struct, IFlag
        where TFirst : struct, IFlag
        where TNesterov : struct, IFlag
        where TBox : struct, IFlag
    {
        int n = x.Length;
        ref double rx = ref MemoryMarshal.GetReference(x);
        ref double rg = ref MemoryMarshal.GetReference(gradient);
        ref double rb = ref MemoryMarshal.GetReference(buffer);
        ref double rl = ref MemoryMarshal.GetReference(lower);
        ref double ru = ref MemoryMarshal.GetReference(upper);
        double keep = 1 - dampening, step = -learningRate;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vDecay = new Vector<double>(weightDecay);
            var vMomentum = new Vector<double>(momentum);
            var vKeep = new Vector<double>(keep);
            var vStep = new Vector<double>(step);
            for (; i <= n - Width; i += Width)
            {
                nuint k = (nuint)i;
                var xi = Vector.LoadUnsafe(ref rx, k);
                var d = Vector.LoadUnsafe(ref rg, k);
                if (TDecay.On) d = xi * vDecay + d;
                var b = TFirst.On ? d : d * vKeep + Vector.LoadUnsafe(ref rb, k) * vMomentum;
                b.StoreUnsafe(ref rb, k);
                d = TNesterov.On ? b * vMomentum + d : b;
                xi = d * vStep + xi;
                if (TBox.On) xi = Clamp(xi, Vector.LoadUnsafe(ref rl, k), Vector.LoadUnsafe(ref ru, k));
                xi.StoreUnsafe(ref rx, k);
            }
        }
        for (; i < n; i++)
        {
            double xi = Unsafe.Add(ref rx, i);
            double d = Unsafe.Add(ref rg, i);
            if (TDecay.On) d = xi * weightDecay + d;
            double b = TFirst.On ? d : d * keep + Unsafe.Add(ref rb, i) * momentum;
            Unsafe.Add(ref rb, i) = b;
            d = TNesterov.On ? b * momentum + d : b;
            xi = d * step + xi;
            if (TBox.On) xi = Clamp(xi, Unsafe.Add(ref rl, i), Unsafe.Add(ref ru, i));
            Unsafe.Add(ref rx, i) = xi;
        }
    }

    /// <summary>Adagrad: d = g (+ λx); s ← d·d + s; x ← P((d / (√s + ε))·(−γ̃) + x).</summary>
    public static void Adagrad<TDecay, TBox>(Span<double> x, ReadOnlySpan<double> gradient, Span<double> sum,
        ReadOnlySpan<double> lower, ReadOnlySpan<double> upper, double weightDecay, double eps, double learningRate)
        where TDecay : struct, IFlag
        where TBox : struct, IFlag
    {
        int n = x.Length;
        ref double rx = ref MemoryMarshal.GetReference(x);
        ref double rg = ref MemoryMarshal.GetReference(gradient);
        ref double rs = ref MemoryMarshal.GetReference(sum);
        ref double rl = ref MemoryMarshal.GetReference(lower);
        ref double ru = ref MemoryMarshal.GetReference(upper);
        double step = -learningRate;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vDecay = new Vector<double>(weightDecay);
            var vEps = new Vector<double>(eps);
            var vStep = new Vector<double>(step);
            for (; i <= n - Width; i += Width)
            {
                nuint k = (nuint)i;
                var xi = Vector.LoadUnsafe(ref rx, k);
                var d = Vector.LoadUnsafe(ref rg, k);
                if (TDecay.On) d = xi * vDecay + d;
                var s = d * d + Vector.LoadUnsafe(ref rs, k);
                s.StoreUnsafe(ref rs, k);
                xi = d / (Vector.SquareRoot(s) + vEps) * vStep + xi;
                if (TBox.On) xi = Clamp(xi, Vector.LoadUnsafe(ref rl, k), Vector.LoadUnsafe(ref ru, k));
                xi.StoreUnsafe(ref rx, k);
            }
        }
        for (; i < n; i++)
        {
            double xi = Unsafe.Add(ref rx, i);
            double d = Unsafe.Add(ref rg, i);
            if (TDecay.On) d = xi * weightDecay + d;
            double s = d * d + Unsafe.Add(ref rs, i);
            Unsafe.Add(ref rs, i) = s;
            xi = d / (Math.Sqrt(s) + eps) * step + xi;
            if (TBox.On) xi = Clamp(xi, Unsafe.Add(ref rl, i), Unsafe.Add(ref ru, i));
            Unsafe.Add(ref rx, i) = xi;
        }
    }

    /// <summary>
    /// RMSprop: d = g (+ λx); v ← (d·d)·(1 − α) + v·α; centered: ḡ ← d·(1 − α) + ḡ·α, w = √(v − ḡ·ḡ), else w = √v;
    /// w ← d / (w + ε); with momentum b ← b·μ + w and x ← P(b·(−γ) + x), else x ← P(w·(−γ) + x).
    /// </summary>
    public static void Rmsprop<TDecay, TCentered, TMomentum, TBox>(Span<double> x, ReadOnlySpan<double> gradient, Span<double> squareAverage,
        Span<double> gradientAverage, Span<double> buffer, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper,
        double weightDecay, double alpha, double eps, double momentum, double learningRate)
        where TDecay : struct, IFlag
        where TCentered : struct, IFlag
        where TMomentum : struct, IFlag
        where TBox : struct, IFlag
    {
        int n = x.Length;
        ref double rx = ref MemoryMarshal.GetReference(x);
        ref double rg = ref MemoryMarshal.GetReference(gradient);
        ref double rv = ref MemoryMarshal.GetReference(squareAverage);
        ref double ra = ref MemoryMarshal.GetReference(gradientAverage);
        ref double rb = ref MemoryMarshal.GetReference(buffer);
        ref double rl = ref MemoryMarshal.GetReference(lower);
        ref double ru = ref MemoryMarshal.GetReference(upper);
        double keep = 1 - alpha, step = -learningRate;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vDecay = new Vector<double>(weightDecay);
            var vAlpha = new Vector<double>(alpha);
            var vKeep = new Vector<double>(keep);
            var vEps = new Vector<double>(eps);
            var vMomentum = new Vector<double>(momentum);
            var vStep = new Vector<double>(step);
            for (; i <= n - Width; i += Width)
            {
                nuint k = (nuint)i;
                var xi = Vector.LoadUnsafe(ref rx, k);
                var d = Vector.LoadUnsafe(ref rg, k);
                if (TDecay.On) d = xi * vDecay + d;
                var v = d * d * vKeep + Vector.LoadUnsafe(ref rv, k) * vAlpha;
                v.StoreUnsafe(ref rv, k);
                Vector<double> w;
                if (TCentered.On)
                {
                    var a = d * vKeep + Vector.LoadUnsafe(ref ra, k) * vAlpha;
                    a.StoreUnsafe(ref ra, k);
                    w = Vector.SquareRoot(v - a * a);
                }
                else
                {
                    w = Vector.SquareRoot(v);
                }
                w = d / (w + vEps);
                if (TMomentum.On)
                {
                    w = Vector.LoadUnsafe(ref rb, k) * vMomentum + w;
                    w.StoreUnsafe(ref rb, k);
                }
                xi = w * vStep + xi;
                if (TBox.On) xi = Clamp(xi, Vector.LoadUnsafe(ref rl, k), Vector.LoadUnsafe(ref ru, k));
                xi.StoreUnsafe(ref rx, k);
            }
        }
        for (; i < n; i++)
        {
            double xi = Unsafe.Add(ref rx, i);
            double d = Unsafe.Add(ref rg, i);
            if (TDecay.On) d = xi * weightDecay + d;
            double v = d * d * keep + Unsafe.Add(ref rv, i) * alpha;
            Unsafe.Add(ref rv, i) = v;
            double w;
            if (TCentered.On)
            {
                double a = d * keep + Unsafe.Add(ref ra, i) * alpha;
                Unsafe.Add(ref ra, i) = a;
                w = Math.Sqrt(v - a * a);
            }
            else
            {
                w = Math.Sqrt(v);
            }
            w = d / (w + eps);
            if (TMomentum.On)
            {
                w = Unsafe.Add(ref rb, i) * momentum + w;
                Unsafe.Add(ref rb, i) = w;
            }
            xi = w * step + xi;
            if (TBox.On) xi = Clamp(xi, Unsafe.Add(ref rl, i), Unsafe.Add(ref ru, i));
            Unsafe.Add(ref rx, i) = xi;
        }
    }

    /// <summary>
    /// Adam and AdamW: decoupled x ← x·(1 − γλ) first, coupled d = x·λ + g, else d = g; m ← d·(1 − β₁) + m·β₁;
    /// v ← (d·d)·(1 − β₂) + v·β₂; AMSGrad v_max ← max(v_max, v) replaces v below;
    /// x ← P((m / (√v / √(1 − β₂ᵗ) + ε))·(−γ/(1 − β₁ᵗ)) + x).
    /// </summary>
    public static void Adam<TCoupled, TDecoupled, TAmsgrad, TBox>(Span<double> x, ReadOnlySpan<double> gradient, Span<double> m, Span<double> v,
        Span<double> vMax, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper, in AdamConstants c)
        where TCoupled : struct, IFlag
        where TDecoupled : struct, IFlag
        where TAmsgrad : struct, IFlag
        where TBox : struct, IFlag
    {
        int n = x.Length;
        ref double rx = ref MemoryMarshal.GetReference(x);
        ref double rg = ref MemoryMarshal.GetReference(gradient);
        ref double rm = ref MemoryMarshal.GetReference(m);
        ref double rv = ref MemoryMarshal.GetReference(v);
        ref double rw = ref MemoryMarshal.GetReference(vMax);
        ref double rl = ref MemoryMarshal.GetReference(lower);
        ref double ru = ref MemoryMarshal.GetReference(upper);
        double shrink = c.Shrink, decay = c.WeightDecay, beta1 = c.Beta1, keep1 = c.Keep1, beta2 = c.Beta2, keep2 = c.Keep2;
        double correction2 = c.BiasCorrection2Sqrt, eps = c.Eps, step = c.Step;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var vShrink = new Vector<double>(shrink);
            var vDecay = new Vector<double>(decay);
            var vBeta1 = new Vector<double>(beta1);
            var vKeep1 = new Vector<double>(keep1);
            var vBeta2 = new Vector<double>(beta2);
            var vKeep2 = new Vector<double>(keep2);
            var vCorrection2 = new Vector<double>(correction2);
            var vEps = new Vector<double>(eps);
            var vStep = new Vector<double>(step);
            for (; i <= n - Width; i += Width)
            {
                nuint k = (nuint)i;
                var xi = Vector.LoadUnsafe(ref rx, k);
                var d = Vector.LoadUnsafe(ref rg, k);
                if (TDecoupled.On) xi *= vShrink;
                if (TCoupled.On) d = xi * vDecay + d;
                var mi = d * vKeep1 + Vector.LoadUnsafe(ref rm, k) * vBeta1;
                mi.StoreUnsafe(ref rm, k);
                var vi = d * d * vKeep2 + Vector.LoadUnsafe(ref rv, k) * vBeta2;
                vi.StoreUnsafe(ref rv, k);
                if (TAmsgrad.On)
                {
                    vi = Vector.Max(Vector.LoadUnsafe(ref rw, k), vi);
                    vi.StoreUnsafe(ref rw, k);
                }
                xi = mi / (Vector.SquareRoot(vi) / vCorrection2 + vEps) * vStep + xi;
                if (TBox.On) xi = Clamp(xi, Vector.LoadUnsafe(ref rl, k), Vector.LoadUnsafe(ref ru, k));
                xi.StoreUnsafe(ref rx, k);
            }
        }
        for (; i < n; i++)
        {
            double xi = Unsafe.Add(ref rx, i);
            double d = Unsafe.Add(ref rg, i);
            if (TDecoupled.On) xi *= shrink;
            if (TCoupled.On) d = xi * decay + d;
            double mi = d * keep1 + Unsafe.Add(ref rm, i) * beta1;
            Unsafe.Add(ref rm, i) = mi;
            double vi = d * d * keep2 + Unsafe.Add(ref rv, i) * beta2;
            Unsafe.Add(ref rv, i) = vi;
            if (TAmsgrad.On)
            {
                vi = Math.Max(Unsafe.Add(ref rw, i), vi);
                Unsafe.Add(ref rw, i) = vi;
            }
            xi = mi / (Math.Sqrt(vi) / correction2 + eps) * step + xi;
            if (TBox.On) xi = Clamp(xi, Unsafe.Add(ref rl, i), Unsafe.Add(ref ru, i));
            Unsafe.Add(ref rx, i) = xi;
        }
    }

    /// <summary>The scalars of one Adam step, computed once per step exactly as the rule always has.</summary>
    internal readonly struct AdamConstants(double beta1, double beta2, double eps, double weightDecay, double learningRate, int t)
    {
        /// <summary>1 − γλ, AdamW's decoupled decay of x.</summary>
        public double Shrink { get; } = 1 - learningRate * weightDecay;
        public double WeightDecay { get; } = weightDecay;
        public double Beta1 { get; } = beta1;
        public double Keep1 { get; } = 1 - beta1;
        public double Beta2 { get; } = beta2;
        public double Keep2 { get; } = 1 - beta2;
        public double BiasCorrection2Sqrt { get; } = Math.Sqrt(1 - Math.Pow(beta2, t));
        public double Eps { get; } = eps;
        /// <summary>−γ/(1 − β₁ᵗ).</summary>
        public double Step { get; } = -(learningRate / (1 - Math.Pow(beta1, t)));
    }
}
