namespace OptDsl.Runtime;

/// <summary>Step-length rule of <see cref="GradientDescentSolver"/> (<c>.opt</c> option <c>line_search</c>).</summary>
public enum LineSearchKind
{
    /// <summary>Fixed step: the learning rate.</summary>
    None,

    /// <summary>Backtracking until the Armijo sufficient-decrease condition holds.</summary>
    Armijo,
}
