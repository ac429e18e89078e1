using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using OptDsl.Runtime.QuasiNewton;

namespace OptDsl.Benchmarks;

/// <summary>
/// The L-BFGS history's cost per iteration beyond the gradient, at N variables with a full memory of
/// <see cref="Memory"/> pairs: form the new pair s = x₊ − x, y = g₊ − g, store it (sᵀy, yᵀy), and compute the
/// direction H·g by the two-loop recursion. <see cref="RuntimeLbfgsMemory"/> does it with the runtime's
/// <see cref="LbfgsMemory"/> as <c>LbfgsSolver</c> does (no bounds); the baseline <see cref="HandWrittenTwoLoop"/> does the
/// same vector work over preallocated arrays indexed as a ring, with the same <see cref="TensorPrimitives"/> kernels.
/// Target: RuntimeLbfgsMemory / HandWrittenTwoLoop ≤ 1.5 at N = 10⁶.
/// The pairs come from a pool of <see cref="Pool"/> points of the convex quadratic ½Σdᵢxᵢ² (so sᵀy &gt; 0 and no pair
/// is skipped); the gradient itself is not part of either method.
/// </summary>
public class LbfgsHistoryBenchmarks
{
    /// <summary>Correction pairs kept (lbfgs' default <c>memory</c>).</summary>
    public const int Memory = 10;

    /// <summary>Points cycled through to make new pairs.</summary>
    private const int Pool = 4;

    private double[][] _points = [];
    private double[][] _gradients = [];
    private double[] _direction = [];
    private int _step;

    private LbfgsMemory _memory = null!;

    // The baseline's own history: Memory slots as a ring, newest at _newest.
    private double[][] _sByHand = [];
    private double[][] _yByHand = [];
    private readonly double[] _syByHand = new double[Memory];
    private readonly double[] _alphaByHand = new double[Memory];
    private int _newest = -1, _countByHand;
    private double _gammaByHand = 1;
    private int _stepByHand;

    /// <summary>The number of variables.</summary>
    [Params(1_000_000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(11);
        var curvature = new double[N];
        for (int i = 0; i < N; i++) curvature[i] = 0.5 + random.NextDouble();
        _points = new double[Pool][];
        _gradients = new double[Pool][];
        for (int k = 0; k < Pool; k++)
        {
            _points[k] = new double[N];
            _gradients[k] = new double[N];
            for (int i = 0; i < N; i++) _points[k][i] = 2.0 * random.NextDouble() - 1.0;
            TensorPrimitives.Multiply(curvature, _points[k], _gradients[k]);
        }
        _direction = new double[N];
        _memory = new LbfgsMemory(N, Memory);
        _sByHand = new double[Memory][];
        _yByHand = new double[Memory][];
        for (int k = 0; k < Memory; k++)
        {
            _sByHand[k] = new double[N];
            _yByHand[k] = new double[N];
        }

        // Fill both histories, then check that they give the same direction.
        var byHand = new double[N];
        for (int k = 0; k < Memory + 3; k++)
        {
            RuntimeLbfgsMemory();
            _direction.CopyTo(byHand, 0);
            HandWrittenTwoLoop();
            Verify.Close(byHand, _direction, $"LbfgsMemory direction against the hand-written two-loop recursion (step {k}, N = {N})");
        }
        if (_memory.Count != Memory) throw new InvalidOperationException($"The history holds {_memory.Count} pairs, expected {Memory}: a pair was skipped.");
        string parameters = $"[N={N}]";
        AllocationCheck.Run(typeof(LbfgsHistoryBenchmarks), nameof(RuntimeLbfgsMemory), parameters, () => RuntimeLbfgsMemory());
        AllocationCheck.Run(typeof(LbfgsHistoryBenchmarks), nameof(HandWrittenTwoLoop), parameters, () => HandWrittenTwoLoop());
    }

    /// <summary>One iteration's history work with the runtime's <see cref="LbfgsMemory"/>.</summary>
    [Benchmark]
    public double RuntimeLbfgsMemory()
    {
        int k = _step++ % Pool, next = (k + 1) % Pool;
        TensorPrimitives.Subtract(_points[next], _points[k], _memory.NextS);
        TensorPrimitives.Subtract(_gradients[next], _gradients[k], _memory.NextY);
        _memory.TryPush();
        _memory.ApplyInverse(_gradients[next], _direction);
        return _direction[0];
    }

    /// <summary>The same vector work over preallocated arrays: 2 subtractions, sᵀy and yᵀy, and the two-loop recursion.</summary>
    [Benchmark(Baseline = true)]
    public double HandWrittenTwoLoop()
    {
        int k = _stepByHand++ % Pool, next = (k + 1) % Pool;
        int slot = (_newest + 1) % Memory;
        var s = _sByHand[slot];
        var y = _yByHand[slot];
        TensorPrimitives.Subtract(_points[next], _points[k], s);
        TensorPrimitives.Subtract(_gradients[next], _gradients[k], y);
        double sy = TensorPrimitives.Dot(s, y);
        double yy = TensorPrimitives.Dot(y, y);
        _syByHand[slot] = sy;
        _gammaByHand = sy / yy;
        _newest = slot;
        _countByHand = Math.Min(_countByHand + 1, Memory);

        var d = _direction;
        _gradients[next].CopyTo(d, 0);
        for (int i = 0; i < _countByHand; i++)
        {
            int j = (_newest - i + Memory) % Memory;
            double a = TensorPrimitives.Dot(_sByHand[j], d) / _syByHand[j];
            _alphaByHand[j] = a;
            TensorPrimitives.MultiplyAdd(_yByHand[j], -a, d, d);
        }
        TensorPrimitives.Multiply(d, _gammaByHand, d);
        for (int i = _countByHand - 1; i >= 0; i--)
        {
            int j = (_newest - i + Memory) % Memory;
            double b = TensorPrimitives.Dot(_yByHand[j], d) / _syByHand[j];
            TensorPrimitives.MultiplyAdd(_sByHand[j], _alphaByHand[j] - b, d, d);
        }
        return d[0];
    }
}
