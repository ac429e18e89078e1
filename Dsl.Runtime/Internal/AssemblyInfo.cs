using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("Dsl.Tests")]
