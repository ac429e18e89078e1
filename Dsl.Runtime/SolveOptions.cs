using System;
using System.Threading;

namespace OptDsl.Runtime;

/// <summary>
/// Stopping rules and reporting for a solve. Each property remembers whether it was given a value (in an object
/// initializer or a <c>with</c> expression, even a value equal to its default), so that options compose:
/// <see cref="Merge"/> lays the properties an instance sets over a set of defaults and keeps the rest.
/// </summary>
/// <remarks>
/// <para>
/// Generated classes expose their <c>.opt</c> options as <c>DefaultSolveOptions</c>, and their <c>Solve(options)</c>
/// solves with <c>SolveOptions.Merge(DefaultSolveOptions, options)</c>: <c>new SolveOptions { Progress = p }</c> adds a
/// progress report and keeps the <c>tolerance</c> and <c>max_iter</c> of the <c>.opt</c> file;
/// <c>new SolveOptions { MaxIterations = 50 }</c> changes the iteration limit only. <c>DefaultSolveOptions with { … }</c>
/// works as well (it sets what the <c>.opt</c> file sets, plus the properties in braces).
/// </para>
/// <para>
/// Two instances are equal when their properties are equal and they set the same properties: equal options always
/// merge to equal options. <c>new SolveOptions()</c> equals <see cref="Default"/>; <c>new SolveOptions { MaxIterations = 1000 }</c>
/// does not, since it overrides a <c>max_iter</c> of the <c>.opt</c> file and <see cref="Default"/> does not.
/// </para>
/// <para>A solver called directly (<c>Solver&lt;TProblem&gt;.Minimize</c>) uses each property's value, set or not.</para>
/// </remarks>
public sealed record SolveOptions
{
    /// <summary>One bit per property.</summary>
    [Flags]
    private enum Properties
    {
        None = 0,
        GradientTolerance = 1 << 0,
        AcceptableTolerance = 1 << 1,
        StepTolerance = 1 << 2,
        FunctionTolerance = 1 << 3,
        MaxIterations = 1 << 4,
        MaxEvaluations = 1 << 5,
        TimeLimit = 1 << 6,
        Seed = 1 << 7,
        RecordHistory = 1 << 8,
        Progress = 1 << 9,
        CancellationToken = 1 << 10,
        AbsoluteGradientTest = 1 << 11,
    }

    /// <summary>The properties given a value by an initializer or <c>with</c>; <c>with</c> copies it, equality compares it.</summary>
    private Properties _set;

    /// <summary>Options with every property at its default and none set.</summary>
    public SolveOptions()
    {
    }

    /// <summary><paramref name="defaults"/> with the properties that <paramref name="overrides"/> sets replaced (see <see cref="Merge"/>).</summary>
    private SolveOptions(SolveOptions defaults, SolveOptions overrides) : this(defaults)
    {
        // Each assignment goes through the init accessor, which marks the property as set in the result too.
        var set = overrides._set;
        if ((set & Properties.GradientTolerance) != 0) GradientTolerance = overrides.GradientTolerance;
        if ((set & Properties.AcceptableTolerance) != 0) AcceptableTolerance = overrides.AcceptableTolerance;
        if ((set & Properties.StepTolerance) != 0) StepTolerance = overrides.StepTolerance;
        if ((set & Properties.FunctionTolerance) != 0) FunctionTolerance = overrides.FunctionTolerance;
        if ((set & Properties.MaxIterations) != 0) MaxIterations = overrides.MaxIterations;
        if ((set & Properties.MaxEvaluations) != 0) MaxEvaluations = overrides.MaxEvaluations;
        if ((set & Properties.TimeLimit) != 0) TimeLimit = overrides.TimeLimit;
        if ((set & Properties.Seed) != 0) Seed = overrides.Seed;
        if ((set & Properties.RecordHistory) != 0) RecordHistory = overrides.RecordHistory;
        if ((set & Properties.Progress) != 0) Progress = overrides.Progress;
        if ((set & Properties.CancellationToken) != 0) CancellationToken = overrides.CancellationToken;
        if ((set & Properties.AbsoluteGradientTest) != 0) AbsoluteGradientTest = overrides.AbsoluteGradientTest;
    }

