using System;

namespace OptDsl.Runtime.Training;

/// <summary>
/// What <see cref="Trainer"/> needs of a model: its parameters as one flat vector, and the mean per-sample loss over a
/// set of rows of a data set, with its gradient. A generated <c>model</c> class implements it over its inputs and targets;
/// rows are indices into them (a batch is never copied: shuffling permutes indices).
/// </summary>
/// <typeparam name="TData">The data set a batch's rows index (the generated class's inputs and targets).</typeparam>
public interface ITrainableModel<in TData>
{
    /// <summary>The number of parameters: the length of every parameter vector and gradient.</summary>
    int ParameterCount { get; }

    /// <summary>The number of samples (rows) in <paramref name="data"/>.</summary>
    int SampleCount(TData data);

    /// <summary>
    /// The mean loss over <paramref name="rows"/> of <paramref name="data"/> at <paramref name="parameters"/>, and its
    /// gradient with respect to the parameters, written into <paramref name="gradient"/>.
    /// </summary>
    double BatchLossAndGradient(ReadOnlySpan<double> parameters, TData data, ReadOnlySpan<int> rows, Span<double> gradient);

    /// <summary>The mean loss over <paramref name="rows"/> of <paramref name="data"/> at <paramref name="parameters"/>.</summary>
    double BatchLoss(ReadOnlySpan<double> parameters, TData data, ReadOnlySpan<int> rows);

    /// <summary>
    /// The part of every batch loss that reads no sample (the regularization terms, as <c>lambda * l2(W)</c>), at
    /// <paramref name="parameters"/>: <see cref="BatchLoss"/> less this is the data loss, which validation reports beside
    /// the loss and tuning minimizes. 0 for a model without such terms.
    /// </summary>
    double Penalty(ReadOnlySpan<double> parameters) => 0;
}
