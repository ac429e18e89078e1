using System;
using System.Threading;

namespace OptDsl.Compiler;

/// <summary>
/// The cancellation token of the compilation running on this thread, checked from inside every stage (parsing, binding,
/// differentiation, emission) at points that run often enough to answer within milliseconds and seldom enough to cost
/// nothing measurable: an IDE that cancels a generator run gets its thread back at once, even from a huge file.
/// </summary>
internal static class CompilerCancellation
{
    [ThreadStatic] private static CancellationToken t_token;
    [ThreadStatic] private static int t_ticks;

    /// <summary>Makes <paramref name="token"/> the one <see cref="Check"/> observes on this thread until the scope is disposed.</summary>
    public static IDisposable Scope(CancellationToken token)
    {
        var previous = t_token;
        t_token = token;
        return new Restore(previous);
    }

    /// <summary>Throws <see cref="OperationCanceledException"/> if cancellation was requested (looked at every 256th call).</summary>
    public static void Check()
    {
        if ((++t_ticks & 255) == 0) t_token.ThrowIfCancellationRequested();
    }

    private sealed class Restore(CancellationToken previous) : IDisposable
    {
        public void Dispose() => t_token = previous;
    }
}
