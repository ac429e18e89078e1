using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;

namespace OptDsl.Tests.Fuzz;

/// <summary>
/// Greedy test-case reduction on the fuzzer's model: drop problems, members, constraints, comments, options, the
/// namespace and the hostile file name; replace expressions by their sub-expressions or a constant — keeping each step
/// only while the program, compiled and checked on its own, still fails with the same category.
/// </summary>
public static class Shrinker
{
    public sealed record Result(FuzzProgram Program, Failure? Failure, int Steps, int Tries, TimeSpan Elapsed, bool Reproduced);

    public static Result Shrink(FuzzProgram program, string category, TimeSpan budget)
    {
        var clock = Stopwatch.StartNew();
        bool runtime = !FuzzHarness.IsCompileCategory(category);
        int tries = 0;
        Failure? Fails()
        {
            tries++;
            try
            {
                return FuzzHarness.RunOne(program, runtime).Failures.FirstOrDefault(f => f.Category == category);
            }
            catch (Exception)
            {
                return null;
            }
        }

        var failure = Fails();
        if (failure is null) return new Result(program, null, 0, tries, clock.Elapsed, false);
        int steps = 0;
        bool progress = true;
        while (progress && clock.Elapsed < budget)
        {
            progress = false;
            foreach (var (apply, undo) in Safe(Candidates(program)))
            {
                if (clock.Elapsed >= budget) break;
                string before = program.Text;
                apply();
                if (program.Text == before)
                {
                    undo();
                    continue;
                }
                var f = Fails();
                if (f is not null)
                {
                    failure = f;
                    steps++;
                    progress = true;
                    break; // the model changed: enumerate candidates afresh
                }
                undo();
            }
        }
        return new Result(program, failure, steps, tries, clock.Elapsed, true);
    }

    /// <summary>Stops the enumeration (instead of throwing) when a candidate cannot be built from a half-shrunk model.</summary>
    private static IEnumerable<T> Safe<T>(IEnumerable<T> source)
    {
        using var e = source.GetEnumerator();
        while (true)
        {
            T current;
            try
            {
                if (!e.MoveNext()) yield break;
                current = e.Current;
            }
            catch (Exception)
            {
                yield break;
            }
            yield return current;
        }
    }

