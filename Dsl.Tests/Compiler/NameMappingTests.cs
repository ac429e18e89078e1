using System;
using System.Linq;
using System.Reflection;
using OptDsl.Compiler;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// Names from a .opt file reach C# only through one mapping (NameScope.Claim): valid, unique, and never confused with a
/// generated name. Each case here once produced C# that did not compile, or compiled and read the wrong buffer.
/// </summary>
public sealed class NameMappingTests
{
    private static Assembly Build(string text, string? ns = "Names") => GeneratedCode.Build([("names.opt", text)], ns);

    private static object Create(Assembly assembly, string type, params object[] args) => assembly.Create(type, args);

    [Fact]
    public void A_variable_named_like_a_gradient_slice_of_another_reads_its_own_values()
    {
        // g_a is the gradient slice of a, v_y the direction slice of y: they used to share one local.
        var a = Build("problem P { var a; var g_a; var y; var v_y; var hv_y; minimize a^2 + 10 * g_a + y * v_y + hv_y^2; }");
        var p = a.Problem("P");
        double[] x = [1, 2, 3, 4, 5];
        var g = new double[5];
        Assert.Equal(1 + 20 + 12 + 25, p.Gradient(x, g));
        Assert.Equal(p.Objective(x), p.Gradient(x, g));
        Assert.Equal([2, 10, 4, 3, 10], g);
        var hv = new double[5];
        p.HessianVectorProduct(x, [1, 1, 1, 1, 1], hv);
        Assert.Equal([2, 0, 1, 1, 2], hv);
    }

    [Fact]
    public void Params_keep_pascal_names_and_collisions_get_a_suffix_with_a_note()
    {
        const string text = """
            problem P {
                dim n;
                param K = 2;
                param a = 3;
                param A = 5;
                param step_size = 7;
                param stepSize = 11;
                param N = 13;
                param memberwise_clone = 17;
                param to_string = 19;
                param objective = 23;
                param math = 29;
                var x[n];
                minimize K * a * A * step_size * stepSize * N * memberwise_clone * to_string * objective * math * l2(x);
            }
            """;
        var output = OptCompiler.Compile("names.opt", text, "Names");
        Assert.DoesNotContain(output.Diagnostics, d => d.Level != DiagnosticLevel.Info);
        var notes = output.Diagnostics.Where(d => d.Id == "OPT0027").Select(d => d.Message).ToList();
        Assert.Contains(notes, m => m.Contains("'AParam'"));
        Assert.Contains(notes, m => m.Contains("'StepSizeParam'"));
        Assert.Contains(notes, m => m.Contains("'MemberwiseCloneParam'"));
        Assert.Contains(notes, m => m.Contains("'ToStringParam'"));
        Assert.Contains(notes, m => m.Contains("'ObjectiveParam'"));

        var assembly = Build(text);
        var p = Create(assembly, "P", 2);
        foreach (var (property, value) in new[] { ("K", 2.0), ("A", 3.0), ("AParam", 5.0), ("StepSize", 7.0), ("StepSizeParam", 11.0), ("N", 13.0),
                     ("MemberwiseCloneParam", 17.0), ("ToStringParam", 19.0), ("ObjectiveParam", 23.0), ("Math", 29.0) })
            Assert.Equal(value, GeneratedCode.Get<double>(p, property));
        Assert.Equal(2, GeneratedCode.Get<int>(p, "NDim"));
        double product = 2.0 * 3 * 5 * 7 * 11 * 13 * 17 * 19 * 23 * 29;
        Assert.Equal(product * 5, ((IGradientProblem)p).Objective([1, 2]), 6);
        ProblemChecks.AllDerivatives(p, [0.5, -0.25], "params");
    }

    [Fact]
    public void Keywords_are_valid_names_everywhere()
    {
        const string text = """
            namespace class.int;
            problem @class {
            }
            """;
        Assert.NotEmpty(OptCompiler.Compile("k.opt", text, null).Diagnostics); // '@' is not .opt: a syntax error, located

        var assembly = Build("""
            namespace class.int;
            problem double {
                dim int = 3;
                data event[int];
                data this;
                param params = 2;
                var base[int] in [-10, 10];
                var object;
                let return[new in 0..int] = base[new] - event[new];
                minimize sum(var in 0..int) params * return[var]^2 + this * object^2 + sum(out in 0..int, ref in 0..out) base[ref] * object;
                subject to { class: forall(ref in 0..int) base[ref] + object <= 4; }
                solver ipm;
            }
            """, null);
        var type = assembly.GetTypes().Single(t => t.Name == "Double");
        Assert.Equal("class.int", type.Namespace);
        var p = Activator.CreateInstance(type, new double[] { 1, 2, 3 }, 0.5)!;
        ProblemChecks.AllDerivatives(p, [0.3, -0.2, 0.7, 0.4], "keywords");
        var result = GeneratedCode.Solve(p);
        Assert.True(result.Converged, result.ToString());
    }

