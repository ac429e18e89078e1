using System;
using System.Numerics.Tensors;
using OptDsl.Runtime.Internal;

namespace OptDsl.Runtime.QuasiNewton;

/// <summary>
/// The model of L-BFGS: the last m pairs (<see cref="LbfgsMemory"/>). Without bounds the direction is −H·g by the two-loop
/// recursion with H₀ = (sᵀy/yᵀy)I; with bounds it comes from the L-BFGS-B subproblem (<see cref="LimitedMemoryBoxSubproblem"/>),
/// and a singular compact middle matrix clears the memory first.
/// </summary>
internal sealed class LimitedMemoryModel : QuasiNewtonModel
{
    private readonly LbfgsMemory _memory;
    private readonly LimitedMemoryBoxSubproblem? _subproblem;

    public LimitedMemoryModel(int dimension, int memory, bool bounded)
    {
        // The compact tables SᵀY, SᵀS are read by the L-BFGS-B subproblem only.
        _memory = new LbfgsMemory(dimension, memory, compactTables: bounded);
        _subproblem = bounded ? new LimitedMemoryBoxSubproblem(dimension, memory) : null;
    }

    public override string DirectionName => "quasi-Newton";

    public override bool IsEmpty => _memory.Count == 0;

    public override void Reset() => _memory.Clear();

    public override void Direction(Box box, ReadOnlySpan<double> x, ReadOnlySpan<double> g, Span<double> d)
    {
        if (_subproblem is not null)
        {
            if (!_subproblem.Solve(_memory, box, x, g, d))
            {
                _memory.Clear();
                _subproblem.Solve(_memory, box, x, g, d);
            }
            TensorPrimitives.Subtract(d, x, d);
        }
        else
        {
            _memory.ApplyInverse(g, d, negate: true);
        }
    }

    // s and y go straight into the memory's free slot: a push copies nothing.
    public override Span<double> NextS => _memory.NextS;

    public override Span<double> NextY => _memory.NextY;

    public override void Update() => _memory.TryPush();
}
