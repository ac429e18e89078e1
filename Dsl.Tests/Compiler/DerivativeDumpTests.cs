using System.Collections.Generic;
using System.Linq;
using OptDsl.Compiler;
using Snapshooter;
using Snapshooter.Xunit;
using Xunit;

namespace OptDsl.Tests.Compiler;

/// <summary>Golden dumps of the derivatives in .opt notation: the rules reviewed without reading C#.</summary>
public sealed class DerivativeDumpTests
{
    public static IEnumerable<object[]> Names => SnapshotTests.Features.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Names))]
    public void Derivatives_of_feature(string feature)
    {
        string dump = DerivativeReport.Explain(feature + ".opt", SnapshotTests.Features[feature].Replace("\r\n", "\n"));
        Assert.Contains("f = ", dump);
        Snapshot.Match(dump, SnapshotNameExtension.Create(feature));
    }
}
