using System;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Runtime;

/// <summary>The problem interfaces, from the least information to the most, and the solvers' common base as a type.</summary>
public class ProblemInterfaceTests
{
    [Fact]
    public void Every_problem_interface_is_an_objective_problem_and_each_adds_to_the_one_before()
    {
        Assert.True(typeof(IObjectiveProblem).IsAssignableFrom(typeof(IGradientProblem)));
        Assert.True(typeof(IGradientProblem).IsAssignableFrom(typeof(ISecondOrderProblem)));
        Assert.True(typeof(ISecondOrderProblem).IsAssignableFrom(typeof(IConstrainedProblem)));
        Assert.True(typeof(IObjectiveProblem).IsAssignableFrom(typeof(ILeastSquaresProblem)));
        Assert.False(typeof(IGradientProblem).IsAssignableFrom(typeof(ILeastSquaresProblem)));
        // Each member is declared once, on the least interface that needs it.
        var declared = Array.ConvertAll(typeof(IObjectiveProblem).GetMethods(), m => m.Name);
        Array.Sort(declared, StringComparer.Ordinal);
        Assert.Equal(["Objective", "get_Dimension"], declared);
        Assert.Null(typeof(ILeastSquaresProblem).GetProperty(nameof(IObjectiveProblem.Dimension)));
        Assert.Null(typeof(IGradientProblem).GetProperty(nameof(IObjectiveProblem.Dimension)));
    }

    /// <summary>r = (x₀ − 1, 10(x₁ − x₀²)): Rosenbrock as residuals only.</summary>
    private sealed class ResidualsOnly(int residualCount = 2) : ILeastSquaresProblem
    {
        public int Dimension => 2;
        public int ResidualCount => residualCount;
        public void Residuals(ReadOnlySpan<double> x, Span<double> r)
        {
            r[0] = x[0] - 1;
            r[1] = 10 * (x[1] - x[0] * x[0]);
        }
        public void Jacobian(ReadOnlySpan<double> x, Span<double> j)
        {
            j[0] = 1; j[1] = 0;
            j[2] = -20 * x[0]; j[3] = 10;
        }
    }

    [Fact]
    public void A_least_squares_problem_is_an_objective_problem_whose_objective_is_the_sum_of_squared_residuals()
    {
        IObjectiveProblem p = new ResidualsOnly();
        double[] x = [-1.2, 1.0];
        double r0 = x[0] - 1, r1 = 10 * (x[1] - x[0] * x[0]);
        Assert.Equal(r0 * r0 + r1 * r1, p.Objective(x));
        Assert.Equal(2, p.Dimension);

        var error = Assert.Throws<InvalidOperationException>(() => ((IObjectiveProblem)new ResidualsOnly(-1)).Objective(x));
        Assert.Contains(nameof(ResidualsOnly), error.Message);
    }

    [Fact]
    public void A_solver_can_be_chosen_at_run_time_through_its_base()
    {
        var problem = new Rosenbrock();
        Solver<IGradientProblem>[] solvers = [new LbfgsSolver(), new BfgsSolver()];
        foreach (var solver in solvers)
        {
            var result = solver.Minimize(problem, [-1.2, 1.0]);
            Assert.Equal(SolveStatus.Converged, result.Status);
            Assert.Equal(solver.Name, result.Solver);
        }
        Solver<ISecondOrderProblem> newton = new NewtonSolver();
        Assert.Equal("newton", newton.Minimize(problem, [-1.2, 1.0]).Solver);
        Solver<ILeastSquaresProblem> lm = new LevenbergMarquardtSolver();
        Assert.Equal(SolveStatus.Converged, lm.Minimize(new ResidualsOnly(), [-1.2, 1.0]).Status);
    }
}
