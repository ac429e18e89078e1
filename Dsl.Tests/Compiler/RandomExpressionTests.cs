using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// Property tests: random expressions built from the language's smooth function set (with reductions, data,
/// index arithmetic and lets) are compiled together; at random points the generated gradient, Hessian and
/// Hessian-vector product agree with independent Richardson-extrapolated central differences.
/// </summary>
public sealed class RandomExpressionTests
{
    private const int Count = 120;
    private const int Seed = 20261123;

    private static readonly double[] Data = [0.7, -1.3, 0.4];

    /// <summary>Random smooth expressions; every function is wrapped so it is defined and smooth everywhere.</summary>
    public sealed class ExpressionGenerator(int seed)
    {
        private readonly Random _rng = new(seed);

        private string Constant() => _rng.Next(6) switch
        {
            0 => "0.5", 1 => "1.5", 2 => "2", 3 => "3", 4 => "0.25", _ => "1.25",
        };

        private string Leaf(string? index)
        {
            int pick = _rng.Next(index is null ? 5 : 8);
            return pick switch
            {
                0 or 1 or 2 => $"x[{_rng.Next(3)}]",
                3 => Constant(),
                4 => $"d[{_rng.Next(3)}]",
                5 => $"x[{index}]",
                6 => $"d[{index}]",
                _ => $"(({index} + 1) / 3)",
            };
        }

        public string Next(int depth, string? index = null)
        {
            if (depth == 0) return Leaf(index);
            string E(int d = -1) => Next(d < 0 ? depth - 1 : d, index);
            switch (_rng.Next(index is null ? 26 : 23))
            {
                case 0: return $"({E()} + {E()})";
                case 1: return $"({E()} - {E()})";
                case 2: return $"({E()} * {E()})";
                case 3: return $"({E()} / (1.5 + sq({E()})))";
                case 4: return $"(-{E()})";
                case 5: return $"exp(0.5 * tanh({E()}))";
                case 6: return $"log(1.5 + sq({E()}))";
                case 7: return $"log1p(sq({E()}))";
                case 8: return $"sqrt(1 + sq({E()}))";
                case 9: return $"sin({E()})";
                case 10: return $"cos({E()})";
                case 11: return $"tan(0.5 * tanh({E()}))";
                case 12: return $"atan({E()})";
                case 13: return $"tanh({E()})";
                case 14: return $"sigmoid({E()})";
                case 15: return $"softplus({E()})";
                case 16: return $"sq({E()})";
                case 17: return $"{E()}^2";
                case 18: return $"({E()})^3";
                case 19: return $"pow(1 + sq({E()}), 1.5)";
                case 20: return $"(1.2 + sin({E()}))^({E(0)})";
                case 21: return $"(1 + sq({E()}))^(-1)";
                case 22: return $"exp(-sq({E()}))";
                // Reductions over the variable's index (only at top level of a body, to keep index names unique).
                case 23: return $"sum(i in 0..3) ({Next(depth - 1, "i")})";
                case 24: return $"prod(i in 0..3) (1 + 0.3 * sin({Next(depth - 1, "i")}))";
                default: return $"logsumexp(i in 0..3) ({Next(depth - 1, "i")})";
            }
        }
    }

    private static readonly Lazy<(Assembly Assembly, string[] Expressions)> s_built = new(() =>
    {
        var generator = new ExpressionGenerator(Seed);
        var expressions = Enumerable.Range(0, Count).Select(k => generator.Next(2 + k % 3)).ToArray();
        var files = expressions.Select((e, k) => ($"random{k}.opt", Problem(k, e)));
        return (GeneratedCode.Build(files), expressions);
    });

    private static string Problem(int k, string expression) =>
        $"problem Random{k} {{\n    data d[3];\n    var x[3];\n    let u[i in 0..3] = x[i] * d[i];\n    minimize {expression} + 0.1 * l2(u);\n}}\n";

    public static IEnumerable<object[]> Indices => Enumerable.Range(0, Count).Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Indices))]
    public void Gradient_hessian_and_products_match_differences_at_random_points(int k)
    {
        var (assembly, expressions) = s_built.Value;
        var p = assembly.Problem($"Random{k}", (object)Data);
        var rng = new Random(Seed + k);
        for (int trial = 0; trial < 3; trial++)
        {
            var x = Enumerable.Range(0, 3).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
            string what = $"random{k} at ({string.Join(", ", x.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}): {expressions[k]}";

            var g = new double[3];
            double f = p.Gradient(x, g);
            Assert.Equal(p.Objective(x), f, 12);
            Derivatives.AssertClose(Derivatives.Gradient(y => p.Objective(y), x), g, 1e-7, what + " gradient", Derivatives.GradientNoise(f, x));

            var h = new double[9];
            p.Hessian(x, h);
            Derivatives.AssertClose(Derivatives.HessianFromGradient(p, x), h, 1e-6, what + " Hessian");

            var v = Enumerable.Range(0, 3).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var hv = new double[3];
            p.HessianVectorProduct(x, v, hv);
            var expected = Enumerable.Range(0, 3).Select(i => h[3 * i] * v[0] + h[3 * i + 1] * v[1] + h[3 * i + 2] * v[2]).ToArray();
            Derivatives.AssertClose(expected, hv, 1e-10, what + " Hessian-vector product");
        }
    }

    [Fact]
    public void The_generator_covers_every_function_of_the_set()
    {
        var all = string.Join(" ", s_built.Value.Expressions);
        foreach (var f in new[] { "exp(", "log(", "log1p(", "sqrt(", "sin(", "cos(", "tan(", "atan(", "tanh(", "sigmoid(", "softplus(", "sq(", "pow(", "^", "/", "sum(", "prod(", "logsumexp(" })
            Assert.Contains(f, all);
    }
}