    [Theory]
    [InlineData("Objective", "ObjectiveProblem")]
    [InlineData("Solve", "SolveProblem")]
    [InlineData("Gradient", "GradientProblem")]
    [InlineData("rosenbrock", "Rosenbrock")]
    [InlineData("my_problem", "MyProblem")]
    [InlineData("ToString", "ToStringProblem")]
    public void Problem_names_that_cannot_be_a_class_name_are_renamed_with_a_note(string name, string className)
    {
        string text = $"problem {name} {{ var x = 1; minimize (x - 2)^2; }}";
        var output = OptCompiler.Compile("names.opt", text, "Names");
        var note = Assert.Single(output.Diagnostics);
        Assert.Equal("OPT0027", note.Id);
        Assert.Contains($"'{className}'", note.Message);
        var p = Build(text).Create(className);
        Assert.True(GeneratedCode.Solve(p).Converged);
    }

    [Fact]
    public void Two_problems_whose_class_names_would_collide_get_distinct_classes()
    {
        var assembly = Build("problem rosenbrock { var x; minimize x^2; } problem Rosenbrock { var y; minimize (y - 1)^2; }");
        Assert.Equal(2, assembly.GetTypes().Count(t => t.Name.StartsWith("Rosenbrock", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("System", "Array", "ArrayProblem")]
    [InlineData("System", "Math", "MathProblem")]
    [InlineData("OptDsl.Runtime", "SolveResult", "SolveResultProblem")]
    [InlineData(null, "System", "SystemProblem")]
    public void A_class_that_would_capture_a_framework_name_in_its_own_namespace_is_renamed(string? ns, string problem, string className)
    {
        // global::System.Array inside namespace System would name a generated class Array.
        var assembly = Build($"problem {problem} {{ dim n; var x[n] = 1.5; maximize -(x[0] - 2)^2; }}", ns);
        var p = assembly.Create(className, 1);
        Assert.True(GeneratedCode.Solve(p).Converged);
    }

    [Theory]
    [InlineData("My-App", "My_App")]
    [InlineData("1st.Project", "_1st.Project")]
    [InlineData("Company.class", "Company.class")]
    [InlineData("Über.App", "Über.App")]
    [InlineData("Ünïcödé-Ñame.x", "Ünïcödé_Ñame.x")]
    public void A_root_namespace_that_is_not_a_valid_csharp_namespace_is_made_one(string rootNamespace, string expected)
    {
        var assembly = Build("problem P { var x; minimize x^2; }", rootNamespace);
        Assert.Equal(expected, assembly.GetTypes().Single(t => t.Name == "P").Namespace);
    }

    [Fact]
    public void Scalar_data_is_usable_in_every_expression()
    {
        var assembly = Build("""
            problem P {
                data c;
                data y[2];
                var x[2];
                minimize sum(i in 0..2) (x[i] - c * y[i])^2 + c * x[0] * x[1] + c;
                subject to { x[0] + c * x[1] <= c; }
                solver ipm;
            }
            """);
        var p = assembly.Create("P", 0.5, new double[] { 1, 2 });
        Assert.Equal(0.25 + 1 + 0.5 * 2 + 0.5, ((IGradientProblem)p).Objective([1, 2]), 14);
        ProblemChecks.AllDerivatives(p, [0.3, -0.4], "scalar data");
    }

    [Fact]
    public void Names_of_generated_temporaries_and_fields_are_ordinary_names()
    {
        var assembly = Build("""
            problem P {
                dim t0 = 2;
                data s0[t0];
                data layout[t0];
                data paretoWeights[t0];
                param t1 = 1.5;
                var s1[t0];
                var f;
                var e1;
                minimize sum(s2 in 0..t0) (s1[s2] * s0[s2] - layout[s2] + paretoWeights[s2] * f)^2 + t1 * (f - e1)^2 + e1^2;
            }
            """);
        var p = assembly.Create("P", new double[] { 1, 2 }, new double[] { 0.5, -1 }, new double[] { 3, 4 });
        ProblemChecks.AllDerivatives(p, [0.3, -0.4, 0.2, 0.9], "temporaries");
    }
}
