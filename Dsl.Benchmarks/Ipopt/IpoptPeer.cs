using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using OptDsl.Runtime;

namespace OptDsl.Benchmarks.Ipopt;

/// <summary>What IPOPT returned: its status (<c>ApplicationReturnStatus</c>), iterations, f and x.</summary>
/// <summary>IPOPT's result; <paramref name="BoundMultipliers"/> is z_U − z_L, the z of OptDsl's convention (∇f + Jᵀλ + z = 0).</summary>
public sealed record IpoptResult(int Status, string StatusName, int Iterations, double Objective, double[] X, double[] Multipliers, double[] BoundMultipliers);

/// <summary>
/// IPOPT (Debian's coinor-libipopt-dev, 3.11.9, EPL; a benchmark peer only, never shipped) called through its C interface
/// (<c>IpStdCInterface.h</c>: CreateIpoptProblem, AddIpopt*Option, IpoptSolve) on a generated constrained problem: the
/// same objective, gradient, constraints, dense constraint Jacobian and dense Lagrangian Hessian OptDsl's ipm uses
/// (IPOPT's σ∇²f + Σλ∇²c is LagrangianHessian + (σ − 1)·Hessian, as the generated Lagrangian has f's factor 1).
/// Install the library with <c>apt-get install -y coinor-libipopt-dev</c> (Dsl.Benchmarks/Ipopt/install.sh).
/// </summary>
public static unsafe class IpoptPeer
{
    private const string Library = "ipopt";

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern IntPtr CreateIpoptProblem(int n, double* xL, double* xU, int m, double* gL, double* gU, int neleJac, int neleHess, int indexStyle,
        delegate* unmanaged[Cdecl]<int, double*, int, double*, IntPtr, int> evalF,
        delegate* unmanaged[Cdecl]<int, double*, int, int, double*, IntPtr, int> evalG,
        delegate* unmanaged[Cdecl]<int, double*, int, double*, IntPtr, int> evalGradF,
        delegate* unmanaged[Cdecl]<int, double*, int, int, int, int*, int*, double*, IntPtr, int> evalJacG,
        delegate* unmanaged[Cdecl]<int, double*, int, double, int, double*, int, int, int*, int*, double*, IntPtr, int> evalH);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern void FreeIpoptProblem(IntPtr problem);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern int AddIpoptNumOption(IntPtr problem, byte* keyword, double value);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern int AddIpoptIntOption(IntPtr problem, byte* keyword, int value);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern int AddIpoptStrOption(IntPtr problem, byte* keyword, byte* value);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern int SetIntermediateCallback(IntPtr problem,
        delegate* unmanaged[Cdecl]<int, int, double, double, double, double, double, double, double, double, int, IntPtr, int> callback);

    [DllImport(Library, CallingConvention = CallingConvention.Cdecl)]
    private static extern int IpoptSolve(IntPtr problem, double* x, double* g, double* objective, double* multG, double* multXL, double* multXU, IntPtr userData);

    /// <summary>The problem and scratch space a callback reaches through IPOPT's user data.</summary>
    private sealed class Callbacks(IConstrainedProblem problem)
    {
        public readonly IConstrainedProblem Problem = problem;
        public readonly double[] Jacobian = new double[problem.ConstraintCount * problem.Dimension];
        public readonly double[] Hessian = new double[problem.Dimension * problem.Dimension];
        public readonly double[] ObjectiveHessian = new double[problem.Dimension * problem.Dimension];
        public int Iterations;
        public Exception? Failure;
    }

    private static Callbacks Of(IntPtr user) => (Callbacks)GCHandle.FromIntPtr(user).Target!;