    private static IEnumerable<(Action Apply, Action Undo)> Candidates(FuzzProgram p)
    {
        // Whole problems.
        if (p.Problems.Count > 1)
            foreach (var c in RemoveEach(p.Problems)) yield return c;

        // File-level text.
        foreach (var c in RemoveEach(p.HeaderComments)) yield return c;
        if (p.Path != "p.opt")
        {
            string old = p.Path;
            yield return (() => p.Path = "p.opt", () => p.Path = old);
        }
        if (p.NamespaceLine is not null)
        {
            var old = p.NamespaceLine;
            string? oldArg = p.NamespaceArgument;
            yield return (() => { p.NamespaceLine = null; p.NamespaceArgument = p.Unique; }, () => { p.NamespaceLine = old; p.NamespaceArgument = oldArg; });
            if (old.Count > 1)
                yield return (() => p.NamespaceLine = [p.Unique], () => p.NamespaceLine = old);
        }
        if (p.NamespaceArgument != p.Unique && p.NamespaceLine is null)
        {
            string? old = p.NamespaceArgument;
            yield return (() => p.NamespaceArgument = p.Unique, () => p.NamespaceArgument = old);
        }
        if (p.NewLine != "\n")
        {
            string old = p.NewLine;
            yield return (() => p.NewLine = "\n", () => p.NewLine = old);
        }

        // Big wins first: whole constraints, then whole expressions, then declarations with their uses.
        foreach (var problem in p.Problems.ToList())
        {
            foreach (var c in RemoveEach(problem.Constraints)) yield return c;
            foreach (var (get, set) in Roots(problem))
            {
                var root = get();
                foreach (var replacement in Replacements(root))
                    yield return (() => set(replacement), () => set(root));
            }
            var names = problem.Vars.Select(v => v.Name).Concat(problem.Lets.Select(l => l.Name)).Concat(problem.Objectives.Select(o => o.Name))
                .Concat(problem.Data.Select(d => d.Name)).Concat(problem.Params.Select(x => x.Name)).ToList();
            // Halves, quarters, ... then one at a time (ddmin-style), so fifty declarations do not take fifty steps.
            for (int chunk = names.Count / 2; chunk >= 1; chunk /= 2)
                for (int start = 0; start < names.Count; start += chunk)
                    yield return RemoveWithUses(problem, names.Skip(start).Take(chunk).ToHashSet());
        }

        foreach (var problem in p.Problems.ToList())
        {
            if (problem.Name != "P")
            {
                string old = problem.Name;
                yield return (() => problem.Name = "P", () => problem.Name = old);
            }
            if (problem.Solver is not null)
            {
                string old = problem.Solver;
                yield return (() => problem.Solver = null, () => problem.Solver = old);
                int paren = old.IndexOf('(');
                if (paren > 0)
                    yield return (() => problem.Solver = old.Substring(0, paren) + ";", () => problem.Solver = old);
            }
            if (problem.OrderSeed != 0)
            {
                int old = problem.OrderSeed;
                yield return (() => problem.OrderSeed = 0, () => problem.OrderSeed = old);
            }
            if (problem.SecondBlockAt != 0)
            {
                int old = problem.SecondBlockAt;
                yield return (() => problem.SecondBlockAt = 0, () => problem.SecondBlockAt = old);
            }
            foreach (var c in RemoveEach(problem.Comments)) yield return c;
            foreach (var c in RemoveEach(problem.Constraints)) yield return c;
            foreach (var c in RemoveEach(problem.Lets)) yield return c;
            foreach (var c in RemoveEach(problem.Objectives)) yield return c;
            foreach (var c in RemoveEach(problem.Params)) yield return c;
            foreach (var c in RemoveEach(problem.Data)) yield return c;
            foreach (var c in RemoveEach(problem.Vars)) yield return c;
            foreach (var c in RemoveEach(problem.Dims)) yield return c;
            foreach (var c in problem.Constraints.ToList())
            {
                if (c.Label is not null)
                {
                    string old = c.Label;
                    yield return (() => c.Label = null, () => c.Label = old);
                }
                if (c.Comment is not null)
                {
                    string old = c.Comment;
                    yield return (() => c.Comment = null, () => c.Comment = old);
                }
            }
            foreach (var v in problem.Vars.ToList())
            {
                if (v.BoundsText is not null)
                {
                    var (t, l, u) = (v.BoundsText, v.Lower, v.Upper);
                    yield return (() => (v.BoundsText, v.Lower, v.Upper) = ((string?)null, (double[]?)null, (double[]?)null), () => (v.BoundsText, v.Lower, v.Upper) = (t, l, u));
                }
                if (v.StartText is not null)
                {
                    var (t, s) = (v.StartText, v.Start);
                    yield return (() => (v.StartText, v.Start) = ((string?)null, (double[]?)null), () => (v.StartText, v.Start) = (t, s));
                }
            }
            foreach (var prm in problem.Params.ToList())
            {
                if (prm.ValueText != "1")
                {
                    var (t, v) = (prm.ValueText, prm.Value);
                    yield return (() => (prm.ValueText, prm.Value) = ("1", 1.0), () => (prm.ValueText, prm.Value) = (t, v));
                }
            }

            // Expressions: replace a node by one of its own sub-expressions or by a constant, largest first.
            foreach (var (get, set) in Roots(problem))
            {
                var root = get();
                foreach (var replacement in Replacements(root))
                    yield return (() => set(replacement), () => set(root));
                var queue = new Queue<Node>();
                queue.Enqueue(root);
                while (queue.Count > 0)
                {
                    var node = queue.Dequeue();
                    for (int slot = 0; slot < node.Kids.Length; slot++)
                    {
                        var kid = node.Kids[slot];
                        int s = slot;
                        foreach (var replacement in Replacements(kid))
                            yield return (() => node.Kids[s] = replacement, () => node.Kids[s] = kid);
                        queue.Enqueue(kid);
                    }
                }
            }
        }
    }

