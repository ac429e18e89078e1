using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// Property tests on whole random problems, shaped after the defects the random-expression test missed: sum bodies that
/// mix loop-variant and loop-invariant terms, nested and triangular sums, indexed lets reused inside sums and by other
/// lets, constraint families and least-squares residuals built the same way, all under adversarial names (C# keywords,
/// generated locals, g_/v_/hv_ prefixes, PascalCase clashes). At random points every derivative the class offers
/// (gradient, Hessian, Hessian-vector product, constraint Jacobian, Lagrangian gradient and Hessian, residual Jacobian)
/// matches independent Richardson-extrapolated differences (<see cref="ProblemChecks"/>).
/// </summary>
public sealed class RandomProblemTests
{
    private const int Count = 160;
    private const int Seed = 20261130;

    /// <summary>Names that once broke generated code; each problem draws its own from here.</summary>
    private static readonly string[] HostileNames =
    [
        "x", "v", "hv", "f", "gradient", "values", "jacobian", "multipliers", "lower", "upper", "int", "class", "double", "this",
        "event", "params", "base", "object", "string", "t0", "t1", "s0", "s1", "k", "K", "Math", "System", "nameof", "value", "var",
        "Objective", "Gradient", "VariableCount", "result", "solver", "lambda", "e1", "_", "__", "get_X", "MemberwiseClone",
    ];

    public sealed class ProblemGenerator(int seed)
    {
        private readonly Random _rng = new(seed);
        private string _x = "x", _w = "w", _d = "d", _i = "i", _j = "j", _u = "u", _p = "p";

        private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

        private string Constant() => Pick(["0.5", "1.5", "2", "0.25", "1.25", "0.75"]);

        /// <summary>A smooth, everywhere-defined function of an expression.</summary>
        private string Smooth(string e) => _rng.Next(9) switch
        {
            0 => $"sin({e})",
            1 => $"tanh({e})",
            2 => $"log(1.5 + sq({e}))",
            3 => $"sqrt(1 + sq({e}))",
            4 => $"exp(0.5 * tanh({e}))",
            5 => $"sigmoid({e})",
            6 => $"softplus({e})",
            7 => $"atan({e})",
            _ => $"({e})^2",
        };

        /// <summary>A term that does not depend on the loop index: variables and data at fixed positions, the scalar w, params.</summary>
        private string Invariant(int depth)
        {
            string leaf = _rng.Next(5) switch
            {
                0 => $"{_x}[{_rng.Next(3)}]",
                1 => _w,
                2 => $"{_p} * {_w}",
                3 => $"{_d}[{_rng.Next(3)}] * {_x}[{_rng.Next(3)}]",
                _ => $"{_u}[{_rng.Next(3)}]",
            };
            return depth <= 0 || _rng.Next(3) == 0 ? leaf : _rng.Next(3) switch
            {
                0 => Smooth(leaf),
                1 => $"{leaf} * {Invariant(depth - 1)}",
                _ => $"({leaf} - {Invariant(depth - 1)})^2",
            };
        }

        /// <summary>A term that depends on the loop index <paramref name="i"/>.</summary>
        private string Variant(string i, int depth)
        {
            string leaf = _rng.Next(5) switch
            {
                0 => $"{_x}[{i}]",
                1 => $"{_d}[{i}] * {_x}[{i}]",
                2 => $"{_u}[{i}]",
                3 => $"({i} + 1) / 3 * {_w}",
                _ => $"{_x}[{i}] * {_x}[{_rng.Next(3)}]",
            };
            return depth <= 0 || _rng.Next(3) == 0 ? leaf : _rng.Next(3) switch
            {
                0 => Smooth(leaf),
                1 => $"{leaf} * {Variant(i, depth - 1)}",
                _ => $"{leaf} + {Smooth(Invariant(depth - 1))}",
            };
        }

        /// <summary>A sum whose body mixes loop-variant and loop-invariant terms, possibly nested or triangular.</summary>
        private string MixedSum(int depth)
        {
            string i = _i, j = _j;
            return _rng.Next(5) switch
            {
                0 => $"sum({i} in 0..3) ({Variant(i, depth)} + {Invariant(depth)})",
                1 => $"sum({i} in 0..3) ({Smooth(Variant(i, depth))} * {Smooth(Invariant(depth))} + {Invariant(depth - 1)})",
                2 => $"sum({i} in 0..3, {j} in 0..3) ({Variant(i, depth - 1)} * {Variant(j, depth - 1)} + {Invariant(depth - 1)} + {Variant(i, 0)})",
                3 => $"sum({i} in 0..3) sum({j} in 0..{i}) ({Variant(j, depth - 1)} * {Variant(i, 0)} + {Invariant(depth - 1)})",
                _ => $"{Smooth($"sum({i} in 0..3) ({Variant(i, depth)} - {Invariant(depth)})")}",
            };
        }

