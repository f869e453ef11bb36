namespace Dsl;

/// <summary>Facts about the generator that produced the code in this assembly.</summary>
public static class DslInfo
{
    /// <summary>The tool name written into <c>[GeneratedCode]</c> attributes.</summary>
    public const string GeneratorName = "Dsl.Generator";
}
