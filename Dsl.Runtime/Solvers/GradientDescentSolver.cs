using System;
using OptDsl.Runtime.Internal;
using OptDsl.Runtime.LineSearch;

namespace OptDsl.Runtime;

/// <summary>
/// Projected gradient descent (<c>.opt</c> name <c>gd</c>): x ← P(x − α∇f(x)).
/// <list type="bullet">
/// <item>neither <see cref="LearningRate"/> nor <see cref="LineSearch"/> set: Armijo backtracking from α = 1 at every iteration;</item>
/// <item>only <see cref="LearningRate"/>: fixed step α = lr;</item>
/// <item>both (with <see cref="LineSearchKind.Armijo"/>): Armijo backtracking from α = lr;</item>
/// <item><see cref="LineSearchKind.None"/> without a learning rate: fixed step 10⁻³ (torch.optim.SGD's default lr).</item>
/// </list>
/// Backtracking follows the projection arc: α is accepted when f(P(x − α∇f)) ≤ f(x) + 10⁻⁴·∇fᵀ(P(x − α∇f) − x),
/// shortened by safeguarded quadratic interpolation (factor in [0.1, 0.5]).
/// </summary>
public sealed class GradientDescentSolver : Solver<IGradientProblem>
{
    /// <summary>The fixed step, or the first trial step of the line search (<c>lr</c>).</summary>
    public double? LearningRate { get; set; }

    /// <summary>The step rule (<c>line_search</c>).</summary>
    public LineSearchKind? LineSearch { get; set; }

    /// <summary><c>gd</c>.</summary>
    public override string Name => "gd";

    private protected override void CheckSettings()
    {
        if (LearningRate is { } lr) Arguments.Positive(lr, nameof(LearningRate), Name);
    }

    private protected override SolveResult Solve(IGradientProblem problem, double[] x, Box box, IterationMonitor monitor)
    {
        bool armijo = LineSearch switch
        {
            LineSearchKind.Armijo => true,
            LineSearchKind.None => false,
            _ => LearningRate is null,
        };
        return armijo
            ? MinimizeWithArmijo(problem, x, box, monitor, LearningRate ?? 1.0)
            : FirstOrderLoop.Run(new GradientDescentRule(x.Length), LearningRate ?? 1e-3, problem, x, box, monitor);
    }

    /// <summary>Projected gradient descent with Armijo backtracking along the projection arc from <paramref name="initialStep"/>.</summary>
    private static SolveResult MinimizeWithArmijo(IGradientProblem problem, double[] x, Box box, IterationMonitor monitor, double initialStep)
    {
        int n = x.Length;
        var g = new double[n];
        var trial = new double[n];
        var gTrial = new double[n];

        if (monitor.EvaluateStart(problem, x, g, box, out double f, out double gnorm) is { } done) return done;

        SolveStatus status;
        string? message = null;
        while (!monitor.ShouldStop(out status))
        {
            double alpha = initialStep;
            bool accepted = false, anyFinite = false;
            int trials = 0;
            double proposedStep = 0;
            for (int k = 0; k < Armijo.MaxBacktracks; k++)
            {
                if (monitor.EvaluationBudgetExhausted) break;
                Vec.AddScaled(x, -alpha, g, trial);
                box.Project(trial);
                double change = 0;
                for (int i = 0; i < n; i++) change += g[i] * (trial[i] - x[i]);
                if (!(change < 0)) break; // the projected step vanished: nothing left to gain along −∇f
                if (trials == 0) proposedStep = Vec.InfDistance(trial, x);
                double fTrial = monitor.Objective(problem, trial);
                trials++;
                anyFinite |= double.IsFinite(fTrial);
                if (Armijo.IsSufficient(f, fTrial, change)) { accepted = true; break; }
                alpha = Armijo.Shorten(alpha, f, change / alpha, fTrial);
            }
            if (!accepted)
            {
                if (monitor.EvaluationBudgetExhausted) status = SolveStatus.MaxEvaluations;
                else if (trials > 0 && !anyFinite) { status = SolveStatus.Diverged; message = "Diverged: the objective was NaN or infinite at every trial step; X is the last finite point."; }
                else { status = SolveStatus.LineSearchFailed; message = $"Armijo backtracking found no sufficient decrease; |g|∞ = {gnorm:G3}."; }
                break;
            }
            double fPrevious = f;
            double fNew = monitor.Gradient(problem, trial, gTrial);
            if (!double.IsFinite(fNew) || !Vec.AllFinite(gTrial))
            {
                status = SolveStatus.Diverged;
                message = "Diverged: the gradient is not finite at the accepted point; X is the last point with a finite gradient.";
                break;
            }
            double step = Vec.InfDistance(trial, x);
            trial.CopyTo(x, 0);
            gTrial.CopyTo(g, 0);
            f = fNew;
            gnorm = box.ProjectedGradientNorm(x, g);
            // The step test uses the first trial step (backtracking alone is no sign of convergence).
            if (monitor.CompleteIteration(fPrevious, f, gnorm, step, Vec.InfNorm(x), out status, stoppingStepNorm: Math.Max(step, proposedStep))) break;
        }
        return monitor.Result(x, f, gnorm, status, message);
    }
}
