using System.Collections.Generic;
using OptDsl.Compiler.Derivatives;
using OptDsl.Compiler.Emit;
using OptDsl.Compiler.Ir;
using OptDsl.Compiler.Semantics;

namespace OptDsl.Compiler.Schedule;

/// <summary>The plans of a model class's kernels: one sample's loss and its derivatives, the penalty's, the prediction.</summary>
public sealed class ModelPlan
{
    /// <summary><c>double f</c>: the loss terms that read the sample.</summary>
    public required KernelPlan SampleLoss { get; init; }

    /// <summary><c>double f</c>, and its gradient added into <c>gradient</c>.</summary>
    public required KernelPlan SampleGradient { get; init; }

    /// <summary>∇²f·v added into <c>hv</c> (null unless the optimizer needs second derivatives).</summary>
    public KernelPlan? SampleHessianVectorProduct { get; init; }

    /// <summary>The terms that read no sample, with their gradient and Hessian-vector product (null without such terms).</summary>
    public KernelPlan? Penalty { get; init; }
    public KernelPlan? PenaltyGradient { get; init; }
    public KernelPlan? PenaltyHessianVectorProduct { get; init; }

    /// <summary><c>double f</c> (a scalar prediction) or the stores into <c>output</c>.</summary>
    public required KernelPlan Predict { get; init; }
}

/// <summary>
/// Schedules a model's kernels with the problem scheduler under the model's conventions: weights in <c>parameters</c>,
/// the sample's input and target read from the kernel method's own parameters (a row of the data, never copied), and
/// gradients and Hessian-vector products added into the caller's vector (the batch sums them over its rows).
/// </summary>
internal static class ModelScheduler
{
    public static ModelPlan Schedule(BoundModel model, DerivedProblem sample, DerivedProblem? penalty, ProblemNames names)
    {
        var conventions = new KernelConventions("parameters", new Dictionary<string, string>
        {
            [model.Input.Name] = names.Local(model.Input.Name),
            [model.Target.Name] = names.Local(model.Target.Name),
        }, Accumulate: true);
        var samples = new ProblemScheduler(sample, names, conventions);
        var penalties = penalty is null ? null : new ProblemScheduler(penalty, names, conventions);
        bool second = model.Optimizer.Spec.NeedsSecondOrder;
        var p = model.Prediction;
        KernelItem predict = p.Scalar is not null
            ? new DeclareScalar("f", p.Scalar)
            : new Store("output", new IntIndex(p.Index!), p.Element!, Accumulate: false, ArrayLength: p.Length);
        return new ModelPlan
        {
            SampleLoss = samples.ObjectiveKernel(),
            SampleGradient = samples.ObjectiveGradientKernel(),
            SampleHessianVectorProduct = second ? samples.ObjectiveHessianVectorProductKernel() : null,
            Penalty = penalties?.ObjectiveKernel(),
            PenaltyGradient = penalties?.ObjectiveGradientKernel(),
            PenaltyHessianVectorProduct = second ? penalties?.ObjectiveHessianVectorProductKernel() : null,
            Predict = samples.ItemsKernel([predict]),
        };
    }
}
