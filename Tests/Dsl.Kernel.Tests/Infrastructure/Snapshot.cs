using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Xunit.Sdk;

namespace Dsl.Kernel.Tests.Infrastructure;

/// <summary>
/// Snapshot files as in Dsl.Tests: the expected text in <c>Snapshots/Type.Name.verified.cs</c>; on a
/// mismatch the actual text goes to <c>.received.cs</c> and the first differing line is shown. Set
/// <c>DSL_ACCEPT_SNAPSHOTS=1</c> to accept.
/// </summary>
public static class Snapshot
{
    public static void Verify(string actual, string name, [CallerFilePath] string sourceFile = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(sourceFile)!, "Snapshots");
        var stem = $"{Path.GetFileNameWithoutExtension(sourceFile)}.{name}";
        var verified = Path.Combine(folder, stem + ".verified.cs");
        var received = Path.Combine(folder, stem + ".received.cs");
        actual = actual.Replace("\r\n", "\n");
        Directory.CreateDirectory(folder);
        if (Environment.GetEnvironmentVariable("DSL_ACCEPT_SNAPSHOTS") is "1" or "true")
        {
            File.WriteAllText(verified, actual);
            return;
        }
        var expected = File.Exists(verified) ? File.ReadAllText(verified).Replace("\r\n", "\n") : null;
        if (expected == actual)
        {
            if (File.Exists(received)) File.Delete(received);
            return;
        }
        File.WriteAllText(received, actual);
        if (expected is null) throw new XunitException($"No snapshot {verified}; the output is in {received}.");
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var line = Enumerable.Range(0, Math.Min(e.Length, a.Length)).FirstOrDefault(i => e[i] != a[i], Math.Min(e.Length, a.Length));
        throw new XunitException($"Snapshot mismatch for {stem} at line {line + 1} (output in {received}):\n" +
            $"- {(line < e.Length ? e[line] : "<end>")}\n+ {(line < a.Length ? a[line] : "<end>")}");
    }
}
