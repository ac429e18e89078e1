namespace OptDsl.Runtime;

/// <summary>How <see cref="ParetoSweep.Run"/> chooses the scalarized problems it solves.</summary>
public enum ParetoMethod
{
    /// <summary>Minimize normalized weighted sums of the objectives, the weights swept over the simplex.</summary>
    WeightedSum,

    /// <summary>Minimize the first objective with upper limits (ε-constraints) on the others, the limits swept over a grid.</summary>
    Epsilon,
}
