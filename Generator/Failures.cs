using System.Collections.Immutable;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Dsl.Generator;

/// <summary>A refusal's text, its family (a descriptor id) and the properties a code fix reads.</summary>
/// <param name="Properties">Encoded key/value pairs (<see cref="Failures.PropertiesOf"/> decodes them); a string so the
/// outcome stays equatable and cheap to cache.</param>
internal sealed record Classified(string Id, string Message, string Properties)
{
    public DiagnosticDescriptor Descriptor => DslDiagnostics.Of(Id);
}

/// <summary>
/// Failures travel from where they are made (the frontend, the signature rules, the rows, the transforms) to where they
/// are reported as plain strings, through dozens of <c>string?</c> returns and the cached models. Rather than change all
/// of them, a refusal that belongs to a family carries the id, and the properties a fix needs, in a header at its start:
/// <c>US id RS key=value RS ... US message</c> (US = U+001F, RS = U+001E: control characters no message contains).
/// <see cref="Classify"/> takes the header off before anything is shown; a string without one is DSL0002. A tagged
/// string embedded in another (a wrapper that prefixes its own words) keeps the innermost family.
/// </summary>
internal static class Failures
{
    private const char Unit = '\u001F';
    private const char Record = '\u001E';

    /// <summary>Property keys the code fixes read.</summary>
    public const string ExpectedReturn = "ExpectedReturn";
    public const string ExpectedParameters = "ExpectedParameters";
    public const string Callee = "Callee";
    public const string Modifier = "Modifier";
    public const string Target = "Target";
    public const string Construct = "Construct";

    /// <summary>The message with its family and properties (pairs of key, value).</summary>
    public static string Tag(DiagnosticDescriptor family, string message, params string[] properties)
    {
        var header = new StringBuilder().Append(Unit).Append(family.Id);
        for (var i = 0; i + 1 < properties.Length; i += 2)
            header.Append(Record).Append(properties[i]).Append('=').Append(properties[i + 1].Replace(Unit, ' ').Replace(Record, ' '));
        return header.Append(Unit).Append(Strip(message, out _, out _)).ToString();
    }

    /// <summary>The family of a failure (DSL0002 without a header) and the text without its header.</summary>
    public static Classified Classify(string failure)
    {
        var message = Strip(failure, out var id, out var properties);
        return new Classified(id ?? DslDiagnostics.InvalidDerivative.Id, message, properties);
    }

    /// <summary>The text of a failure, without its header.</summary>
    public static string Text(string? failure) => failure is null ? "" : Strip(failure, out _, out _);

    /// <summary>The diagnostic properties of <see cref="Classified.Properties"/>.</summary>
    public static ImmutableDictionary<string, string?> PropertiesOf(string encoded)
    {
        var builder = ImmutableDictionary.CreateBuilder<string, string?>();
        foreach (var pair in encoded.Split(new[] { Record }, System.StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq > 0) builder[pair.Substring(0, eq)] = pair.Substring(eq + 1);
        }
        return builder.ToImmutable();
    }

    /// <summary>Removes every header; the id and properties are the first header's.</summary>
    private static string Strip(string text, out string? id, out string properties)
    {
        id = null;
        properties = "";
        if (text.IndexOf(Unit) < 0) return text;
        var result = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            var start = text.IndexOf(Unit, i);
            var end = start < 0 ? -1 : text.IndexOf(Unit, start + 1);
            if (end < 0)
            {
                result.Append(text, i, text.Length - i);
                break;
            }
            result.Append(text, i, start - i);
            var header = text.Substring(start + 1, end - start - 1);
            var cut = header.IndexOf(Record);
            if (id is null)
            {
                id = cut < 0 ? header : header.Substring(0, cut);
                properties = cut < 0 ? "" : header.Substring(cut + 1);
            }
            i = end + 1;
        }
        return result.ToString();
    }
}
