using System;
using System.Linq;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using OptDsl.Runtime;
using OptDsl.Runtime.Internal;
using OptDsl.Tests.Runtime;

namespace OptDsl.Benchmarks;

/// <summary>
/// One step of each first-order update rule at N = 10⁷ variables, the gradient given (a pool of two precomputed
/// gradients, alternated), with and without a box (<see cref="Case"/> "rule" or "rule+box"):
/// <list type="bullet">
/// <item><see cref="Fused"/>: the runtime's rule as the solvers drive it (<see cref="UpdateRule.StepInBox"/>, one pass);</item>
/// <item><see cref="TensorPrimitivesSequence"/>: the rule as it was, a sequence of TensorPrimitives calls and then the
/// projection (<see cref="ReferenceUpdateRule"/>, linked from the tests);</item>
/// <item><see cref="Triad"/>: a STREAM-like triad a[i] = b[i] + s·c[i] over three other arrays of N doubles, 24 bytes per
/// entry, in the same run and the same case, so that each case's bandwidth is compared with the machine's at about the
/// same moment.</item>
/// </list>
/// <see cref="UpdateRuleBandwidthReport"/> turns the times into bytes the fused pass must move per step (STREAM's
/// count: each array read counts 8 bytes per entry, each array written 8 more; <see cref="BytesPerEntry"/>) ÷ time, as a
/// fraction of the triad's bandwidth. Target: ≥ 0.80 for every rule. <see cref="TriadBenchmarks"/> measures the triad once
/// more with non-temporal stores, the stricter reference.
/// </summary>
public class UpdateRuleBenchmarks
{
    /// <summary>The number of variables: 80 MB per vector, far beyond the caches.</summary>
    public const int N = 10_000_000;

    private const double LearningRate = 1e-4;

    /// <summary>Every case: the rules, each in its heaviest form that matters for memory traffic, with and without a box.</summary>
    public static string[] AllCases { get; } =
    [
        "gd", "gd+box", "momentum", "momentum+box", "nesterov", "nesterov+box", "adagrad", "adagrad+box",
        "rmsprop", "rmsprop+box", "rmsprop-centered-momentum", "rmsprop-centered-momentum+box",
        "adam", "adam+box", "adam-amsgrad", "adam-amsgrad+box", "adamw", "adamw+box",
    ];

    /// <summary>
    /// The cases run: all of them, or those named in the environment variable <c>OPTDSL_UPDATE_CASES</c> (comma-separated,
    /// e.g. <c>adam,adam+box</c>) to measure a few again without the whole class.
    /// </summary>
    public static string[] Cases { get; } =
        Environment.GetEnvironmentVariable("OPTDSL_UPDATE_CASES") is { Length: > 0 } only
            ? [.. only.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(c => AllCases.Contains(c) ? true : throw new ArgumentException($"OPTDSL_UPDATE_CASES: unknown case {c}."))]
            : AllCases;

    private UpdateRule _rule = null!;
    private ReferenceUpdateRule _reference = null!;
    private Box _box = null!;
    private double[] _x = [], _xOld = [], _lower = [], _upper = [];
    private double[]? _oldLower, _oldUpper;
    private readonly double[][] _gradients = new double[2][];
    private double[] _a = [], _b = [], _c = [];
    private int _step, _stepOld;

    /// <summary>"rule" or "rule+box" (a box on every variable).</summary>
    [ParamsSource(nameof(Cases))]
    public string Case { get; set; } = "adam";

    /// <summary>
    /// Bytes per entry one fused step must read and write (STREAM's count, no write-allocate traffic): x read and written,
    /// the gradient read, each state vector read and written, the two bounds read with a box.
    /// </summary>
    public static int BytesPerEntry(string benchmarkCase)
    {
        bool box = benchmarkCase.EndsWith("+box", StringComparison.Ordinal);
        int stateVectors = benchmarkCase.Replace("+box", "", StringComparison.Ordinal) switch
        {
            "gd" => 0,
            "momentum" or "nesterov" or "adagrad" or "rmsprop" => 1,
            "adam" or "adamw" => 2,
            "rmsprop-centered-momentum" or "adam-amsgrad" => 3,
            _ => throw new ArgumentException($"Unknown case {benchmarkCase}.", nameof(benchmarkCase)),
        };
        return 8 * (3 + 2 * stateVectors + (box ? 2 : 0));
    }

