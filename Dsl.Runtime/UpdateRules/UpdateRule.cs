using System;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime;

/// <summary>
/// A first-order update rule: x ← x − (a step made from the gradient, the learning rate and the rule's state), taken one
/// <see cref="Step"/> at a time by a caller that supplies the gradient and the learning rate of each step. The solvers
/// <c>gd</c>, <c>momentum</c>, <c>nesterov</c>, <c>adagrad</c>, <c>rmsprop</c>, <c>adam</c> and <c>adamw</c> drive their rule
/// with a constant learning rate; a training loop can drive one batch by batch with a learning-rate schedule.
/// </summary>
/// <remarks>
/// The state (moment buffers, step count) lives in the rule and is allocated by its constructor; <see cref="Step"/>
/// allocates nothing. The buffers are readable through the derived classes' properties and cleared by <see cref="Reset"/>.
/// A step is one pass over x, the gradient and the state (SIMD, then a scalar tail), with the values of the formulas
/// evaluated one rounded operation at a time. The public <see cref="Step"/> does not project onto bounds; the solvers
/// use an internal overload that projects each entry into their box in the same pass.
/// The rules of this library derive from this class; it cannot be derived from outside it.
/// </remarks>
public abstract class UpdateRule
{
    private protected UpdateRule(int dimension)
    {
        if (dimension < 0) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, $"{GetType().Name}: the dimension must be ≥ 0.");
        Dimension = dimension;
    }

    /// <summary>The number of variables the rule updates.</summary>
    public int Dimension { get; }

    /// <summary>
    /// Steps taken since the rule was created or <see cref="Reset"/>. During a step it has already been increased: the
    /// formulas' t (1 for the first step) is the value after the step.
    /// </summary>
    public int StepCount { get; private set; }

    /// <summary>Takes step t = <see cref="StepCount"/> + 1 in place: updates the state from <paramref name="gradient"/> = ∇f(x), then <paramref name="x"/>.</summary>
    /// <param name="x">The point, updated in place (length <see cref="Dimension"/>).</param>
    /// <param name="gradient">∇f at <paramref name="x"/> (length <see cref="Dimension"/>); not modified; must not overlap <paramref name="x"/>.</param>
    /// <param name="learningRate">γ for this step: a finite number ≥ 0.</param>
    /// <exception cref="ArgumentException">A span has the wrong length, or the gradient overlaps x.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The learning rate is negative, NaN or infinite.</exception>
    public void Step(Span<double> x, ReadOnlySpan<double> gradient, double learningRate) => StepCore(x, gradient, learningRate, default, default);

    /// <summary>
    /// <see cref="Step"/> followed by x ← P(x), the projection into <paramref name="box"/>, in the same pass (nothing
    /// more when the box has no finite bound): the iteration of the first-order solvers.
    /// </summary>
    internal void StepInBox(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, Box box)
    {
        if (box.IsBounded) StepCore(x, gradient, learningRate, box.Lower, box.Upper);
        else StepCore(x, gradient, learningRate, default, default);
    }

    private void StepCore(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper)
    {
        if (x.Length != Dimension)
            throw new ArgumentException($"{GetType().Name}.Step: x has {x.Length} entries but the rule updates {Dimension} variables.", nameof(x));
        if (gradient.Length != Dimension)
            throw new ArgumentException($"{GetType().Name}.Step: the gradient has {gradient.Length} entries but the rule updates {Dimension} variables.", nameof(gradient));
        if (!OptionLimits.IsNonNegative(learningRate))
            throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, $"{GetType().Name}.Step: the learning rate must be a finite number ≥ 0.");
        // One pass reads each gradient entry after earlier entries of x were written: the two must not share memory.
        if (x.Overlaps(gradient))
            throw new ArgumentException($"{GetType().Name}.Step: the gradient overlaps x; pass the gradient in its own array.", nameof(gradient));
        if (!lower.IsEmpty && (lower.Length != Dimension || upper.Length != Dimension))
            throw new ArgumentException($"{GetType().Name}.Step: the box has {lower.Length} entries but the rule updates {Dimension} variables.", nameof(lower));
        StepCount = checked(StepCount + 1);
        Apply(x, gradient, learningRate, StepCount, lower, upper);
    }

    /// <summary>Returns the rule to its state before the first step: <see cref="StepCount"/> 0 and the buffers at their initial values.</summary>
    public void Reset()
    {
        StepCount = 0;
        ResetState();
    }

    /// <summary>
    /// The coupled L2 weight decay λ added to the gradient, 0 if none: such a rule minimizes f + ½λ‖x‖², so a solver's
    /// stopping test uses ∇f + λx.
    /// </summary>
    internal virtual double CoupledWeightDecay => 0.0;

    /// <summary>
    /// Step <paramref name="t"/> (from 1) on checked arguments, then x ← clamp(x, <paramref name="lower"/>,
    /// <paramref name="upper"/>) in the same pass; empty bounds: no projection.
    /// </summary>
    private protected abstract void Apply(Span<double> x, ReadOnlySpan<double> gradient, double learningRate, int t, ReadOnlySpan<double> lower, ReadOnlySpan<double> upper);

    /// <summary>Puts the buffers back to their initial values.</summary>
    private protected abstract void ResetState();
}
