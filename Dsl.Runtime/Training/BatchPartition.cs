using System;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Numerics.Tensors;

namespace OptDsl.Runtime.Training;

/// <summary>
/// The data-parallel batch of <see cref="TrainingOptions.Parallelism"/>: the rows of a batch cut into fixed consecutive
/// parts, one per thread (the caller takes the first), each part's mean loss and gradient computed by the model into
/// its own buffer, then added in part order with weights part size / batch size. The threads live as long as the
/// partition and wait on a barrier between batches: nothing is allocated per batch, and the result depends only on the
/// rows and the number of parts.
/// </summary>
internal sealed class BatchPartition<TData> : IDisposable where TData : class
{
    private readonly ITrainableModel<TData> _model;
    private readonly double[] _parameters;
    private readonly TData _data;
    private readonly int[] _order;
    private readonly int _parts;
    private readonly double[][] _gradients;
    private readonly double[] _losses;
    private readonly Thread[] _threads;
    private readonly Barrier _start, _done;
    private readonly ExceptionDispatchInfo?[] _failures;
    private int _batchStart, _batchCount;
    private bool _lossOnly;
    private volatile bool _stopping;

    public BatchPartition(ITrainableModel<TData> model, double[] parameters, TData data, int[] order, int parts)
    {
        _model = model;
        _parameters = parameters;
        _data = data;
        _order = order;
        _parts = parts;
        _gradients = new double[parts][];
        for (int p = 0; p < parts; p++) _gradients[p] = new double[parameters.Length];
        _losses = new double[parts];
        _failures = new ExceptionDispatchInfo?[parts];
        _start = new Barrier(parts);
        _done = new Barrier(parts);
        _threads = new Thread[parts - 1];
        for (int p = 1; p < parts; p++)
        {
            int part = p;
            _threads[p - 1] = new Thread(() => Worker(part)) { IsBackground = true, Name = $"OptDsl batch part {part}" };
            _threads[p - 1].Start();
        }
    }

    /// <summary>The mean loss over rows <paramref name="start"/> … start + count − 1 of the order, and its gradient, at the parameters the partition was made with.</summary>
    public double LossAndGradient(int start, int count, Span<double> gradient)
    {
        Run(start, count, lossOnly: false);
        gradient.Clear();
        double loss = 0;
        for (int p = 0; p < _parts; p++)
        {
            var (_, length) = Part(p, count);
            if (length == 0) continue;
            double weight = (double)length / count;
            loss += weight * _losses[p];
            TensorPrimitives.MultiplyAdd(_gradients[p], weight, gradient, gradient);
        }
        return loss;
    }

    /// <summary>
    /// The mean loss over rows <paramref name="start"/> … start + count − 1 of the order, without the gradient: the same
    /// parts as <see cref="LossAndGradient"/>'s, added in the same order with the same weights.
    /// </summary>
    public double Loss(int start, int count)
    {
        Run(start, count, lossOnly: true);
        double loss = 0;
        for (int p = 0; p < _parts; p++)
        {
            var (_, length) = Part(p, count);
            if (length == 0) continue;
            loss += (double)length / count * _losses[p];
        }
        return loss;
    }

    /// <summary>The parameters the parts read: a full-batch solve copies each point it evaluates here first.</summary>
    public Span<double> Parameters => _parameters;

    private void Run(int start, int count, bool lossOnly)
    {
        _batchStart = start;
        _batchCount = count;
        _lossOnly = lossOnly;
        _start.SignalAndWait();
        Work(0);
        _done.SignalAndWait();
        foreach (var failure in _failures) failure?.Throw();
    }

    /// <summary>Part <paramref name="p"/> of a batch of <paramref name="count"/> rows: the first count mod parts parts have one row more.</summary>
    private (int From, int Length) Part(int p, int count)
    {
        int size = count / _parts, extra = count % _parts;
        return (p * size + Math.Min(p, extra), size + (p < extra ? 1 : 0));
    }

    private void Work(int p)
    {
        try
        {
            var (from, length) = Part(p, _batchCount);
            var rows = _order.AsSpan(_batchStart + from, length);
            _losses[p] = length == 0 ? 0
                : _lossOnly ? _model.BatchLoss(_parameters, _data, rows)
                : _model.BatchLossAndGradient(_parameters, _data, rows, _gradients[p]);
            _failures[p] = null;
        }
        catch (Exception ex)
        {
            _failures[p] = ExceptionDispatchInfo.Capture(ex);
        }
    }

    private void Worker(int p)
    {
        while (true)
        {
            _start.SignalAndWait();
            if (_stopping) return;
            Work(p);
            _done.SignalAndWait();
        }
    }

    public void Dispose()
    {
        _stopping = true;
        if (_threads.Length > 0) _start.SignalAndWait();
        foreach (var thread in _threads) thread.Join();
        _start.Dispose();
        _done.Dispose();
    }
}
