using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OptDsl.Compiler;

namespace OptDsl.Tests.Generator;

/// <summary>What the compiler did with one mutant: its output, or the exception it threw.</summary>
public sealed record MutantOutcome(Mutant Mutant, CompileOutput? Output, Exception? Exception, OptSyntax Syntax);

/// <summary>
/// 3000 corrupted <c>.opt</c> files (fixed seed, so every run sees the same ones) and what
/// <see cref="OptCompiler.Compile"/> made of each, computed once for all the robustness tests.
/// </summary>
public sealed class MutantCorpus
{
    public const int RandomSeed = 20251123;
    public const int Count = 3000;
    public const string ProjectDir = "/src/Consumer/";
    public const string RootNamespace = "Consumer";

    /// <summary>A compiler that loops forever on some input must fail the test, not hang CI.</summary>
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(120);

    public MutantCorpus()
    {
        Seeds = SeedFiles.All;
        Mutants = new OptMutator(RandomSeed).Mutate(Seeds, Count);
        SeedOutputs = Seeds.ToDictionary(seed => seed.Name, seed => OptCompiler.Compile(seed.Name, seed.Text, RootNamespace, CancellationToken.None));

        var outcomes = new MutantOutcome[Mutants.Count];
        var current = -1;
        var stopwatch = Stopwatch.StartNew();
        var work = Task.Run(() =>
        {
            for (var i = 0; i < Mutants.Count; i++)
            {
                Volatile.Write(ref current, i);
                outcomes[i] = CompileOne(Mutants[i]);
            }
        });
        if (!work.Wait(TimeLimit))
        {
            throw new TimeoutException($"OptCompiler.Compile did not finish the corpus within {TimeLimit}; it was compiling {Mutants[Volatile.Read(ref current)]}");
        }

        Outcomes = outcomes;
        CompileTime = stopwatch.Elapsed;
    }

    public IReadOnlyList<SeedFile> Seeds { get; }

    public IReadOnlyList<Mutant> Mutants { get; }

    /// <summary>The compiler's output for each valid seed, by seed name.</summary>
    public IReadOnlyDictionary<string, CompileOutput> SeedOutputs { get; }

    public IReadOnlyList<MutantOutcome> Outcomes { get; }

    public TimeSpan CompileTime { get; }

    /// <summary>The path each mutant is compiled under (the name of the seed it came from).</summary>
    public static string PathOf(Mutant mutant) => mutant.SeedName;

    private static MutantOutcome CompileOne(Mutant mutant)
    {
        var syntax = OptSyntax.Parse(mutant.Text);
        try
        {
            return new MutantOutcome(mutant, OptCompiler.Compile(PathOf(mutant), mutant.Text, RootNamespace, CancellationToken.None), null, syntax);
        }
        catch (Exception exception)
        {
            return new MutantOutcome(mutant, null, exception, syntax);
        }
    }
}
