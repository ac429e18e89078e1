namespace OptDsl.Runtime.Internal;

/// <summary>
/// The ranges solver options must lie in. One file, compiled into both the runtime (which checks the values it is given)
/// and the .opt compiler (which checks option values at build time), so what the compiler accepts the runtime accepts.
/// </summary>
internal static class OptionLimits
{
    /// <summary>The longest time limit, in seconds (about 3,170 years): <c>TimeSpan</c> holds at most about 9.2e11 s.</summary>
    public const double MaxSeconds = 1e11;

    /// <summary>The most correction pairs L-BFGS keeps (<c>memory</c>): its storage is 2·memory·n numbers.</summary>
    public const int MaxLbfgsMemory = 1000;

    /// <summary>The most threads a model's batch is shared among (<c>parallel:</c>, <c>TrainingOptions.Parallelism</c>).</summary>
    public const int MaxParallelism = 256;

    /// <summary>The largest population of a population method (cmaes), including what its restarts double it to.</summary>
    public const int MaxPopulation = 100_000;

    /// <summary>The most trials of <c>bayes</c>: its Gaussian process costs the cube of the trials per step.</summary>
    public const int MaxBayesTrials = 1000;

    /// <summary>The most trials a tune block's search may run (<c>trials</c>, the combinations of a <c>grid</c>).</summary>
    public const int MaxTuneTrials = 1_000_000;

    /// <summary>A finite number &gt; 0.</summary>
    public static bool IsPositive(double value) => value > 0 && !double.IsInfinity(value);

    /// <summary>A finite number ≥ 0.</summary>
    public static bool IsNonNegative(double value) => value >= 0 && !double.IsInfinity(value);

    /// <summary>A number in [0, 1): a decay rate such as Adam's β or RMSProp's ρ.</summary>
    public static bool IsInUnitInterval(double value) => value >= 0 && value < 1;

    /// <summary>A time limit in seconds that a <c>TimeSpan</c> can hold.</summary>
    public static bool IsSeconds(double value) => value > 0 && value <= MaxSeconds;
}
