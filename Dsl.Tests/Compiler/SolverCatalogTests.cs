using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using OptDsl.Compiler.Semantics;
using OptDsl.Runtime;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>
/// The solver catalog is the compiler's whole knowledge of the runtime's solvers: generated <c>Solve()</c> methods
/// create <see cref="SolverSpec.ClassName"/>, cast the problem to <see cref="SolverSpec.ProblemInterface"/> and set one
/// property per option. Walked by reflection against the runtime assembly, every entry must exist there with the right
/// shape, and every solver class of the runtime must be reachable from the catalog.
/// </summary>
public sealed class SolverCatalogTests
{
    private static readonly Assembly Runtime = typeof(SolveResult).Assembly;

    public static TheoryData<string> BuiltSolvers => [.. SolverCatalog.All.Where(s => s.IsBuilt).Select(s => s.Name)];

    private static Type RuntimeType(string name) =>
        Runtime.GetType("OptDsl.Runtime." + name) ?? throw new Xunit.Sdk.XunitException($"the runtime has no public type OptDsl.Runtime.{name}");

    /// <summary>The <c>TProblem</c> of the <c>Solver&lt;TProblem&gt;</c> a class derives from, or null.</summary>
    private static Type? SolverProblemType(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Solver<>)) return t.GetGenericArguments()[0];
        return null;
    }

    [Theory]
    [MemberData(nameof(BuiltSolvers))]
    public void Each_solver_is_a_runtime_class_that_takes_the_catalog_problem_interface(string name)
    {
        var spec = SolverCatalog.Find(name)!;
        var type = RuntimeType(spec.ClassName!);
        Assert.True(type.IsPublic && !type.IsAbstract && type.GetConstructor(Type.EmptyTypes) is not null,
            $"{type.Name} must be a public concrete class with a parameterless constructor (generated code writes new {type.Name}())");
        var problem = SolverProblemType(type);
        Assert.True(problem is not null, $"{type.Name} does not derive from Solver<TProblem>");
        Assert.Equal(spec.ProblemInterface, problem!.Name);
        Assert.Equal(problem, RuntimeType(spec.ProblemInterface));

        // With the catalog's fixed settings the instance reports the .opt name (nesterov is MomentumSolver with Nesterov = true).
        object solver = Activator.CreateInstance(type)!;
        foreach (var fixedSetting in spec.FixedSettings ?? [])
        {
            var property = type.GetProperty(fixedSetting.Property);
            Assert.True(property is { CanWrite: true }, $"{type.Name}.{fixedSetting.Property} (a fixed setting of '{name}') is not a settable property");
            property!.SetValue(solver, Parse(fixedSetting.CSharpValue, property.PropertyType));
        }
        Assert.Equal(name, type.GetProperty("Name")!.GetValue(solver));
    }

    [Theory]
    [MemberData(nameof(BuiltSolvers))]
    public void Each_option_is_a_settable_property_of_the_right_type(string name)
    {
        var spec = SolverCatalog.Find(name)!;
        var solverType = RuntimeType(spec.ClassName!);
        foreach (var option in spec.Options)
        {
            var owner = option.OnSolveOptions ? typeof(SolveOptions) : solverType;
            var property = owner.GetProperty(option.Property, BindingFlags.Public | BindingFlags.Instance);
            Assert.True(property is not null, $"'{name}' option '{option.Name}': {owner.Name} has no public property {option.Property}");
            Assert.True(property!.SetMethod is { IsPublic: true },
                $"'{name}' option '{option.Name}': {owner.Name}.{option.Property} has no public setter or init accessor");

            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            switch (option.Kind)
            {
                case OptionKind.Real or OptionKind.PositiveReal or OptionKind.NonNegativeReal or OptionKind.UnitInterval:
                    Assert.True(type == typeof(double), $"'{name}' option '{option.Name}' is a number, {owner.Name}.{option.Property} is {type.Name}");
                    break;
                case OptionKind.Count or OptionKind.PositiveCount:
                    Assert.True(type == typeof(int), $"'{name}' option '{option.Name}' is a whole number, {owner.Name}.{option.Property} is {type.Name}");
                    break;
                case OptionKind.Bool:
                    Assert.True(type == typeof(bool), $"'{name}' option '{option.Name}' is true/false, {owner.Name}.{option.Property} is {type.Name}");
                    break;
                case OptionKind.Seconds:
                    Assert.True(type == typeof(TimeSpan), $"'{name}' option '{option.Name}' is seconds, {owner.Name}.{option.Property} is {type.Name}");
                    break;
                case OptionKind.Choice:
                    Assert.True(type.IsEnum && type.Name == option.ChoiceType,
                        $"'{name}' option '{option.Name}' is a choice of {option.ChoiceType}, {owner.Name}.{option.Property} is {type.Name}");
                    foreach (string choice in option.Choices!)
                        Assert.True(Enum.GetNames(type).Contains(Pascal(choice)), $"'{name}' option '{option.Name}': {type.Name} has no member {Pascal(choice)} for '{choice}'");
                    break;
                default:
                    throw new Xunit.Sdk.XunitException($"'{name}' option '{option.Name}': the test does not know option kind {option.Kind}");
            }
        }
    }

    [Fact]
    public void Every_runtime_solver_class_is_in_the_catalog()
    {
        var solverClasses = Runtime.GetExportedTypes().Where(t => !t.IsAbstract && SolverProblemType(t) is not null).Select(t => t.Name).ToHashSet();
        Assert.NotEmpty(solverClasses);
        var catalogClasses = SolverCatalog.All.Where(s => s.IsBuilt).Select(s => s.ClassName!).ToHashSet();
        Assert.Empty(solverClasses.Except(catalogClasses));
        Assert.Empty(catalogClasses.Except(solverClasses));
    }

    [Fact]
    public void Solvers_not_built_yet_have_no_class_and_are_named_in_their_reason()
    {
        foreach (var spec in SolverCatalog.All.Where(s => !s.IsBuilt))
        {
            Assert.Null(spec.ClassName);
            Assert.Contains($"'{spec.Name}'", spec.NotBuiltReason);
        }
    }

    private static string Pascal(string snake) =>
        string.Concat(snake.Split('_').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p.Substring(1)));

    private static object Parse(string csharpValue, Type type) =>
        type == typeof(bool) ? bool.Parse(csharpValue)
        : type == typeof(double) ? double.Parse(csharpValue, CultureInfo.InvariantCulture)
        : type == typeof(int) ? int.Parse(csharpValue, CultureInfo.InvariantCulture)
        : throw new Xunit.Sdk.XunitException($"fixed setting value {csharpValue} of type {type.Name}");
}
