using System;

namespace OptDsl.Runtime;

/// <summary>One iteration of a solve, as reported to <see cref="SolveOptions.Progress"/> and kept in <see cref="SolveResult.History"/>.</summary>
/// <param name="Iteration">The iteration's number, from 1.</param>
/// <param name="Objective">f after the iteration (for a generated maximize problem's <c>Solve</c>, the maximized value).</param>
/// <param name="GradientNorm">The infinity norm of the (projected) gradient after the iteration.</param>
/// <param name="StepNorm">‖x_new − x_old‖∞ of the iteration.</param>
/// <param name="FunctionEvaluations">Function evaluations so far.</param>
/// <param name="Elapsed">Time since the solve started.</param>
public readonly record struct IterationInfo(
    int Iteration,
    double Objective,
    double GradientNorm,
    double StepNorm,
    int FunctionEvaluations,
    TimeSpan Elapsed);
