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

    /// <summary>
    /// The variable that holds entry <paramref name="index"/> of the flat vector: its position in declaration order, its
    /// name and the element's index within it (row-major; empty for a scalar). Null when no variable holds it.
    /// </summary>
    internal (int Position, string Name, int[] Element)? Locate(int index)
    {
        int position = 0;
        foreach (var (name, (offset, shape)) in _entries)
        {
            long size = 1;
            foreach (int extent in shape) size *= extent;
            if (index >= offset && index - offset < size)
            {
                var element = new int[shape.Length];
                long rest = index - offset;
                for (int axis = shape.Length - 1; axis >= 0; axis--)
                {
                    element[axis] = (int)(rest % shape[axis]);
                    rest /= shape[axis];
                }
                return (position, name, element);
            }
            position++;
        }
        return null;
    }

    /// <summary>Offset and shape (empty for a scalar) of <paramref name="name"/>.</summary>
    public (int Offset, int[] Shape) this[string name] =>
        _entries.TryGetValue(name, out var entry)
            ? entry
            : throw new KeyNotFoundException($"No decision variable named '{name}'. Known: {string.Join(", ", _entries.Keys)}.");
}
