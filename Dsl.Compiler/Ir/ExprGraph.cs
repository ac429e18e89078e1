using System;
using System.Collections.Generic;
using System.Linq;

namespace OptDsl.Compiler.Ir;

/// <summary>Walks over the IR's DAG that every later stage shares.</summary>
public static class ExprGraph
{
    /// <summary>Every node reachable from <paramref name="root"/> (into reduction bodies too), parents before children.</summary>
    public static List<Expr> TopologicalOrder(Expr root)
    {
        var seen = new HashSet<Expr>();
        var stack = new Stack<Expr>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var e = stack.Pop();
            if (!seen.Add(e)) continue;
            foreach (var a in e.Args) stack.Push(a);
        }
        // Children are always interned before their parents, so ids give a topological order.
        return seen.OrderByDescending(e => e.Id).ToList();
    }
}

/// <summary>Sets of index variables closed under range dependencies: a loop over j in 0..i runs inside a loop over i.</summary>
public static class IndexClosure
{
    /// <summary>The index variables, plus every index variable their ranges mention (transitively), outermost first.</summary>
    public static IReadOnlyList<IndexVar> Of(IEnumerable<IndexVar> indices)
    {
        if (indices is IReadOnlyCollection<IndexVar> { Count: 0 }) return Array.Empty<IndexVar>();
        var result = new List<IndexVar>();
        var stack = new Stack<IndexVar>(indices);
        while (stack.Count > 0)
        {
            var v = stack.Pop();
            if (result.Contains(v)) continue;
            result.Add(v);
            foreach (var u in v.Lower.FreeIndices().Concat(v.Upper.FreeIndices())) stack.Push(u);
        }
        result.Sort((a, b) => a.Level.CompareTo(b.Level));
        return result;
    }
}
