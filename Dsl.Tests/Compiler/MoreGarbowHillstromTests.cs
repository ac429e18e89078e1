using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// The Moré–Garbow–Hillstrom problems (ACM TOMS 7, 1981) written as .opt files (Compiler/Problems): the generated
/// derivatives agree with independent finite differences, and the generated Solve reaches the published optimum.
/// </summary>
public sealed class MoreGarbowHillstromTests
{
    private static readonly Lazy<Assembly> s_assembly = new(() => GeneratedCode.Build(GeneratedCode.ProblemFiles()));

    public sealed record Case(string Type, object[] Arguments, double[]? Start, double[] Optima, double Tolerance)
    {
        public override string ToString() => Type + (Arguments.FirstOrDefault() is int n ? $"(n={n})" : "");
    }

    private static readonly double[] BardY = [0.14, 0.18, 0.22, 0.25, 0.29, 0.32, 0.35, 0.39, 0.37, 0.58, 0.73, 0.96, 1.34, 2.10, 4.39];
    private static readonly double[] GaussianY = [0.0009, 0.0044, 0.0175, 0.0540, 0.1295, 0.2420, 0.3521, 0.3989, 0.3521, 0.2420, 0.1295, 0.0540, 0.0175, 0.0044, 0.0009];
    private static readonly double[] KowalikY = [0.1957, 0.1947, 0.1735, 0.1600, 0.0844, 0.0627, 0.0456, 0.0342, 0.0323, 0.0235, 0.0246];
    private static readonly double[] KowalikU = [4, 2, 1, 0.5, 0.25, 0.167, 0.125, 0.1, 0.0833, 0.0714, 0.0625];
    private static readonly double[] MeyerY = [34780, 28610, 23650, 19630, 16370, 13720, 11540, 9744, 8261, 7030, 6005, 5147, 4427, 3820, 3307, 2872];

    private static object[] BardData()
    {
        var u = Enumerable.Range(1, 15).Select(i => (double)i).ToArray();
        var v = u.Select(i => 16 - i).ToArray();
        var w = u.Zip(v, Math.Min).ToArray();
        return [BardY, u, v, w];
    }

    private static double[] Repeat(double[] block, int times) => Enumerable.Repeat(block, times).SelectMany(b => b).ToArray();

    public static readonly Case[] Cases =
    [
        new("Rosenbrock", [], null, [0], 1e-12),
        new("FreudensteinRoth", [], null, [0, 48.98425367924], 1e-8),
        new("PowellBadlyScaled", [], null, [0], 1e-12),
        new("BrownBadlyScaled", [], null, [0], 1e-12),
        new("Beale", [], null, [0], 1e-12),
        new("JennrichSampson", [], null, [124.362182355], 1e-8),
        new("Bard", BardData(), null, [8.21487730657e-3], 1e-8),
        new("Gaussian", [GaussianY], null, [1.12793276961e-8], 1e-6),
        new("Box3D", [], null, [0], 1e-12),
        new("PowellSingular", [], null, [0], 1e-8),
        new("Wood", [], null, [0], 1e-12),
        new("KowalikOsborne", [KowalikY, KowalikU], null, [3.07505603849e-4], 1e-8),
        new("BrownDennis", [], null, [85822.2016263563], 1e-8),
        new("ExtendedRosenbrock", [5], Repeat([-1.2, 1], 5), [0], 1e-12),
        new("ExtendedRosenbrock", [500], Repeat([-1.2, 1], 500), [0], 1e-12),
        new("ExtendedPowell", [5], Repeat([3, -1, 0, 1], 5), [0], 1e-7),
        new("PenaltyOne", [4], [1, 2, 3, 4], [2.24997750086e-5], 1e-7),
        new("PenaltyOne", [10], Enumerable.Range(1, 10).Select(j => (double)j).ToArray(), [7.08765146709e-5], 1e-7),
        new("VariablyDimensioned", [10], Enumerable.Range(1, 10).Select(j => 1 - j / 10.0).ToArray(), [0], 1e-12),
        new("BrownAlmostLinear", [10], null, [0, 1], 1e-10),
        new("BiggsExp6", [], null, [0, 5.65565e-3], 1e-6),
        new("Meyer", [MeyerY], null, [87.9458], 1e-4),
    ];

    public static IEnumerable<object[]> All => Cases.Select(c => new object[] { c });

    private static (object Problem, ISecondOrderProblem Smooth) Create(Case c)
    {
        var problem = s_assembly.Value.Create(c.Type, c.Arguments);
        return (problem, (ISecondOrderProblem)problem);
    }

    private static double[] StartOf(Case c, object problem) => c.Start ?? (double[])problem.GetType().GetMethod("StartPoint")!.Invoke(problem, null)!;

    [Theory]
    [MemberData(nameof(All), DisableDiscoveryEnumeration = true)]  // Case is not serializable: one test case per theory
    public void Generated_gradient_matches_central_differences(Case c)
    {
        var (problem, p) = Create(c);
        var rng = new Random(17);
        foreach (var x in new[] { StartOf(c, problem), StartOf(c, problem).Select(v => v + 0.1 * (rng.NextDouble() - 0.5)).ToArray() })
        {
            var g = new double[p.Dimension];
            double f = p.Gradient(x, g);
            Assert.Equal(p.Objective(x), f, 12);
            Derivatives.AssertClose(Derivatives.Gradient(y => p.Objective(y), x), g, 1e-7, $"{c} gradient", Derivatives.GradientNoise(f, x));
        }
    }

    [Theory]
    [MemberData(nameof(All), DisableDiscoveryEnumeration = true)]  // Case is not serializable: one test case per theory
    public void Generated_hessian_matches_differences_of_the_gradient(Case c)
    {
        var (problem, p) = Create(c);
        if (p.Dimension > 40) return; // the dense reference is O(n²) differences; the n = 5 instance covers the same code
        var x = StartOf(c, problem).Select((v, k) => v + 0.01 * (k % 3 - 1)).ToArray();
        var h = new double[p.Dimension * p.Dimension];
        p.Hessian(x, h);
        Derivatives.AssertClose(Derivatives.HessianFromGradient(p, x), h, 1e-6, $"{c} Hessian");

        var v = Enumerable.Range(0, p.Dimension).Select(k => Math.Sin(k + 1.0)).ToArray();
        var hv = new double[p.Dimension];
        p.HessianVectorProduct(x, v, hv);
        var expected = Enumerable.Range(0, p.Dimension).Select(i => Enumerable.Range(0, p.Dimension).Sum(j => h[i * p.Dimension + j] * v[j])).ToArray();
        Derivatives.AssertClose(expected, hv, 1e-9, $"{c} Hessian-vector product");
    }

    [Theory]
    [MemberData(nameof(All), DisableDiscoveryEnumeration = true)]  // Case is not serializable: one test case per theory
    public void Solve_reaches_the_published_optimum(Case c)
    {
        var (problem, _) = Create(c);
        var result = c.Start is null ? GeneratedCode.Solve(problem) : GeneratedCode.SolveFrom(problem, c.Start);
        Assert.True(result.Status is not (SolveStatus.Diverged or SolveStatus.Cancelled), result.ToString());
        double best = c.Optima.MinBy(o => Math.Abs(o - result.Objective));
        double error = Math.Abs(result.Objective - best) / Math.Max(1, Math.Abs(best));
        Assert.True(error <= c.Tolerance, $"{c}: f = {result.Objective:R}, published {best:R} (relative error {error:G3}); {result}");
    }
}
