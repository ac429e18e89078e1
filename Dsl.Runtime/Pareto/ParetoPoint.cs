namespace OptDsl.Runtime;

/// <summary>One point of a Pareto front: the decision vector, the objectives as written, and the solve that found it.</summary>
public sealed record ParetoPoint(double[] X, double[] Objectives, SolveResult Result);
