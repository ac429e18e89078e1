using System;
using System.Collections.Generic;
using System.Threading;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime.Training;

/// <summary>A model whose batch loss also has Hessian-vector products (what <c>newton</c> needs).</summary>
public interface ISecondOrderTrainableModel<in TData> : ITrainableModel<TData>
{
    /// <summary>Writes ∇²L·v for the mean loss L over <paramref name="rows"/> of <paramref name="data"/>.</summary>
    void BatchHessianVectorProduct(ReadOnlySpan<double> parameters, TData data, ReadOnlySpan<int> rows, ReadOnlySpan<double> v, Span<double> hv);
}

/// <summary>
/// Training by one solve over the whole training set: the mean loss is an ordinary smooth objective, minimized by a
/// deterministic solver (L-BFGS, Newton). For convex models (logistic and softmax regression, ridge) this reaches the
/// minimizer to the solver's tolerance, which no mini-batch schedule does. Each solver iteration is reported as an epoch.
/// </summary>
public static class FullBatchTrainer
{
    /// <summary>
    /// Minimizes the mean training loss from <paramref name="parameters"/> (trained in place) with <paramref name="solver"/>.
    /// The validation loss is computed once, at the final parameters (the last entry of the report); the report's
    /// <see cref="TrainingReport.Solve"/> holds the solver's result and status.
    /// <paramref name="parallelism"/> is the number of threads per evaluation of the loss and its gradient (1 to
    /// <see cref="OptionLimits.MaxParallelism"/>): the rows are cut into that many fixed consecutive parts whose mean losses
    /// and gradients are added in part order (as the mini-batch trainer's <see cref="TrainingOptions.Parallelism"/> does),
    /// so a run is the same to the bit for the same number of threads. Hessian-vector products (<c>newton</c>) and the
    /// validation loss run on one thread.
    /// </summary>
    public static TrainingReport Fit<TData, TProblem>(ITrainableModel<TData> model, double[] parameters, Solver<TProblem> solver, SolveOptions options,
                                                     TData training, TData? validation = default, IProgress<EpochInfo>? progress = null,
                                                     CancellationToken cancellationToken = default, int parallelism = 1)
        where TData : class
        where TProblem : class, IObjectiveProblem
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(solver);
        ArgumentNullException.ThrowIfNull(options);
        int p = model.ParameterCount;
        if (parameters.Length != p) throw new ArgumentException($"The parameters have {parameters.Length} entries; the model has {p}.", nameof(parameters));
        int n = model.SampleCount(training);
        if (n < 1) throw new ArgumentException("The training data has no samples.", nameof(training));
        if (validation is not null && model.SampleCount(validation) < 1) throw new ArgumentException("The validation data has no samples.", nameof(validation));

        if (parallelism < 1 || parallelism > OptionLimits.MaxParallelism)
            throw new ArgumentOutOfRangeException(nameof(parallelism), parallelism, $"Parallelism must be 1 to {OptionLimits.MaxParallelism}.");
        int parts = Math.Min(parallelism, n);
        var rows = WholeSet<TData>.Rows(n);
        using var partition = parts > 1 ? new BatchPartition<TData>(model, new double[p], training, rows, parts) : null;
        var problem = new WholeSet<TData>(model, training, rows, partition);
        if (problem is not TProblem typed)
            throw new ArgumentException($"Solver {solver.GetType().Name} needs {typeof(TProblem).Name}; full-batch training offers objective, gradient and Hessian-vector products.", nameof(solver));
        if (typeof(TProblem) == typeof(ISecondOrderProblem) && model is not ISecondOrderTrainableModel<TData>)
            throw new ArgumentException($"Solver {solver.GetType().Name} needs Hessian-vector products, which this model does not provide.", nameof(solver));
        // Near the minimizer the mean loss over many rows stops decreasing in floating point (its decrease, about
        // ‖g‖²/λ_min, falls below one ulp of f) long before the gradient is at its own rounding level: quasi-Newton line
        // searches also accept Hager–Zhang approximate Wolfe steps, judged by slopes (as the augmented Lagrangian's inner solves do).
        if (solver is LbfgsSolver lbfgs) lbfgs.ApproximateWolfe = true;
        if (solver is BfgsSolver bfgs) bfgs.ApproximateWolfe = true;
        var forward = progress is null ? null : new Progress(progress);
        var result = solver.Minimize(typed, parameters, options with { Progress = forward ?? options.Progress, CancellationToken = cancellationToken, RecordHistory = true });
        // The solver returns its best point; a diverged or cancelled solve still reports finite parameters it reached.
        if (Vec.AllFinite(result.X)) result.X.AsSpan().CopyTo(parameters);

