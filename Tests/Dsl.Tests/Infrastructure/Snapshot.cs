using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text;
using DiffPlex.DiffBuilder;
using DiffPlex.DiffBuilder.Model;
using Xunit.Sdk;

namespace Dsl.Tests.Infrastructure;

/// <summary>
/// Snapshot assertions with Verify's file naming: the expected text lives in
/// <c>Snapshots/Type.Method.verified.cs</c> next to the test source. On a mismatch the
/// actual text is written to <c>Type.Method.received.cs</c> and the failure shows a line diff.
/// Set <c>DSL_ACCEPT_SNAPSHOTS=1</c> to write (accept) new snapshots instead of failing.
/// </summary>
public static class Snapshot
{
    public const string AcceptVariable = "DSL_ACCEPT_SNAPSHOTS";

    public static void Verify(string actual, string? name = null, string extension = "cs",
        [CallerFilePath] string sourceFile = "", [CallerMemberName] string member = "")
    {
        var type = Path.GetFileNameWithoutExtension(sourceFile);
        var folder = Path.Combine(Path.GetDirectoryName(sourceFile)!, "Snapshots");
        var stem = $"{type}.{name ?? member}";
        var verified = Path.Combine(folder, $"{stem}.verified.{extension}");
        var received = Path.Combine(folder, $"{stem}.received.{extension}");
        actual = Normalize(actual);

        var accept = Environment.GetEnvironmentVariable(AcceptVariable) is "1" or "true";
        if (!File.Exists(verified))
        {
            if (accept)
            {
                Directory.CreateDirectory(folder);
                File.WriteAllText(verified, actual);
                return;
            }
            Directory.CreateDirectory(folder);
            File.WriteAllText(received, actual);
            throw new XunitException($"No snapshot {verified}. The output was written to {received}; review it and rename it to .verified.{extension}, or run with {AcceptVariable}=1.");
        }
        var expected = Normalize(File.ReadAllText(verified));
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        if (accept)
        {
            File.WriteAllText(verified, actual);
            return;
        }
        File.WriteAllText(received, actual);
        throw new XunitException($"Snapshot mismatch for {stem} (written to {received}):\n{Diff(expected, actual)}");
    }

    private static string Normalize(string s) => s.Replace("\r\n", "\n").TrimStart('\uFEFF');

    private static string Diff(string expected, string actual)
    {
        var model = new InlineDiffBuilder(new DiffPlex.Differ()).BuildDiffModel(expected, actual);
        var sb = new StringBuilder();
        var shown = 0;
        foreach (var line in model.Lines)
        {
            if (line.Type == ChangeType.Unchanged) continue;
            sb.Append(line.Type == ChangeType.Inserted ? "+ " : line.Type == ChangeType.Deleted ? "- " : "  ").AppendLine(line.Text);
            if (++shown >= 60) { sb.AppendLine("…"); break; }
        }
        return sb.ToString();
    }
}
