using System;
using System.Linq;
using System.Reflection;
using OptDsl.Compiler;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// A bad value given to a generated class is refused where it is given, with a message that names the <c>.opt</c>
/// declaration and its line, never left to surface as a <c>Diverged</c> solve: a NaN or infinite param.
/// </summary>
public sealed class NamedBadValueTests
{
    private const string Source = """
        problem Weighted {
            dim n;
            data y[n];
            param lambda = 0.5;
            param shift = -1;
            var x[n];
            minimize sum(i in 0..n) (x[i] - y[i] - shift)^2 + lambda * l2(x);
        }
        """;

    private static readonly Lazy<Assembly> s_assembly = new(() => GeneratedCode.Build("bad.opt", Source));

    private static object Weighted() => s_assembly.Value.Create("Weighted", new[] { 1.0, 2.0, 3.0 });

    private static Exception Inner(Action action) => Assert.Throws<TargetInvocationException>(action).InnerException!;

    [Theory]
    [InlineData("Lambda", "param lambda (bad.opt:4)", double.NaN)]
    [InlineData("Lambda", "param lambda (bad.opt:4)", double.PositiveInfinity)]
    [InlineData("Shift", "param shift (bad.opt:5)", double.NegativeInfinity)]
    public void A_param_set_to_nan_or_an_infinity_throws_naming_its_declaration(string property, string declaration, double value)
    {
        var problem = Weighted();
        double before = GeneratedCode.Get<double>(problem, property);
        var e = Assert.IsType<ArgumentOutOfRangeException>(Inner(() => GeneratedCode.Set(problem, property, value)));
        Assert.Contains(declaration + " must be a finite number", e.Message);
        Assert.Equal(value, e.ActualValue);
        Assert.Equal(before, GeneratedCode.Get<double>(problem, property));

        // Finite values, extreme ones included, are taken.
        GeneratedCode.Set(problem, property, -1e300);
        Assert.Equal(-1e300, GeneratedCode.Get<double>(problem, property));
    }

    [Fact]
    public void An_infinite_param_default_is_a_build_error()
    {
        var output = OptCompiler.Compile("inf.opt", "problem P {\n  var x;\n  param w = 1/0;\n  minimize w * x^2;\n}", null);
        var d = Assert.Single(output.Diagnostics);
        Assert.Equal(("OPT0032", 2, 12), (d.Id, d.Span.Line, d.Span.Column));
        Assert.Equal("The default of param 'w' is inf; a param holds a finite number", d.Message);
    }
}