        public (string Text, string ClassName, int VariableCount, bool Constrained) Next(int k)
        {
            var names = HostileNames.OrderBy(_ => _rng.Next()).ToList();
            bool hostile = k % 2 == 1;
            // Loop indices must differ from each other; symbol names must differ from all names.
            (_x, _w, _d, _u, _p) = hostile ? (names[0], names[1], names[2], names[3], names[4]) : ("x", "w", "d", "u", "p");
            (_i, _j) = hostile ? (names[5], names[6]) : ("i", "j");
            string className = hostile ? Pick(["problem" + k, "Objective" + k, "Random" + k]) : "Random" + k;
            int depth = 1 + k % 3;
            string letBody = _rng.Next(4) switch
            {
                0 => $"{_x}[{_i}]",
                1 => $"{_d}[{_i}] * {_x}[{_i}]",
                2 => $"{_x}[{_i}] * {_x}[{_rng.Next(3)}]",
                _ => $"({_i} + 1) / 3 * {_w}",
            };
            string let = $"let {_u}[{_i} in 0..3] = {Smooth(letBody)} + {_p} * {_w}^2;";
            var sb = new StringBuilder();
            sb.Append($"problem {className} {{\n    data {_d}[3];\n    param {_p} = 0.5;\n    var {_x}[3];\n    var {_w};\n    {let}\n");
            int shape = _rng.Next(3);
            bool constrained = shape == 1;
            if (shape == 2)
            {
                // Least squares: a sum of squared residuals that mix variant and invariant terms, for lm.
                sb.Append($"    minimize sum({_i} in 0..3) ({Variant(_i, depth - 1)} + {Invariant(depth - 1)} - {_d}[{_i}])^2 + ({_w} - 1)^2;\n    solver lm;\n");
            }
            else
            {
                sb.Append($"    minimize {MixedSum(depth)} + {MixedSum(depth - 1)} + 0.1 * l2({_u}) + 0.1 * {_w}^2;\n");
                if (constrained)
                {
                    sb.Append("    subject to {\n");
                    sb.Append($"        cap: sum({_i} in 0..3) ({_x}[{_i}]^2 + {_w}^2) <= 10;\n");
                    sb.Append($"        rows: forall({_j} in 0..2) sum({_i} in 0..3) ({Variant(_i, depth - 1)} * {_x}[{_j}] + {Invariant(depth - 1)}) >= -20;\n");
                    sb.Append("    }\n    solver ipm;\n");
                }
            }
            sb.Append("}\n");
            return (sb.ToString(), className, 4, constrained);
        }
    }

    private static readonly Lazy<(Assembly Assembly, (string Text, string ClassName)[] Problems)> s_built = new(() =>
    {
        var generator = new ProblemGenerator(Seed);
        var problems = Enumerable.Range(0, Count).Select(k => generator.Next(k)).Select(p => (p.Text, p.ClassName)).ToArray();
        // One namespace per problem: hostile class names may repeat across problems.
        var files = problems.Select((p, k) => (Path: $"random{k}.opt", Text: $"namespace R{k};\n" + p.Text));
        return (GeneratedCode.Build(files, null), problems);
    });

    public static IEnumerable<object[]> Indices => Enumerable.Range(0, Count).Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Indices))]
    public void Every_derivative_of_a_random_problem_matches_differences(int k)
    {
        var (assembly, problems) = s_built.Value;
        var type = assembly.GetTypes().Single(t => t.Namespace == $"R{k}" && !t.IsNested && t.GetConstructors().Length > 0);
        var problem = Activator.CreateInstance(type, new object[] { new[] { 0.7, -1.3, 0.4 } })!;
        var rng = new Random(Seed + k);
        for (int trial = 0; trial < 2; trial++)
        {
            var x = Enumerable.Range(0, 4).Select(_ => Math.Round(rng.NextDouble() * 1.6 - 0.8, 3)).ToArray();
            ProblemChecks.AllDerivatives(problem, x,
                $"random problem {k} at ({string.Join(", ", x.Select(v => v.ToString(CultureInfo.InvariantCulture)))}):\n{problems[k].Text}");
        }
    }

    [Fact]
    public void The_generator_covers_every_shape_of_the_defect_classes()
    {
        var all = string.Join("\n", s_built.Value.Problems.Select(p => p.Text));
        foreach (var feature in new[] { "subject to", "forall(", "solver lm", "sum(j in 0..i)", "let u[", ", j in 0..3)", "var int", "Objective" })
            Assert.Contains(feature, all);
    }
}
