using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using OptDsl.Compiler.Ir;
using OptDsl.Tests.Generator;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// The table of elementary functions, walked entry by entry: each derivative rule agrees with high-precision finite
/// differences of the function, and each constant folding computes the very number its C# spelling computes at run time.
/// </summary>
public sealed class ElementaryFunctionTests
{
    /// <summary>Points inside each function's domain, away from kinks (abs, relu, sign and step are smooth elsewhere).</summary>
    private static double[] PointsFor(Func f) => f switch
    {
        Func.Log or Func.Sqrt => [1e-3, 0.3, 1.7, 4.2, 250],
        Func.Log1p => [-0.9, -0.5, -1e-6, 1e-9, 0.3, 2.0, 1e6],
        Func.Tan => [-1.2, -0.4, 0.1, 1.1],
        Func.Abs or Func.Relu or Func.Sign or Func.Step => [-40, -2.3, -0.4, 0.6, 1.9, 35],
        _ => [-40, -2.3, -0.4, 1e-7, 0.6, 1.9, 35],
    };

    public static IEnumerable<object[]> Functions => ElementaryFunctions.All.Select(f => new object[] { f.Name });

    private static ElementaryFunction Entry(string name) => ElementaryFunctions.All.Single(f => f.Name == name);

    [Fact]
    public void The_table_has_one_entry_per_function_in_order()
    {
        var funcs = (Func[])Enum.GetValues(typeof(Func));
        Assert.Equal(funcs.Length, ElementaryFunctions.All.Count);
        for (int k = 0; k < funcs.Length; k++)
        {
            Assert.Equal(funcs[k], ElementaryFunctions.All[k].Func);
            Assert.Same(ElementaryFunctions.All[k], ElementaryFunctions.Of(funcs[k]));
        }
        Assert.Equal(ElementaryFunctions.All.Count, ElementaryFunctions.All.Select(f => f.Name).Distinct().Count());
        foreach (var f in ElementaryFunctions.All.Where(f => f.IsCallable))
        {
            Assert.True(ElementaryFunctions.TryFind(f.Name, out var found));
            Assert.Same(f, found);
        }
        foreach (var f in ElementaryFunctions.All.Where(f => !f.IsCallable)) Assert.False(ElementaryFunctions.TryFind(f.Name, out _));
    }

    [Theory]
    [MemberData(nameof(Functions))]
    public void Derivative_rule_matches_high_precision_finite_differences(string name)
    {
        var f = Entry(name);
        Expr.ResetInterning();
        try
        {
            var u = Expr.Var("u", []);
            var call = Expr.Call(f.Func, u);
            var derivative = f.Derivative(call);
            foreach (double x in PointsFor(f.Func))
            {
                double exact = Evaluate(derivative, x);
                double estimate = Richardson(f.Evaluate, x);
                double scale = Math.Max(1, Math.Abs(exact));
                Assert.True(Math.Abs(exact - estimate) <= 1e-8 * scale,
                    $"{name}'({x}): rule {exact:R}, finite differences {estimate:R} (rule {derivative})");
            }
        }
        finally
        {
            Expr.ResetInterning();
        }
    }