        var epochs = new List<EpochInfo>(result.History.Count + 1);
        foreach (var h in result.History) epochs.Add(new EpochInfo(h.Iteration, h.Objective, double.NaN, double.NaN, h.Elapsed));
        double validationLoss = double.NaN, validationDataLoss = double.NaN;
        if (validation is not null)
        {
            validationLoss = model.BatchLoss(parameters, validation, WholeSet<TData>.Rows(model.SampleCount(validation)));
            validationDataLoss = validationLoss - model.Penalty(parameters);
        }
        if (epochs.Count == 0) epochs.Add(new EpochInfo(0, result.Objective, validationLoss, double.NaN, result.Elapsed, validationDataLoss));
        else epochs[^1] = epochs[^1] with { ValidationLoss = validationLoss, ValidationDataLoss = validationDataLoss };

        var reason = result.Status switch
        {
            SolveStatus.Converged => StopReason.Converged,
            SolveStatus.Cancelled => StopReason.Cancelled,
            SolveStatus.Diverged => StopReason.Diverged,
            _ => StopReason.NotConverged,
        };
        string message = $"{result.Solver}: {result.Status} after {result.Iterations} iterations (gradient norm {result.GradientNorm:G3}); {result.Message}";
        return new TrainingReport(epochs, epochs[^1].Epoch, reason, message, result);
    }

    private sealed class Progress(IProgress<EpochInfo> inner) : IProgress<IterationInfo>
    {
        public void Report(IterationInfo value) => inner.Report(new EpochInfo(value.Iteration, value.Objective, double.NaN, double.NaN, value.Elapsed));
    }

    /// <summary>The mean loss over every row of the training set as a smooth problem.</summary>
    private sealed class WholeSet<TData>(ITrainableModel<TData> model, TData data, int[] rows, BatchPartition<TData>? partition) : ISecondOrderProblem
        where TData : class
    {
        private readonly int[] _rows = rows;

        /// <summary>0, 1, …, n − 1: every row of a data set.</summary>
        internal static int[] Rows(int n)
        {
            var rows = new int[n];
            for (int i = 0; i < n; i++) rows[i] = i;
            return rows;
        }

        public int Dimension => model.ParameterCount;

        public double Objective(ReadOnlySpan<double> x)
        {
            if (partition is null) return model.BatchLoss(x, data, _rows);
            x.CopyTo(partition.Parameters);
            return partition.Loss(0, _rows.Length);
        }

        public double Gradient(ReadOnlySpan<double> x, Span<double> gradient)
        {
            if (partition is null) return model.BatchLossAndGradient(x, data, _rows, gradient);
            x.CopyTo(partition.Parameters);
            return partition.LossAndGradient(0, _rows.Length, gradient);
        }

        public void HessianVectorProduct(ReadOnlySpan<double> x, ReadOnlySpan<double> v, Span<double> hv) =>
            ((ISecondOrderTrainableModel<TData>)model).BatchHessianVectorProduct(x, data, _rows, v, hv);

        public void Hessian(ReadOnlySpan<double> x, Span<double> hessian) => GeneratedSupport.DenseHessian(x, hessian, Dimension, HessianVectorProduct);
    }
}