    /// <summary>The triad's bytes per entry: b and c read, a written.</summary>
    public const int TriadBytesPerEntry = 24;

    [GlobalSetup]
    public void Setup()
    {
        bool bounded = Case.EndsWith("+box", StringComparison.Ordinal);
        (_rule, _reference) = Case.Replace("+box", "", StringComparison.Ordinal) switch
        {
            "gd" => ((UpdateRule)new GradientDescentRule(N), (ReferenceUpdateRule)new ReferenceGradientDescentRule(N)),
            "momentum" => (new MomentumRule(N, 0.9, 0.1, 1e-4), new ReferenceMomentumRule(N, 0.9, 0.1, 1e-4)),
            "nesterov" => (new MomentumRule(N, 0.9, 0, 1e-4, nesterov: true), new ReferenceMomentumRule(N, 0.9, 0, 1e-4, nesterov: true)),
            "adagrad" => (new AdagradRule(N, 0.01, 1e-4), new ReferenceAdagradRule(N, 0.01, 1e-4)),
            "rmsprop" => (new RmspropRule(N, 0.99, 1e-8, 1e-4), new ReferenceRmspropRule(N, 0.99, 1e-8, 1e-4)),
            "rmsprop-centered-momentum" => (new RmspropRule(N, 0.99, 1e-8, 1e-4, 0.9, centered: true), new ReferenceRmspropRule(N, 0.99, 1e-8, 1e-4, 0.9, centered: true)),
            "adam" => (new AdamRule(N, weightDecay: 1e-4), new ReferenceAdamRule(N, 0.9, 0.999, 1e-8, 1e-4, amsgrad: false, decoupled: false)),
            "adam-amsgrad" => (new AdamRule(N, weightDecay: 1e-4, amsgrad: true), new ReferenceAdamRule(N, 0.9, 0.999, 1e-8, 1e-4, amsgrad: true, decoupled: false)),
            "adamw" => (new AdamWRule(N), new ReferenceAdamRule(N, 0.9, 0.999, 1e-8, 0.01, amsgrad: false, decoupled: true)),
            _ => throw new ArgumentException($"Unknown case {Case}."),
        };
        var random = new Random(10);
        _x = new double[N];
        for (int i = 0; i < N; i++) _x[i] = random.NextDouble() - 0.5;
        for (int k = 0; k < _gradients.Length; k++)
        {
            var g = _gradients[k] = new double[N];
            for (int i = 0; i < N; i++) g[i] = (random.Next(2) == 0 ? -1 : 1) * (0.5 + random.NextDouble());
        }
        _xOld = (double[])_x.Clone();
        _lower = new double[N];
        _upper = new double[N];
        Array.Fill(_lower, bounded ? -0.4 : double.NegativeInfinity);
        Array.Fill(_upper, bounded ? 0.4 : double.PositiveInfinity);
        _box = Box.From(new Bounds(_lower, _upper), N);
        (_oldLower, _oldUpper) = bounded ? (_lower, _upper) : (null, null);
        _a = new double[N];
        _b = new double[N];
        _c = new double[N];
        for (int i = 0; i < N; i++) (_b[i], _c[i]) = (random.NextDouble(), random.NextDouble());

        // The fused rule and the old one take the same steps, bit for bit (FusedUpdateRuleTests proves it at every length).
        for (int k = 0; k < 3; k++)
        {
            Fused();
            TensorPrimitivesSequence();
            for (int i = 0; i < N; i++)
                if (BitConverter.DoubleToInt64Bits(_x[i]) != BitConverter.DoubleToInt64Bits(_xOld[i]))
                    throw new InvalidOperationException($"{Case}: step {k + 1}, x[{i}] = {_x[i]:R} fused but {_xOld[i]:R} with the TensorPrimitives sequence.");
        }
        string parameters = $"[Case={Case}]";
        AllocationCheck.Run(typeof(UpdateRuleBenchmarks), nameof(Fused), parameters, () => Fused());
        AllocationCheck.Run(typeof(UpdateRuleBenchmarks), nameof(TensorPrimitivesSequence), parameters, () => TensorPrimitivesSequence());
        AllocationCheck.Run(typeof(UpdateRuleBenchmarks), nameof(Triad), parameters, () => Triad());
    }