    private static List<(Func<Node> Get, Action<Node> Set)> Roots(ProblemDecl problem)
    {
        var roots = new List<(Func<Node> Get, Action<Node> Set)> { (() => problem.Goal, n => problem.Goal = n) };
        foreach (var l in problem.Lets.ToList()) roots.Add((() => l.Body, n => l.Body = n));
        foreach (var o in problem.Objectives.ToList()) roots.Add((() => o.Body, n => o.Body = n));
        foreach (var c in problem.Constraints.ToList())
            for (int k = 0; k < c.Sides.Count; k++)
            {
                int kk = k;
                roots.Add((() => c.Sides[kk], n => c.Sides[kk] = n));
            }
        return roots;
    }

    /// <summary>Removes declarations and replaces every use of them by the constant 1.</summary>
    private static (Action, Action) RemoveWithUses(ProblemDecl problem, HashSet<string> names)
    {
        var undo = new List<Action>();
        void Apply()
        {
            undo.Clear();
            foreach (var list in new System.Collections.IList[] { problem.Vars, problem.Lets, problem.Objectives, problem.Data, problem.Params })
            {
                for (int k = 0; k < list.Count; k++)
                {
                    object item = list[k]!;
                    string? n = item switch { VarDecl v => v.Name, LetDef l => l.Name, ObjectiveDecl o => o.Name, DataDecl d => d.Name, ParamDecl x => x.Name, _ => null };
                    if (n is null || !names.Contains(n)) continue;
                    int at = k;
                    list.RemoveAt(at);
                    undo.Add(() => list.Insert(at, item));
                    k--;
                }
            }
            foreach (var (get, set) in Roots(problem))
            {
                var root = get();
                if (root.RefName is { } rn && names.Contains(rn))
                {
                    set(new Num("1"));
                    undo.Add(() => set(root));
                    continue;
                }
                var stack = new Stack<Node>();
                stack.Push(root);
                while (stack.Count > 0)
                {
                    var node = stack.Pop();
                    for (int slot = 0; slot < node.Kids.Length; slot++)
                    {
                        var kid = node.Kids[slot];
                        if (kid.RefName is { } kn && names.Contains(kn))
                        {
                            int s = slot;
                            node.Kids[s] = new Num("1");
                            undo.Add(() => node.Kids[s] = kid);
                        }
                        else
                        {
                            stack.Push(kid);
                        }
                    }
                }
            }
        }
        void Undo()
        {
            for (int k = undo.Count - 1; k >= 0; k--) undo[k]();
        }
        return (Apply, Undo);
    }

    private static IEnumerable<Node> Replacements(Node node)
    {
        // Long left-nested chains (a + b + c + ...): jump down the spine by halves instead of one term per step.
        var spine = new List<Node>();
        for (var s = node; s is Chain || s is Bin { Op: '+' or '-' }; s = s.Kids[0]) spine.Add(s.Kids[0]);
        for (int at = spine.Count / 2; at >= 1 && spine.Count > 2; at /= 2) yield return spine[spine.Count - at];
        foreach (var kid in node.Kids)
            if (kid.IsArray == node.IsArray && (!node.IsArray || kid.ShapeKey.SequenceEqual(node.ShapeKey)))
                yield return kid;
        if (!node.IsArray && node is not Num) yield return new Num("1");
    }

    private static IEnumerable<(Action, Action)> RemoveEach<T>(List<T> list)
    {
        foreach (var item in list.ToList())
        {
            int at = list.IndexOf(item);
            if (at < 0) continue;
            yield return (() => list.RemoveAt(at), () => list.Insert(at, item));
        }
    }
}
