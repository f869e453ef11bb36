namespace Dsl.CodeFixes;
internal static class Placeholder { }
