using System.Collections.Generic;

namespace Dsl.Generator.Emit;

/// <summary>How one IR function becomes a C# method: its header and the names of its parameters.</summary>
/// <param name="Header">The method declaration up to the parameter list's end (no body).</param>
/// <param name="ParamNames">C# names for the IR parameters, in order.</param>
/// <param name="OutNames">C# names of the <c>out</c> parameters that receive yields 1.. (yield 0 is returned).</param>
/// <param name="Comment">Summary lines written above the method.</param>
/// <param name="Checks">Statements that validate the arguments, written first.</param>
/// <param name="ReturnsValue">False for a void method: then every yield goes to an out parameter.</param>
internal sealed record MethodShape(
    string Header,
    IReadOnlyList<string> ParamNames,
    IReadOnlyList<string> OutNames,
    IReadOnlyList<string> Comment,
    IReadOnlyList<string> Checks,
    bool ReturnsValue = true);