    private static int Guard(IntPtr user, Action<Callbacks> body)
    {
        var c = Of(user);
        try
        {
            body(c);
            return 1;
        }
        catch (Exception e)
        {
            c.Failure ??= e;
            return 0;
        }
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int EvalF(int n, double* x, int newX, double* f, IntPtr user) =>
        Guard(user, c => *f = c.Problem.Objective(new ReadOnlySpan<double>(x, n)));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int EvalGradF(int n, double* x, int newX, double* g, IntPtr user) =>
        Guard(user, c => c.Problem.Gradient(new ReadOnlySpan<double>(x, n), new Span<double>(g, n)));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int EvalG(int n, double* x, int newX, int m, double* g, IntPtr user) =>
        Guard(user, c => c.Problem.Constraints(new ReadOnlySpan<double>(x, n), new Span<double>(g, m)));

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int EvalJacG(int n, double* x, int newX, int m, int nele, int* iRow, int* jCol, double* values, IntPtr user) =>
        Guard(user, c =>
        {
            if (values == null)
            {
                for (int i = 0, k = 0; i < m; i++)
                    for (int j = 0; j < n; j++, k++) (iRow[k], jCol[k]) = (i, j);
                return;
            }
            c.Problem.ConstraintJacobian(new ReadOnlySpan<double>(x, n), c.Jacobian);
            c.Jacobian.AsSpan().CopyTo(new Span<double>(values, nele));
        });

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int EvalH(int n, double* x, int newX, double sigma, int m, double* lambda, int newLambda, int nele, int* iRow, int* jCol, double* values, IntPtr user) =>
        Guard(user, c =>
        {
            if (values == null)
            {
                for (int i = 0, k = 0; i < n; i++)
                    for (int j = 0; j <= i; j++, k++) (iRow[k], jCol[k]) = (i, j);
                return;
            }
            var xs = new ReadOnlySpan<double>(x, n);
            c.Problem.LagrangianHessian(xs, new ReadOnlySpan<double>(lambda, m), c.Hessian);
            if (sigma != 1) c.Problem.Hessian(xs, c.ObjectiveHessian);
            for (int i = 0, k = 0; i < n; i++)
                for (int j = 0; j <= i; j++, k++)
                    values[k] = c.Hessian[i * n + j] + (sigma != 1 ? (sigma - 1) * c.ObjectiveHessian[i * n + j] : 0);
        });

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Intermediate(int mode, int iteration, double f, double infPr, double infDu, double mu, double dNorm, double regularization,
                                    double alphaDu, double alphaPr, int lsTrials, IntPtr user)
    {
        Of(user).Iterations = iteration;
        return 1;
    }

    private static readonly string[] StatusNames =
    [
        "Solve_Succeeded", "Solved_To_Acceptable_Level", "Infeasible_Problem_Detected", "Search_Direction_Becomes_Too_Small",
        "Diverging_Iterates", "User_Requested_Stop", "Feasible_Point_Found",
    ];

    private static string Name(int status) => status switch
    {
        >= 0 and < 7 => StatusNames[status],
        -1 => "Maximum_Iterations_Exceeded",
        -2 => "Restoration_Failed",
        -3 => "Error_In_Step_Computation",
        -4 => "Maximum_CpuTime_Exceeded",
        -10 => "Not_Enough_Degrees_Of_Freedom",
        -11 => "Invalid_Problem_Definition",
        -12 => "Invalid_Option",
        -13 => "Invalid_Number_Detected",
        _ => $"status {status}",
    };

    /// <summary>
    /// Solves with IPOPT from <paramref name="start"/> within the variable bounds (±∞ where open), printing nothing;
    /// <paramref name="tolerance"/> is IPOPT's <c>tol</c> (its scaled KKT error), as ipm's tolerance.
    /// </summary>
    public static IpoptResult Solve(IConstrainedProblem problem, double[] start, double[]? lower, double[]? upper, double tolerance = 1e-8, int maxIterations = 3000)
    {
        int n = problem.Dimension, m = problem.ConstraintCount;
        var xL = new double[n];
        var xU = new double[n];
        for (int j = 0; j < n; j++)
        {
            xL[j] = lower is null || double.IsNegativeInfinity(lower[j]) ? -1e19 : lower[j];
            xU[j] = upper is null || double.IsPositiveInfinity(upper[j]) ? 1e19 : upper[j];
        }
        var gL = new double[m];
        var gU = new double[m];
        problem.ConstraintBounds(gL, gU);
        for (int k = 0; k < m; k++)
        {
            if (double.IsNegativeInfinity(gL[k])) gL[k] = -1e19;
            if (double.IsPositiveInfinity(gU[k])) gU[k] = 1e19;
        }
        var callbacks = new Callbacks(problem);
        var handle = GCHandle.Alloc(callbacks);
        var x = (double[])start.Clone();
        var g = new double[m];
        var multG = new double[m];
        var multL = new double[n];
        var multU = new double[n];
        double objective = double.NaN;
        try
        {
            fixed (double* pxL = xL, pxU = xU, pgL = gL, pgU = gU, px = x, pg = g, pmG = multG, pmL = multL, pmU = multU)
            {
                IntPtr ipopt = CreateIpoptProblem(n, pxL, pxU, m, pgL, pgU, m * n, n * (n + 1) / 2, 0, &EvalF, &EvalG, &EvalGradF, &EvalJacG, &EvalH);
                if (ipopt == IntPtr.Zero) throw new InvalidOperationException("CreateIpoptProblem returned null.");
                try
                {
                    Option(ipopt, "print_level", 0);
                    Option(ipopt, "sb", "yes");
                    Option(ipopt, "tol", tolerance);
                    Option(ipopt, "max_iter", maxIterations);
                    SetIntermediateCallback(ipopt, &Intermediate);
                    int status = IpoptSolve(ipopt, px, pg, &objective, pmG, pmL, pmU, GCHandle.ToIntPtr(handle));
                    if (callbacks.Failure is { } failure) throw new InvalidOperationException("An IPOPT callback failed.", failure);
                    var z = new double[n];
                    for (int j = 0; j < n; j++) z[j] = multU[j] - multL[j];
                    return new IpoptResult(status, Name(status), callbacks.Iterations, objective, x, multG, z);
                }
                finally
                {
                    FreeIpoptProblem(ipopt);
                }
            }
        }
        finally
        {
            handle.Free();
        }
    }

    private static void Option(IntPtr ipopt, string keyword, object value)
    {
        byte[] key = Encoding.ASCII.GetBytes(keyword + "\0");
        fixed (byte* k = key)
        {
            int ok = value switch
            {
                int i => AddIpoptIntOption(ipopt, k, i),
                double d => AddIpoptNumOption(ipopt, k, d),
                string s => AddString(ipopt, k, s),
                _ => 0,
            };
            if (ok == 0) throw new ArgumentException($"IPOPT refused the option {keyword} = {value}.");
        }
    }

    private static int AddString(IntPtr ipopt, byte* key, string value)
    {
        byte[] v = Encoding.ASCII.GetBytes(value + "\0");
        fixed (byte* pv = v) return AddIpoptStrOption(ipopt, key, pv);
    }
}
