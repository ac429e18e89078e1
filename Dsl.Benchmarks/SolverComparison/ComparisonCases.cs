using System;
using System.Collections.Generic;
using System.Linq;
using OptDsl.Benchmarks.Problems;
using OptDsl.Runtime;
using OptDsl.Tests.Runtime;

namespace OptDsl.Benchmarks.SolverComparison;

/// <summary>
/// One unconstrained problem of the BFGS / L-BFGS comparison: a generated class (Problems/*.opt,
/// Problems/Comparison/mgh.opt), the standard MGH start and the published minima (the first is the optimum; any others
/// are published local minima).
/// </summary>
public sealed record QuasiNewtonCase(string Name, string Title, int Dimension, Func<IGradientProblem> Create, double[] Start, double[] KnownMinima);

/// <summary>One run of the Levenberg–Marquardt comparison: a NIST StRD dataset, its generated class (Problems/Comparison/nist.opt) and one of its two starts.</summary>
public sealed record LeastSquaresCase(string Name, string Dataset, int StartNumber, Func<NistDataset, ILeastSquaresProblem> Create)
{
    private NistDataset? _data;

    /// <summary>The dataset, read once.</summary>
    public NistDataset Data => _data ??= NistDataset.Load(Dataset);

    public double[] Start => Data.Start(StartNumber);
}

/// <summary>The problems of the solver comparison with MathNet.Numerics, by the names the benchmarks' parameters use.</summary>
public static class ComparisonCases
{
    /// <summary>Kowalik–Osborne's data (MGH 15), as in Dsl.Tests/Runtime/MoreGarbowHillstrom.cs.</summary>
    private static readonly double[] KowalikY = [0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246];
    private static readonly double[] KowalikU = [4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625];

    public static IReadOnlyList<QuasiNewtonCase> QuasiNewton { get; } =
    [
        new("Rosenbrock", "Rosenbrock (MGH 1)", 2, () => new Rosenbrock(), [-1.2, 1.0], [0.0]),
        new("Beale", "Beale (MGH 5)", 2, () => new Beale(), [1.0, 1.0], [0.0]),
        new("Box3D", "Box 3D (MGH 12)", 3, () => new Box3D(), [0.0, 10.0, 20.0], [0.0]),
        new("PowellSingular", "Powell singular (MGH 13)", 4, () => new PowellSingular(), [3.0, -1.0, 0.0, 1.0], [0.0]),
        new("Wood", "Wood (MGH 14)", 4, () => new Wood(), [-3.0, -1.0, -3.0, -1.0], [0.0]),
        new("KowalikOsborne", "Kowalik–Osborne (MGH 15)", 4, () => new KowalikOsborne(KowalikY, KowalikU), [0.25, 0.39, 0.415, 0.39], [3.07505603849e-4, 1.02734e-3]),
        new("BrownDennis", "Brown–Dennis (MGH 16)", 4, () => new BrownDennis(), [25.0, 5.0, -5.0, -1.0], [85822.2016263563]),
        ExtendedRosenbrockCase(100),
        ExtendedRosenbrockCase(1000),
    ];

    /// <summary>Extended Rosenbrock (MGH 21) with n variables (n/2 pairs of the generated class), from (−1.2, 1, −1.2, 1, …).</summary>
    private static QuasiNewtonCase ExtendedRosenbrockCase(int n)
    {
        var start = new double[n];
        for (int i = 0; i < n; i += 2)
        {
            start[i] = -1.2;
            start[i + 1] = 1.0;
        }
        return new($"ExtRosenbrock{n}", $"Extended Rosenbrock n = {n} (MGH 21)", n, () => new ExtendedRosenbrock(n / 2), start, [0.0]);
    }

    /// <summary>The NIST datasets compared, each from both of its starts.</summary>
    public static IReadOnlyList<LeastSquaresCase> LeastSquares { get; } =
    [
        .. BothStarts("Misra1a", d => new Misra1a(d.X, d.Y)),
        .. BothStarts("Chwirut2", d => new Chwirut2(d.X, d.Y)),
        .. BothStarts("MGH09", d => new Mgh09(d.X, d.Y)),
        .. BothStarts("Thurber", d => new Thurber(d.X, d.Y)),
        .. BothStarts("BoxBOD", d => new BoxBod(d.X, d.Y)),
        .. BothStarts("Rat43", d => new Rat43(d.X, d.Y)),
        .. BothStarts("Eckerle4", d => new Eckerle4(d.X, d.Y)),
    ];

    private static IEnumerable<LeastSquaresCase> BothStarts(string dataset, Func<NistDataset, ILeastSquaresProblem> create) =>
        [new($"{dataset}-1", dataset, 1, create), new($"{dataset}-2", dataset, 2, create)];

    public static QuasiNewtonCase QuasiNewtonCase(string name) =>
        QuasiNewton.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"No comparison problem named {name}.", nameof(name));

    public static LeastSquaresCase LeastSquaresCase(string name) =>
        LeastSquares.FirstOrDefault(c => c.Name == name) ?? throw new ArgumentException($"No NIST comparison run named {name}.", nameof(name));
}