    [Fact]
    public void Constant_folding_computes_what_the_csharp_spelling_computes()
    {
        // One class with a method per function, each calling the function exactly as generated code spells it.
        var source = "public static class Spelled\n{\n" + string.Concat(ElementaryFunctions.All.Select(f =>
            $"    public static double {f.Func}(double x) => {f.CSharpCall("x")};\n")) + "}\n";
        var compilation = CSharpCompilation.Create("Spelled" + Guid.NewGuid().ToString("N"),
            [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))], CompilationReferences.Consumer,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, optimizationLevel: OptimizationLevel.Release));
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        var spelled = Assembly.Load(stream.ToArray()).GetType("Spelled")!;

        foreach (var f in ElementaryFunctions.All)
        {
            if (f.RuntimeHelper is { } helper) Assert.NotNull(typeof(OptDsl.Runtime.OptMath).GetMethod(helper, [typeof(double)]));
            var method = spelled.GetMethod(f.Func.ToString())!;
            double[] edges = [0.0, -0.0, 1.0, -1.0, 709, -745, 1e-300, double.PositiveInfinity, double.NegativeInfinity, double.NaN];
            foreach (double x in PointsFor(f.Func).Concat(edges))
            {
                double folded = f.Evaluate(x);
                double atRunTime = (double)method.Invoke(null, [x])!;
                Assert.True(BitConverter.DoubleToInt64Bits(folded) == BitConverter.DoubleToInt64Bits(atRunTime) || double.IsNaN(folded) && double.IsNaN(atRunTime),
                    $"{f.Name}({x:R}) folds to {folded:R}, but {f.CSharpCall(x.ToString("R"))} computes {atRunTime:R}");
                // Folding through the IR gives the same constant.
                Expr.ResetInterning();
                var node = Expr.Call(f.Func, Expr.Const(x));
                Assert.True(node.IsConst);
                Assert.Equal(BitConverter.DoubleToInt64Bits(folded), BitConverter.DoubleToInt64Bits(node.Value));
            }
        }
        Expr.ResetInterning();
    }

    [Theory]
    [InlineData(1e-8, 1.1283791670955126e-08)]
    [InlineData(0.1, 0.1124629160182849)]
    [InlineData(0.5, 0.5204998778130465)]
    [InlineData(1, 0.8427007929497149)]
    [InlineData(1.5, 0.9661051464753108)]
    [InlineData(1.99, 0.995111413199617)]
    [InlineData(2, 0.9953222650189527)]
    [InlineData(2.5, 0.999593047982555)]
    [InlineData(3, 0.9999779095030014)]
    [InlineData(4, 0.9999999845827421)]
    [InlineData(5, 0.9999999999984626)]
    [InlineData(7, 1.0)]
    public void Erf_matches_reference_values_to_a_few_ulps(double x, double expected)
    {
        // Reference values: the C library's erf (correctly rounded or within an ulp), which agree with Abramowitz & Stegun
        // table 7.1 to the digits the table gives. Both branches (series below 2, continued fraction above) are covered.
        double value = OptDsl.Runtime.OptMath.Erf(x);
        double ulp = Math.BitIncrement(expected) - expected;
        Assert.True(Math.Abs(value - expected) <= 5 * ulp, $"erf({x}) = {value:R}, expected {expected:R}");
        Assert.Equal(-value, OptDsl.Runtime.OptMath.Erf(-x));
    }

    [Fact]
    public void Every_callable_function_is_in_the_language_reference()
    {
        string reference = File.ReadAllText(Path.Combine(DiagnosticsTests.RepositoryRoot(), "docs", "language.md"));
        int start = reference.IndexOf("### 4.5 Functions", StringComparison.Ordinal);
        Assert.True(start >= 0, "docs/language.md has no section 4.5 Functions");
        string section = reference.Substring(start, reference.IndexOf("\n### ", start + 1, StringComparison.Ordinal) - start);
        foreach (var f in ElementaryFunctions.All.Where(f => f.IsCallable))
            Assert.True(section.Contains($"`{f.Name}(x)`"), $"docs/language.md 4.5 Functions does not list `{f.Name}(x)`");
        // The smoothness the table declares is the one the reference states.
        foreach (var f in ElementaryFunctions.All.Where(f => f.IsCallable))
        {
            string row = section.Split('\n').First(line => line.Contains($"`{f.Name}(x)`"));
            Assert.Equal(!f.IsSmooth, row.Contains("not differentiable"));
        }
    }

    /// <summary>Central differences extrapolated (Richardson) from h down to h/2⁵: error far below the 1e-8 tolerance.</summary>
    private static double Richardson(Func<double, double> f, double x)
    {
        const int levels = 6;
        double h = 1e-2 * Math.Max(1e-3, Math.Min(1, Math.Abs(x)));
        var table = new double[levels, levels];
        for (int i = 0; i < levels; i++)
        {
            table[i, 0] = (f(x + h) - f(x - h)) / (2 * h);
            double factor = 4;
            for (int j = 1; j <= i; j++, factor *= 4)
                table[i, j] = table[i, j - 1] + (table[i, j - 1] - table[i - 1, j - 1]) / (factor - 1);
            h /= 2;
        }
        // The best estimate before rounding error grows: the diagonal entry closest to its predecessor.
        double best = table[1, 1], change = double.PositiveInfinity;
        for (int i = 2; i < levels; i++)
        {
            double c = Math.Abs(table[i, i] - table[i - 1, i - 1]);
            if (c < change) (best, change) = (table[i, i], c);
        }
        return best;
    }

    /// <summary>The value of a derivative rule's IR at u = <paramref name="x"/>.</summary>
    private static double Evaluate(Expr e, double x)
    {
        var a = e.Args.Select(arg => Evaluate(arg, x)).ToArray();
        return e.Kind switch
        {
            ExprKind.Const => e.Value,
            ExprKind.Var => x,
            ExprKind.Add => a[0] + a[1],
            ExprKind.Sub => a[0] - a[1],
            ExprKind.Mul => a[0] * a[1],
            ExprKind.Div => a[0] / a[1],
            ExprKind.Neg => -a[0],
            ExprKind.Pow => Math.Pow(a[0], a[1]),
            ExprKind.Call => ElementaryFunctions.Of(e.Func).Evaluate(a[0]),
            ExprKind.Select => Expr.Compare(a[0], e.Comparison) ? a[1] : a[2],
            _ => throw new InvalidOperationException("Unexpected node in a derivative rule: " + e.Kind),
        };
    }
}
