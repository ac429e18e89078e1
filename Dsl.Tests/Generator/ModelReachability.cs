using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace OptDsl.Tests.Generator;

/// <summary>
/// Walks the object graph of incremental-step outputs and finds Roslyn objects that must never be
/// cached in a generator model: they have no value equality (the cache never hits) and they keep
/// whole compilations alive.
/// </summary>
public static class ModelReachability
{
    public static readonly Type[] ForbiddenTypes =
    [
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel),
        typeof(AdditionalText), typeof(IOperation), typeof(Location), typeof(Diagnostic),
        typeof(AnalyzerConfigOptions), typeof(AnalyzerConfigOptionsProvider),
    ];

    /// <summary>Every path (like <c>Compiled[0].Output.Sources[1]</c>) that reaches a forbidden object, or a field whose declared type is forbidden.</summary>
    public static IReadOnlyList<string> FindForbidden(IEnumerable<(string Path, object? Value)> roots)
    {
        var violations = new List<string>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var (path, value) in roots)
        {
            Visit(value, path, seen, violations, depth: 0);
        }

        return violations;
    }

    /// <summary>Every type met while walking the graph (the model types), for reporting.</summary>
    public static IReadOnlySet<Type> TypesReachableFrom(IEnumerable<object?> roots)
    {
        var types = new HashSet<Type>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        foreach (var root in roots)
        {
            Collect(root, types, seen, depth: 0);
        }

        return types;
    }

    private static bool IsForbidden(Type type) => ForbiddenTypes.Any(forbidden => forbidden.IsAssignableFrom(type));

    private static bool IsLeaf(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal);

    private static void Visit(object? value, string path, HashSet<object> seen, List<string> violations, int depth)
    {
        if (value is null || depth > 64)
        {
            return;
        }

        var type = value.GetType();
        if (IsForbidden(type))
        {
            violations.Add($"{path}: {type.FullName}");
            return;
        }

        if (IsLeaf(type) || (!type.IsValueType && !seen.Add(value)))
        {
            return;
        }

        var index = 0;
        foreach (var item in ItemsOf(value))
        {
            Visit(item, $"{path}[{index++}]", seen, violations, depth + 1);
        }

        foreach (var field in FieldsOf(type))
        {
            if (IsForbidden(field.FieldType))
            {
                violations.Add($"{path}.{field.Name}: field of type {field.FieldType.FullName}");
                continue;
            }

            Visit(field.GetValue(value), $"{path}.{field.Name}", seen, violations, depth + 1);
        }
    }

    private static void Collect(object? value, HashSet<Type> types, HashSet<object> seen, int depth)
    {
        if (value is null || depth > 64)
        {
            return;
        }

        var type = value.GetType();
        types.Add(type);
        if (IsLeaf(type) || (!type.IsValueType && !seen.Add(value)))
        {
            return;
        }

        foreach (var item in ItemsOf(value))
        {
            Collect(item, types, seen, depth + 1);
        }

        foreach (var field in FieldsOf(type))
        {
            Collect(field.GetValue(value), types, seen, depth + 1);
        }
    }

    /// <summary>The items of a collection; none for a default ImmutableArray (which throws when enumerated) or a non-collection.</summary>
    private static List<object?> ItemsOf(object value)
    {
        var items = new List<object?>();
        if (value is IEnumerable enumerable)
        {
            try
            {
                foreach (var item in enumerable)
                {
                    items.Add(item);
                }
            }
            catch (InvalidOperationException)
            {
                // Its fields are still walked.
            }
        }

        return items;
    }

    private static IEnumerable<FieldInfo> FieldsOf(Type type)
    {
        for (var current = type; current is not null && current != typeof(object); current = current.BaseType)
        {
            foreach (var field in current.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                yield return field;
            }
        }
    }
}
