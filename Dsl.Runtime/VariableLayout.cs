using System;
using System.Collections.Generic;

namespace OptDsl.Runtime;

/// <summary>Where each named decision variable lives in the flat vector.</summary>
public sealed class VariableLayout
{
    private readonly Dictionary<string, (int Offset, int[] Shape)> _entries = new(StringComparer.Ordinal);

    /// <summary>Adds a variable; variables are laid out in declaration order, each row-major.</summary>
    public VariableLayout Add(string name, int offset, params int[] shape)
    {
        _entries.Add(name, (offset, shape));
        return this;
    }

    /// <summary>The variables' names in declaration order.</summary>
    public IEnumerable<string> Names => _entries.Keys;

    /// <summary>Offset and shape (empty for a scalar) of <paramref name="name"/>.</summary>
    public (int Offset, int[] Shape) this[string name] =>
        _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"No decision variable named '{name}'. Known: {string.Join(", ", _entries.Keys)}.");
}
