using System;

namespace OptDsl.Runtime.Internal;

/// <summary>Checks of the arguments every <c>Minimize</c> receives, with messages that name the problem.</summary>
internal static class Arguments
{
    /// <summary>Validates <paramref name="start"/> and <paramref name="bounds"/> and returns a copy of the start clipped into the box.</summary>
    public static double[] StartPoint(object problem, int dimension, ReadOnlySpan<double> start, Bounds? bounds, string solver)
    {
        string name = problem.GetType().Name;
        if (dimension < 0)
            throw new ArgumentException($"{solver}: problem {name} reports a negative dimension ({dimension}).", nameof(problem));
        if (start.Length != dimension)
            throw new ArgumentException($"{solver}: the start point has {start.Length} entries but problem {name} has {dimension} variables.", nameof(start));
        for (int i = 0; i < start.Length; i++)
        {
            if (!double.IsFinite(start[i]))
                throw new ArgumentException($"{solver}: entry {i} of the start point for problem {name} is {start[i]}; start points must be finite.", nameof(start));
        }
        if (bounds is not null && bounds.Length != dimension)
            throw new ArgumentException($"{solver}: the bounds have {bounds.Length} entries but problem {name} has {dimension} variables.", nameof(bounds));
        var x = start.ToArray();
        if (bounds is not null)
        {
            for (int i = 0; i < x.Length; i++) x[i] = Math.Clamp(x[i], bounds.Lower[i], bounds.Upper[i]);
        }
        return x;
    }

    /// <summary>For solvers without bound handling: rejects bounds with any finite entry.</summary>
    public static void NoFiniteBounds(object problem, Bounds? bounds, string solver)
    {
        if (bounds is not null && bounds.HasFiniteEntry)
            throw new ArgumentException(
                $"{solver}: problem {problem.GetType().Name} has finite bounds, which this solver does not handle; use lbfgs, bfgs, lm or a first-order solver.",
                nameof(bounds));
    }

    public static void Options(SolveOptions options, string solver)
    {
        if (!(options.GradientTolerance >= 0)) throw new ArgumentException($"{solver}: GradientTolerance must be ≥ 0 (got {options.GradientTolerance}).", nameof(options));
        if (!(options.AcceptableTolerance >= 0)) throw new ArgumentException($"{solver}: AcceptableTolerance must be ≥ 0 (got {options.AcceptableTolerance}).", nameof(options));
        if (!(options.StepTolerance >= 0)) throw new ArgumentException($"{solver}: StepTolerance must be ≥ 0 (got {options.StepTolerance}).", nameof(options));
        if (!(options.FunctionTolerance >= 0)) throw new ArgumentException($"{solver}: FunctionTolerance must be ≥ 0 (got {options.FunctionTolerance}).", nameof(options));
        if (options.MaxIterations < 0) throw new ArgumentException($"{solver}: MaxIterations must be ≥ 0 (got {options.MaxIterations}).", nameof(options));
        if (options.MaxEvaluations < 0) throw new ArgumentException($"{solver}: MaxEvaluations must be ≥ 0 (got {options.MaxEvaluations}).", nameof(options));
    }

    public static void Positive(double value, string property, string solver)
    {
        if (!OptionLimits.IsPositive(value))
            throw new ArgumentException($"{solver}: {property} must be a positive finite number (got {value}).", property);
    }

    public static void NonNegative(double value, string property, string solver)
    {
        if (!OptionLimits.IsNonNegative(value))
            throw new ArgumentException($"{solver}: {property} must be a finite number ≥ 0 (got {value}).", property);
    }

    public static void InUnitInterval(double value, string property, string solver)
    {
        if (!OptionLimits.IsInUnitInterval(value))
            throw new ArgumentException($"{solver}: {property} must lie in [0, 1) (got {value}).", property);
    }
}
