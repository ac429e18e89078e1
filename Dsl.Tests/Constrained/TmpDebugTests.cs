using System;
using System.Linq;
using OptDsl.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace OptDsl.Tests.Constrained;

public sealed class TmpDebugTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("Hs078", 1e6, 1e-4)]
    [InlineData("Hs040", 1, 1e-4)]
    public void Debug(string type, double a, double b)
    {
        var problem = ConstrainedProblems.Problem(type);
        var start = ConstrainedProblems.Start(problem);
        var bounds = ConstrainedProblems.Bounds(problem);
        var r = new AugmentedLagrangianSolver().Minimize(new ScaledConstrainedProblem(problem, a, b), start, new SolveOptions { MaxIterations = 30 }, bounds);
        output.WriteLine(r.Message);
        foreach (var h in r.History.Take(30)) output.WriteLine($"{h}");
        output.WriteLine(string.Join(", ", r.X));
    }
}
