using System;
using System.Collections.Generic;
using System.Globalization;
using OptDsl.Runtime;

namespace OptDsl.Benchmarks.Ipopt;

/// <summary>
/// <c>--compare-ipopt</c>: OptDsl's generated Solve (its .opt's solver, ipm, with its defaults) and IPOPT (tol 1e-8, its
/// defaults otherwise) on the same generated problems from the same starts: final f, iterations and status side by side.
/// The Hock–Schittkowski problems of the tests (Dsl.Tests/Constrained/Problems); issue 14 extends the set.
/// </summary>
public static class IpoptComparison
{
    private static IEnumerable<(string Name, object Problem)> Problems()
    {
        yield return ("hs006", new Hs006());
        yield return ("hs007", new Hs007());
        yield return ("hs014", new Hs014());
        yield return ("hs021", new Hs021());
        yield return ("hs026", new Hs026());
        yield return ("hs028", new Hs028());
        yield return ("hs035", new Hs035());
        yield return ("hs039", new Hs039());
        yield return ("hs040", new Hs040());
        yield return ("hs043", new Hs043());
        yield return ("hs048", new Hs048());
        yield return ("hs051", new Hs051());
        yield return ("hs065", new Hs065());
        yield return ("hs071", new OptDsl.Benchmarks.Problems.Hs071());
        yield return ("hs076", new Hs076());
        yield return ("hs078", new Hs078());
        yield return ("hs079", new Hs079());
        yield return ("hs080", new Hs080());
        yield return ("hs100", new Hs100());
    }

    public static int Run()
    {
        Console.WriteLine("| problem | ipm: f | iterations | status | IPOPT: f | iterations | status | |f_ipm − f_IPOPT| |");
        Console.WriteLine("|---|---:|---:|---|---:|---:|---|---:|");
        foreach (var (name, problem) in Problems())
        {
            dynamic p = problem;
            SolveResult ours = p.Solve();
            double[] start = p.StartPoint();
            Bounds? bounds = p.VariableBounds();
            var theirs = IpoptPeer.Solve((IConstrainedProblem)problem, start, bounds?.Lower, bounds?.Upper);
            string F(double v) => v.ToString("G10", CultureInfo.InvariantCulture);
            Console.WriteLine($"| {name} | {F(ours.Objective)} | {ours.Iterations} | {ours.Status} | {F(theirs.Objective)} | {theirs.Iterations} | {theirs.StatusName} | {Math.Abs(ours.Objective - theirs.Objective):G2} |");
        }
        return 0;
    }
}
