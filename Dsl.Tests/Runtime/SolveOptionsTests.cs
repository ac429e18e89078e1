using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Runtime;

/// <summary>
/// Options compose: <see cref="SolveOptions.Merge"/> replaces exactly the properties the overrides set (an initializer
/// or <c>with</c> sets one, even to its default value), so a progress report or a cancellation token given at run time
/// never resets the tolerance or the limits of the <c>.opt</c> file.
/// </summary>
public sealed class SolveOptionsTests
{
    private static readonly CancellationToken Token = new CancellationTokenSource().Token;
    private static readonly IProgress<IterationInfo> Reports = new Progress<IterationInfo>();

    /// <summary>Defaults as a <c>.opt</c> file's would be: every property but the reporting ones set, none to the library default.</summary>
    private static readonly SolveOptions FileDefaults = new()
    {
        GradientTolerance = 1e-11,
        AcceptableTolerance = 1e-7,
        StepTolerance = 1e-9,
        FunctionTolerance = 1e-12,
        MaxIterations = 77,
        MaxEvaluations = 500,
        TimeLimit = TimeSpan.FromMinutes(3),
        Seed = 5,
        RecordHistory = false,
    };

    /// <summary>One override per property, to a value that differs from <see cref="FileDefaults"/>.</summary>
    private static readonly Dictionary<string, SolveOptions> OneOverride = new()
    {
        [nameof(SolveOptions.GradientTolerance)] = new() { GradientTolerance = 0 },
        [nameof(SolveOptions.AcceptableTolerance)] = new() { AcceptableTolerance = 0 },
        [nameof(SolveOptions.StepTolerance)] = new() { StepTolerance = 0 },
        [nameof(SolveOptions.FunctionTolerance)] = new() { FunctionTolerance = 1e-6 },
        [nameof(SolveOptions.MaxIterations)] = new() { MaxIterations = 3 },
        [nameof(SolveOptions.MaxEvaluations)] = new() { MaxEvaluations = 40 },
        [nameof(SolveOptions.TimeLimit)] = new() { TimeLimit = TimeSpan.FromSeconds(2) },
        [nameof(SolveOptions.Seed)] = new() { Seed = 11 },
        [nameof(SolveOptions.RecordHistory)] = new() { RecordHistory = true },
        [nameof(SolveOptions.Progress)] = new() { Progress = Reports },
        [nameof(SolveOptions.CancellationToken)] = new() { CancellationToken = Token },
    };

    private static readonly PropertyInfo[] Properties =
        typeof(SolveOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "EqualityContract").ToArray();

    public static TheoryData<string> PropertyNames => new(OneOverride.Keys);

    private static object? Value(SolveOptions options, string property) => typeof(SolveOptions).GetProperty(property)!.GetValue(options);

    [Fact]
    public void Every_property_has_a_merge_case()
    {
        Assert.Equal(Properties.Select(p => p.Name).Order(StringComparer.Ordinal), OneOverride.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(PropertyNames))]
    public void Merge_replaces_the_one_property_the_overrides_set_and_keeps_every_other(string property)
    {
        var overrides = OneOverride[property];
        Assert.NotEqual(Value(FileDefaults, property), Value(overrides, property));

        var merged = SolveOptions.Merge(FileDefaults, overrides);
        foreach (var p in Properties)
            Assert.Equal(p.GetValue(p.Name == property ? overrides : FileDefaults), p.GetValue(merged));

        // Over the library defaults the same override gives the override itself.
        Assert.Equal(overrides, SolveOptions.Merge(SolveOptions.Default, overrides));
    }

    [Fact]
    public void Progress_and_cancellation_never_reset_the_tolerances_or_limits()
    {
        var merged = SolveOptions.Merge(FileDefaults, new SolveOptions { Progress = Reports, CancellationToken = Token });
        Assert.Equal(FileDefaults with { Progress = Reports, CancellationToken = Token }, merged);
        Assert.Equal(1e-11, merged.GradientTolerance);
        Assert.Equal(77, merged.MaxIterations);
        Assert.Same(Reports, merged.Progress);
        Assert.Equal(Token, merged.CancellationToken);
    }

    [Fact]
    public void A_property_set_to_its_library_default_still_overrides()
    {
        var merged = SolveOptions.Merge(FileDefaults, new SolveOptions { MaxIterations = 1000, GradientTolerance = 1e-8, TimeLimit = null, Seed = null });
        Assert.Equal(1000, merged.MaxIterations);
        Assert.Equal(1e-8, merged.GradientTolerance);
        Assert.Null(merged.TimeLimit);
        Assert.Null(merged.Seed);
        Assert.Equal(1e-9, merged.StepTolerance);
    }

    [Fact]
    public void Overrides_that_set_nothing_keep_the_defaults_instance()
    {
        Assert.Same(FileDefaults, SolveOptions.Merge(FileDefaults, null));
        Assert.Same(FileDefaults, SolveOptions.Merge(FileDefaults, new SolveOptions()));
        Assert.Same(FileDefaults, SolveOptions.Merge(FileDefaults, SolveOptions.Default));
        Assert.Same(FileDefaults, SolveOptions.Merge(FileDefaults, FileDefaults));
        Assert.Throws<ArgumentNullException>(() => SolveOptions.Merge(null!, FileDefaults));
    }

    [Fact]
    public void With_on_the_defaults_works_as_before()
    {
        // DefaultSolveOptions with { ... } sets what the defaults set plus the new values: merged over them, it is itself.
        var derived = FileDefaults with { MaxIterations = 50 };
        Assert.Equal(50, derived.MaxIterations);
        Assert.Equal(1e-11, derived.GradientTolerance);
        Assert.Equal(derived, SolveOptions.Merge(FileDefaults, derived));
        Assert.Equal(derived, SolveOptions.Merge(SolveOptions.Default, derived));
    }

    [Fact]
    public void Merging_is_associative_and_idempotent()
    {
        var a = new SolveOptions { MaxIterations = 3, Progress = Reports };
        var b = new SolveOptions { MaxIterations = 9, StepTolerance = 0 };
        Assert.Equal(SolveOptions.Merge(SolveOptions.Merge(FileDefaults, a), b), SolveOptions.Merge(FileDefaults, SolveOptions.Merge(a, b)));
        var once = SolveOptions.Merge(FileDefaults, a);
        Assert.Equal(once, SolveOptions.Merge(FileDefaults, once));
        Assert.Equal(9, SolveOptions.Merge(once, b).MaxIterations);
        Assert.Same(Reports, SolveOptions.Merge(once, b).Progress);
    }

    [Fact]
    public void Equal_options_set_the_same_properties_to_the_same_values()
    {
        Assert.Equal(SolveOptions.Default, new SolveOptions());
        Assert.Equal(new SolveOptions { MaxIterations = 5 }, new SolveOptions { MaxIterations = 5 });
        Assert.Equal(new SolveOptions { MaxIterations = 5 }.GetHashCode(), new SolveOptions { MaxIterations = 5 }.GetHashCode());
        Assert.Equal(FileDefaults, FileDefaults with { });
        Assert.NotEqual(new SolveOptions { MaxIterations = 5 }, new SolveOptions { MaxIterations = 6 });
        // Same values, but one overrides max_iter and the other does not: they merge differently, so they differ.
        Assert.NotEqual(SolveOptions.Default, new SolveOptions { MaxIterations = 1000 });
        Assert.NotEqual(SolveOptions.Merge(FileDefaults, SolveOptions.Default), SolveOptions.Merge(FileDefaults, new SolveOptions { MaxIterations = 1000 }));
    }
}