    /// <summary>One step of the runtime's rule with the projection fused in, as <c>FirstOrderLoop</c> takes it.</summary>
    [Benchmark]
    public double Fused()
    {
        _rule.StepInBox(_x, _gradients[_step++ & 1], LearningRate, _box);
        return _x[0];
    }

    /// <summary>The same step as the rule took it before: TensorPrimitives calls, then the projection loop.</summary>
    [Benchmark]
    public double TensorPrimitivesSequence()
    {
        _reference.Step(_xOld, _gradients[_stepOld++ & 1], LearningRate, _oldLower, _oldUpper);
        return _xOld[0];
    }

    /// <summary>STREAM's triad a ← b + s·c over three arrays of N doubles (<see cref="StreamTriad.Plain"/>).</summary>
    [Benchmark(Baseline = true)]
    public double Triad() => StreamTriad.Plain(_a, _b, _c);
}

/// <summary>
/// The machine's bandwidth once per run, both ways of writing STREAM's triad a ← b + s·c at N = 10⁷:
/// <see cref="Plain"/> (ordinary stores, as a C# loop is written and as <see cref="UpdateRuleBenchmarks"/> measures it
/// per case) and <see cref="NonTemporal"/> (streaming stores that skip the read-for-ownership of a: the best case of
/// writing to memory on x86, which the update rules, updating x and their state in place, cannot use).
/// </summary>
public class TriadBenchmarks
{
    private readonly double[] _a = new double[UpdateRuleBenchmarks.N];
    private readonly double[] _b = new double[UpdateRuleBenchmarks.N];
    private readonly double[] _c = new double[UpdateRuleBenchmarks.N];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(3);
        for (int i = 0; i < _b.Length; i++) (_b[i], _c[i]) = (random.NextDouble(), random.NextDouble());
        var expected = new double[_a.Length];
        StreamTriad.Plain(expected, _b, _c);
        StreamTriad.NonTemporal(_a, _b, _c);
        if (!expected.AsSpan().SequenceEqual(_a)) throw new InvalidOperationException("The two triads differ.");
        AllocationCheck.Run(typeof(TriadBenchmarks), nameof(Plain), "", () => Plain());
        AllocationCheck.Run(typeof(TriadBenchmarks), nameof(NonTemporal), "", () => NonTemporal());
    }

    [Benchmark(Baseline = true)]
    public double Plain() => StreamTriad.Plain(_a, _b, _c);

    [Benchmark]
    public double NonTemporal() => StreamTriad.NonTemporal(_a, _b, _c);
}

/// <summary>STREAM's triad a[i] = b[i] + s·c[i] with s = 3; 24 bytes per entry by STREAM's count.</summary>
public static class StreamTriad
{
    private const double S = 3.0;

    /// <summary>A <see cref="Vector{T}"/> loop with a scalar tail and ordinary stores.</summary>
    public static double Plain(double[] a, double[] b, double[] c)
    {
        ref double ra = ref MemoryMarshal.GetArrayDataReference(a);
        ref double rb = ref MemoryMarshal.GetArrayDataReference(b);
        ref double rc = ref MemoryMarshal.GetArrayDataReference(c);
        int n = a.Length, i = 0;
        var vs = new Vector<double>(S);
        for (; i <= n - Vector<double>.Count; i += Vector<double>.Count)
            (Vector.LoadUnsafe(ref rb, (nuint)i) + vs * Vector.LoadUnsafe(ref rc, (nuint)i)).StoreUnsafe(ref ra, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref ra, i) = Unsafe.Add(ref rb, i) + S * Unsafe.Add(ref rc, i);
        return a[0];
    }

    /// <summary>The same with aligned non-temporal 256-bit stores (AVX), after a scalar prologue that aligns a.</summary>
    public static unsafe double NonTemporal(double[] a, double[] b, double[] c)
    {
        if (!Avx.IsSupported) return Plain(a, b, c);
        int n = a.Length, i = 0;
        fixed (double* pa = a, pb = b, pc = c)
        {
            var vs = Vector256.Create(S);
            for (; i < n && ((nuint)(pa + i) & 31) != 0; i++) pa[i] = pb[i] + S * pc[i];
            for (; i <= n - 4; i += 4) Avx.StoreAlignedNonTemporal(pa + i, Vector256.Load(pb + i) + vs * Vector256.Load(pc + i));
            for (; i < n; i++) pa[i] = pb[i] + S * pc[i];
        }
        return a[0];
    }
}
