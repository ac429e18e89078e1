using System;
using System.Linq;
using System.Threading;
using OptDsl.Runtime;
using OptDsl.Tests.Compiler;
using Xunit;

namespace OptDsl.Tests.Search;

/// <summary>
/// <c>nelder_mead</c> and <c>cmaes</c> on a seeded sample of the global suite (the whole campaign is
/// <see cref="SearchCampaign"/>, docs/search.md): success rates, reproducibility to the bit (also on several threads), the
/// evaluation budget, cancellation and the statuses at the end.
/// </summary>
public sealed class DerivativeFreeTests
{
    private const int Seeds = 5;

    private static int Successes(string function, Func<Solver<IObjectiveProblem>> create, int budgetPerVariable)
    {
        var f = GlobalFunction.Load(function);
        return Enumerable.Range(0, Seeds).Count(seed => f.Run(create(), seed, budgetPerVariable * f.Dimension).ToTarget > 0);
    }

    [Theory]
    [InlineData("sphere_10")]
    [InlineData("rosenbrock_4")]
    [InlineData("branin")]
    [InlineData("six_hump_camel")]
    [InlineData("goldstein_price")]
    [InlineData("hartmann_3")]
    [InlineData("rastrigin_2")]
    [InlineData("ackley_2")]
    [InlineData("abs_sum_5")]
    [InlineData("max_abs_4")]
    public void Nelder_mead_with_restarts_reaches_the_optimum_of_unimodal_and_low_dimensional_functions(string function) =>
        Assert.Equal(Seeds, Successes(function, () => new NelderMeadSolver { Restarts = 1000 }, 5000));

    [Theory]
    [InlineData("sphere_10")]
    [InlineData("rosenbrock_4")]
    [InlineData("branin")]
    [InlineData("hartmann_6")]
    [InlineData("shekel_10")]
    [InlineData("schwefel_5")]
    [InlineData("griewank_10")]
    [InlineData("abs_sum_5")]
    public void Cmaes_reaches_the_optimum_in_every_seed(string function) =>
        Assert.Equal(Seeds, Successes(function, () => new CmaesSolver { Restarts = 9 }, 20000));

    [Theory]
    [InlineData("sphere_10")]
    [InlineData("rosenbrock_4")]
    [InlineData("branin")]
    [InlineData("six_hump_camel")]
    [InlineData("goldstein_price")]
    [InlineData("hartmann_3")]
    [InlineData("rastrigin_2")]
    [InlineData("ackley_2")]
    [InlineData("schwefel_2")]
    [InlineData("abs_sum_5")]
    [InlineData("hartmann_6")]
    [InlineData("shekel_10")]
    public void Pso_with_restarts_reaches_the_optimum_of_unimodal_and_low_dimensional_functions(string function) =>
        Assert.Equal(Seeds, Successes(function, () => new ParticleSwarmSolver { Restarts = 1000 }, 20000));

    [Theory]
    [InlineData("sphere_10")]
    [InlineData("branin")]
    [InlineData("six_hump_camel")]
    [InlineData("goldstein_price")]
    [InlineData("hartmann_3")]
    [InlineData("rastrigin_2")]
    [InlineData("schwefel_2")]
    [InlineData("rastrigin_10")]
    public void Ga_reaches_the_optimum_of_separable_and_low_dimensional_functions(string function) =>
        Assert.Equal(Seeds, Successes(function, () => new GeneticSolver { Generations = 100_000 }, 20000));

    [Theory]
    [InlineData("rosenbrock_4")]
    [InlineData("sphere_10")]
    public void Ga_polished_by_lbfgs_reaches_the_optimum_of_a_curved_valley(string function) =>
        Assert.Equal(Seeds, Successes(function, () => new GeneticSolver { Polish = InnerSolver.Lbfgs }, 20000));

    [Theory]
    [InlineData("sphere_10")]
    [InlineData("branin")]
    [InlineData("six_hump_camel")]
    [InlineData("goldstein_price")]
    [InlineData("hartmann_3")]
    [InlineData("ackley_2")]
    [InlineData("rastrigin_2")]
    [InlineData("schwefel_2")]
    [InlineData("abs_sum_5")]
    public void Anneal_reaches_the_optimum_of_unimodal_and_low_dimensional_functions(string function) =>
        Assert.Equal(Seeds, Successes(function, () => new AnnealingSolver { Reheats = 1000 }, 20000));

    [Theory]
    [InlineData("sphere_10")]
    [InlineData("branin")]
    [InlineData("six_hump_camel")]
    [InlineData("goldstein_price")]
    [InlineData("hartmann_6")]
    [InlineData("shekel_10")]
    [InlineData("schwefel_2")]
    [InlineData("rastrigin_2")]
    [InlineData("rosenbrock_4")]
    [InlineData("abs_sum_5")]
    public void Replica_exchange_reaches_the_optimum_of_unimodal_and_low_dimensional_functions(string function) =>
        Assert.Equal(Seeds, Successes(function, () => new ReplicaExchangeSolver(), 100000));