    /// <summary>
    /// <paramref name="defaults"/> with each property that <paramref name="overrides"/> sets replaced by its value; the
    /// other properties keep the value of <paramref name="defaults"/>. The result sets what either sets, so merging is
    /// associative, and merging the result over the same defaults again changes nothing.
    /// </summary>
    /// <param name="defaults">The options to start from, such as a generated class's <c>DefaultSolveOptions</c>.</param>
    /// <param name="overrides">The options given at run time; null (or an instance that sets nothing) keeps <paramref name="defaults"/>.</param>
    /// <returns><paramref name="defaults"/> itself when <paramref name="overrides"/> sets nothing, else a new instance.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="defaults"/> is null.</exception>
    public static SolveOptions Merge(SolveOptions defaults, SolveOptions? overrides)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        if (overrides is null || overrides._set == Properties.None || ReferenceEquals(defaults, overrides)) return defaults;
        return new SolveOptions(defaults, overrides);
    }

    /// <summary>
    /// <see cref="SolveStatus.Converged"/> when the solver's optimality error (<see cref="SolveResult.OptimalityError"/>)
    /// is at most this. For the gradient methods the error is ‖∇f‖∞ (projected onto the bounds) divided by
    /// max(min(|f|, max(|f(x₀)|, 1)), s₀), s₀ = min(1, |f(x₀)|), so that multiplying the objective by a constant does not change
    /// the verdict; <c>lm</c> and the constrained solvers use their own scaled measures (see <c>docs/solvers.md</c>).
    /// 0 turns the test off (only an exactly stationary point converges).
    /// </summary>
    public double GradientTolerance { get; init { field = value; _set |= Properties.GradientTolerance; } } = 1e-8;

    /// <summary>
    /// When the method can make no further progress (step, function change or line search at the rounding level), an
    /// optimality error at most max(this, <see cref="GradientTolerance"/>) ends the solve as
    /// <see cref="SolveStatus.Acceptable"/> instead of <see cref="SolveStatus.Stalled"/> or
    /// <see cref="SolveStatus.LineSearchFailed"/> (as IPOPT's <c>acceptable_tol</c>). A line search that compares values of f
    /// cannot push ‖∇f‖ much below √(2λε|f|) (λ the curvature, ε the machine epsilon), which on the test corpus of
    /// <c>docs/solvers.md</c> is up to 1.5e−6 relative on well-solved problems: hence the default 1e−5. 0 keeps only the
    /// requested level.
    /// </summary>
    public double AcceptableTolerance { get; init { field = value; _set |= Properties.AcceptableTolerance; } } = 1e-5;

    /// <summary>Stop when the infinity norm of the step is at most this times (1 + ‖x‖∞). 0 turns this test off.</summary>
    public double StepTolerance { get; init { field = value; _set |= Properties.StepTolerance; } } = 1e-14;

    /// <summary>Stop when |f_k − f_{k+1}| ≤ this × max(|f_k|, |f_{k+1}|, 1). 0 (the default) turns this test off.</summary>
    public double FunctionTolerance { get; init { field = value; _set |= Properties.FunctionTolerance; } }

    /// <summary>Iteration limit.</summary>
    public int MaxIterations { get; init { field = value; _set |= Properties.MaxIterations; } } = 1000;

    /// <summary>Objective-evaluation limit (0 = none).</summary>
    public int MaxEvaluations { get; init { field = value; _set |= Properties.MaxEvaluations; } }

    /// <summary>Wall-clock limit (null = none).</summary>
    public TimeSpan? TimeLimit { get; init { field = value; _set |= Properties.TimeLimit; } }

    /// <summary>Seed for stochastic methods.</summary>
    public int? Seed { get; init { field = value; _set |= Properties.Seed; } }

    /// <summary>Keep one <see cref="IterationInfo"/> per iteration in <see cref="SolveResult.History"/>.</summary>
    public bool RecordHistory { get; init { field = value; _set |= Properties.RecordHistory; } } = true;

    /// <summary>Receives one report per iteration.</summary>
    public IProgress<IterationInfo>? Progress { get; init { field = value; _set |= Properties.Progress; } }

    /// <summary>Ends the solve with <see cref="SolveStatus.Cancelled"/> when signalled.</summary>
    public CancellationToken CancellationToken { get; init { field = value; _set |= Properties.CancellationToken; } }

    /// <summary>
    /// For the constrained solvers' nested solves: <see cref="GradientTolerance"/> bounds ‖∇f‖∞ itself (no scaling by the
    /// objective), as the outer method's tolerances assume.
    /// </summary>
    internal bool AbsoluteGradientTest { get; init { field = value; _set |= Properties.AbsoluteGradientTest; } }

    /// <summary>The defaults above, none set.</summary>
    public static SolveOptions Default { get; } = new();
}
