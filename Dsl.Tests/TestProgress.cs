using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Threading;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestFramework("OptDsl.Tests.ProgressReportingTestFramework", "Dsl.Tests")]

namespace OptDsl.Tests;

/// <summary>
/// xUnit's own framework, plus a progress line every half minute while the tests run, so that the README's
/// <c>dotnet test OptDsl.sln</c> is never silent for minutes. The lines are xUnit diagnostic messages (enabled in
/// xunit.runner.json), which <c>dotnet test</c> shows at its default verbosity, one line each:
/// <c>[xUnit.net 00:01:30.02] Dsl.Tests: 812 of 1,640 test cases done (49%), 0 failed</c>.
/// The interval is <c>OPTDSL_TEST_PROGRESS_SECONDS</c> (default 30; 0 turns the lines off). Under the terminal logger
/// there are no such lines (see <see cref="ProgressSink.Interval"/>).
/// </summary>
public sealed class ProgressReportingTestFramework(IMessageSink messageSink) : XunitTestFramework(messageSink)
{
    protected override ITestFrameworkExecutor CreateExecutor(AssemblyName assemblyName) =>
        new Executor(assemblyName, SourceInformationProvider, DiagnosticMessageSink);

    private sealed class Executor(AssemblyName assemblyName, ISourceInformationProvider sourceInformationProvider, IMessageSink diagnosticMessageSink)
        : XunitTestFrameworkExecutor(assemblyName, sourceInformationProvider, diagnosticMessageSink)
    {
        protected override void RunTestCases(IEnumerable<IXunitTestCase> testCases, IMessageSink executionMessageSink, ITestFrameworkExecutionOptions executionOptions)
        {
            var cases = testCases.ToList();
            TimeSpan interval = ProgressSink.Interval();
            IMessageSink sink = interval > TimeSpan.Zero
                ? new ProgressSink(executionMessageSink, DiagnosticMessageSink, cases.Count, interval)
                : executionMessageSink;
            base.RunTestCases(cases, sink, executionOptions);
        }
    }

    /// <summary>Passes every message on, counts finished test cases and failures, and reports them on a timer.</summary>
    private sealed class ProgressSink : LongLivedMarshalByRefObject, IMessageSink
    {
        private readonly IMessageSink _inner;
        private readonly IMessageSink _diagnostics;
        private readonly int _total;
        private readonly Timer _timer;
        private int _done;
        private int _failed;

        public ProgressSink(IMessageSink inner, IMessageSink diagnostics, int total, TimeSpan interval)
        {
            _inner = inner;
            _diagnostics = diagnostics;
            _total = total;
            _diagnostics.OnMessage(new DiagnosticMessage(string.Create(CultureInfo.InvariantCulture,
                $"running {total:N0} test cases; progress every {interval.TotalSeconds:0} s")));
            _timer = new Timer(_ => Report(), null, interval, interval);
        }

        public static TimeSpan Interval()
        {
            // Under MSBuild's terminal logger (dotnet test in an interactive terminal, where the SDK sets
            // _MSBUILDTLENABLED=1 for the test host) diagnostic messages become build warnings printed after the run;
            // that logger shows a live timer and xUnit's "Discovered: ... (N test cases to be run)" line instead.
            if (Environment.GetEnvironmentVariable("_MSBUILDTLENABLED") == "1") return TimeSpan.Zero;
            string? text = Environment.GetEnvironmentVariable("OPTDSL_TEST_PROGRESS_SECONDS");
            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0
                ? TimeSpan.FromSeconds(seconds)
                : TimeSpan.FromSeconds(30);
        }

        public bool OnMessage(IMessageSinkMessage message)
        {
            switch (message)
            {
                case ITestFailed:
                    Interlocked.Increment(ref _failed);
                    break;
                case ITestCaseFinished:
                    Interlocked.Increment(ref _done);
                    break;
                case ITestAssemblyFinished:
                    _timer.Dispose();
                    break;
            }

            return _inner.OnMessage(message);
        }

        private void Report()
        {
            int done = Volatile.Read(ref _done);
            int failed = Volatile.Read(ref _failed);
            double percent = _total == 0 ? 100 : 100.0 * done / _total;
            _diagnostics.OnMessage(new DiagnosticMessage(string.Create(CultureInfo.InvariantCulture,
                $"{done:N0} of {_total:N0} test cases done ({percent:0}%), {failed:N0} failed")));
        }
    }
}