    [Fact]
    public void Bayes_finds_the_minimum_of_Branin_to_1e_3_in_under_60_evaluations()
    {
        // The test: in at least 90% of seeds (here 10 seeds, all of which succeed).
        var f = GlobalFunction.Load("branin");
        int successes = 0;
        for (int seed = 0; seed < 10; seed++)
        {
            var r = new BayesSolver { Trials = 59 }.Minimize(f.Problem, f.Start(seed), new SolveOptions { Seed = seed, RecordHistory = false }, f.Bounds);
            Assert.Equal(59, r.FunctionEvaluations);
            if (r.Objective <= f.Optimum + 1e-3) successes++;
        }
        Assert.True(successes >= 9, $"{successes} of 10 seeds");

        var cut = new BayesSolver { Trials = 60 }.Minimize(f.Problem, f.Start(0), new SolveOptions { MaxEvaluations = 30, RecordHistory = false }, f.Bounds);
        Assert.Equal((SolveStatus.MaxEvaluations, 30), (cut.Status, cut.FunctionEvaluations));
    }

    [Fact]
    public void Population_methods_repeat_to_the_bit_on_several_threads()
    {
        var f = GlobalFunction.Load("hartmann_6");
        var options = new SolveOptions { Seed = 5, MaxEvaluations = 10_000, MaxIterations = int.MaxValue };
        foreach (var (one, three) in new (Solver<IObjectiveProblem>, Solver<IObjectiveProblem>)[]
        {
            (new ParticleSwarmSolver(), new ParticleSwarmSolver { Parallelism = 3 }),
            (new ParticleSwarmSolver { Particles = 10, Restarts = 50 }, new ParticleSwarmSolver { Particles = 10, Restarts = 50, Parallelism = 3 }),
            (new GeneticSolver(), new GeneticSolver { Parallelism = 3 }),
            (new ReplicaExchangeSolver(), new ReplicaExchangeSolver { Parallelism = 3 }),
        })
        {
            var a = one.Minimize(f.Problem, f.Start(0), options, f.Bounds);
            var b = three.Minimize(f.Problem, f.Start(0), options, f.Bounds);
            Assert.Equal(a.X.Select(BitConverter.DoubleToInt64Bits), b.X.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal((a.FunctionEvaluations, a.Iterations, a.Status), (b.FunctionEvaluations, b.Iterations, b.Status));
        }
    }

    [Fact]
    public void Pso_restarts_fresh_swarms_keeps_the_best_point_and_stays_within_the_budget()
    {
        var f = GlobalFunction.Load("rastrigin_2");
        var options = new SolveOptions { Seed = 3, MaxIterations = int.MaxValue, RecordHistory = false };
        var once = new ParticleSwarmSolver { Particles = 5 }.Minimize(f.Problem, f.Start(0), options, f.Bounds);
        var thrice = new ParticleSwarmSolver { Particles = 5, Restarts = 3 }.Minimize(f.Problem, f.Start(0), options, f.Bounds);
        Assert.Contains("3 restarts", thrice.Message);
        Assert.True(thrice.FunctionEvaluations > once.FunctionEvaluations);
        Assert.True(thrice.Objective <= once.Objective, $"{thrice.Objective} after restarts, {once.Objective} without");
        Assert.Equal(thrice.Objective, f.Problem.Objective(thrice.X));

        var capped = new ParticleSwarmSolver { Particles = 5, Restarts = 1000 }.Minimize(f.Problem, f.Start(0), options with { MaxEvaluations = 20_000 }, f.Bounds);
        Assert.Equal(SolveStatus.MaxEvaluations, capped.Status);
        Assert.InRange(capped.FunctionEvaluations, 19_996, 20_000);
        Assert.True(capped.Objective <= thrice.Objective);
    }

    [Fact]
    public void Cmaes_with_IPOP_restarts_solves_10_dimensional_Rastrigin()
    {
        var f = GlobalFunction.Load("rastrigin_10");
        var (r, toTarget, _) = f.Run(new CmaesSolver { Restarts = 9 }, seed: 0, budget: 300_000);
        Assert.True(toTarget > 0, $"best {r.Objective} after {r.FunctionEvaluations} evaluations: {r.Message}");
    }

    [Fact]
    public void The_same_seed_repeats_a_run_to_the_bit_also_on_several_threads()
    {
        var f = GlobalFunction.Load("hartmann_6");
        var options = new SolveOptions { Seed = 11, MaxEvaluations = 20_000, MaxIterations = int.MaxValue };
        var a = new CmaesSolver().Minimize(f.Problem, f.Start(0), options, f.Bounds);
        var b = new CmaesSolver().Minimize(f.Problem, f.Start(0), options, f.Bounds);
        var c = new CmaesSolver { Parallelism = 3 }.Minimize(f.Problem, f.Start(0), options, f.Bounds);
        foreach (var other in new[] { b, c })
        {
            Assert.Equal(a.X.Select(BitConverter.DoubleToInt64Bits), other.X.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal((a.FunctionEvaluations, a.Iterations, a.Status), (other.FunctionEvaluations, other.Iterations, other.Status));
            Assert.Equal(a.History.Select(h => h.Objective), other.History.Select(h => h.Objective));
        }
        var d = new CmaesSolver().Minimize(f.Problem, f.Start(0), options with { Seed = 12 }, f.Bounds);
        Assert.NotEqual(a.History.Select(h => h.Objective), d.History.Select(h => h.Objective));

        var n1 = new NelderMeadSolver { Restarts = 50 }.Minimize(f.Problem, f.Start(3), options, f.Bounds);
        var n2 = new NelderMeadSolver { Restarts = 50 }.Minimize(f.Problem, f.Start(3), options, f.Bounds);
        Assert.Equal(n1.X.Select(BitConverter.DoubleToInt64Bits), n2.X.Select(BitConverter.DoubleToInt64Bits));
    }

    [Theory]
    [InlineData("nelder_mead")]
    [InlineData("cmaes")]
    [InlineData("pso")]
    [InlineData("ga")]
    [InlineData("anneal")]
    [InlineData("replica_exchange")]
    public void The_evaluation_budget_is_never_exceeded_and_says_so(string method)
    {
        var f = GlobalFunction.Load("rastrigin_10");
        Solver<IObjectiveProblem> solver = method switch
        {
            "cmaes" => new CmaesSolver(),
            "pso" => new ParticleSwarmSolver(),
            "ga" => new GeneticSolver(),
            "anneal" => new AnnealingSolver(),
            "replica_exchange" => new ReplicaExchangeSolver(),
            _ => new NelderMeadSolver { Restarts = 1000 },
        };
        var r = solver.Minimize(f.Problem, f.Start(1), new SolveOptions { MaxEvaluations = 777, MaxIterations = int.MaxValue }, f.Bounds);
        Assert.Equal(SolveStatus.MaxEvaluations, r.Status);
        Assert.InRange(r.FunctionEvaluations, 700, 777);
        Assert.DoesNotContain("NaN", r.Message);
        Assert.True(r.Objective <= f.Problem.Objective(f.Start(1)));
    }

    [Fact]
    public void Cancellation_ends_with_Cancelled_and_the_best_point()
    {
        var f = GlobalFunction.Load("rastrigin_10");
        using var cts = new CancellationTokenSource();
        int reports = 0;
        var progress = new Progress(_ => { if (++reports == 5) cts.Cancel(); });
        var r = new CmaesSolver().Minimize(f.Problem, f.Start(0), new SolveOptions { Progress = progress, CancellationToken = cts.Token }, f.Bounds);
        Assert.Equal(SolveStatus.Cancelled, r.Status);
        Assert.Equal(5, r.Iterations);
        Assert.Equal(r.Objective, f.Problem.Objective(r.X));
    }

    private sealed class Progress(Action<IterationInfo> report) : IProgress<IterationInfo>
    {
        public void Report(IterationInfo value) => report(value);
    }

    private const string Problems = """
        problem SmoothCmaes { var x[3] in [-5.12, 5.12] = 3; minimize 30 + sum(i in 0..3) (x[i]^2 - 10 * cos(2 * pi * x[i])); solver cmaes(restarts: 2, polish: lbfgs, max_evals: 50000); }
        problem SmoothNelderMead { var x[2] = [-1.2, 1]; minimize (1 - x[0])^2 + 100 * (x[1] - x[0]^2)^2; solver nelder_mead; }
        problem KinkedNelderMead { var x[3] in [-5, 5] = 3; minimize sum(i in 0..3) abs(x[i] - i); solver nelder_mead; }
        """;

    [Fact]
    public void The_generated_Solve_tells_a_verified_minimum_from_an_unverifiable_one()
    {
        var assembly = GeneratedCode.Build("search.opt", Problems);
        dynamic smooth = assembly.Create("SmoothCmaes");
        SolveResult polished = smooth.Solve();
        Assert.True(polished.Succeeded, polished.Message);
        Assert.True(polished.Objective < 1e-10, polished.Message);
        Assert.Contains("polished by lbfgs", polished.Message);

        dynamic rosenbrock = assembly.Create("SmoothNelderMead");
        SolveResult simplex = rosenbrock.Solve();
        Assert.True(simplex.Succeeded, simplex.Message);
        Assert.True(Math.Abs(simplex.X[0] - 1) < 1e-6 && Math.Abs(simplex.X[1] - 1) < 1e-6, simplex.Message);

        dynamic kinked = assembly.Create("KinkedNelderMead");
        SolveResult unverified = kinked.Solve();
        Assert.Equal(SolveStatus.Unverified, unverified.Status);
        Assert.False(unverified.Succeeded);
        Assert.True(unverified.Objective < 1e-7, unverified.Message);
    }
}
