using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Reflection.Emit;
using Xunit;

namespace Dsl.Math.Tests;

/// <summary>
/// PortableMath may call only the System.Math functions that ILGPU compiles to one exact PTX instruction (Floor,
/// Ceiling, Sqrt, Abs, Min, Max). Others compile wrongly or not at all: on an NVIDIA H200, ILGPU 1.5.3 compiled
/// Math.Round(x) to x itself (Round(1e-12) gave 1e-12; docs/gpu-runs/2026-11-30-math-before-round-fix.txt), which made
/// exp, sin, cos, tan, sinh, cosh, tanh and pow wrong on the GPU while the CPU accelerator agreed; Math.Truncate and
/// Math.FusedMultiplyAdd become .extern calls. The CPU cannot see these failures, so this test reads the IL.
/// </summary>
public sealed class SystemMathUseTests
{
    private static readonly HashSet<string> Allowed = new(StringComparer.Ordinal) { "Floor", "Ceiling", "Sqrt", "Abs", "Min", "Max" };

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    [Fact]
    public void PortableMath_calls_only_the_System_Math_functions_ILGPU_maps_to_exact_instructions()
    {
        var bad = new List<string>();
        var type = typeof(PortableMath);
        foreach (var m in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.DeclaredOnly))
        {
            foreach (var callee in Calls(m))
            {
                if ((callee.DeclaringType == typeof(System.Math) || callee.DeclaringType == typeof(MathF)) && !Allowed.Contains(callee.Name))
                    bad.Add($"{m.Name} calls {callee.DeclaringType.Name}.{callee.Name}");
            }
        }
        Assert.True(bad.Count == 0, string.Join("; ", bad.Distinct()));
    }

    [Fact]
    public void The_IL_reader_finds_calls()
    {
        // The reader must see PortableMath.Round's Math.Floor calls, or the test above could pass vacuously.
        var round = typeof(PortableMath).GetMethod(nameof(PortableMath.Round), new[] { typeof(double) })!;
        Assert.Contains(Calls(round), c => c.DeclaringType == typeof(System.Math) && c.Name == "Floor");
    }

    /// <summary>The methods <paramref name="m"/> calls, by walking its IL opcode by opcode.</summary>
    private static IEnumerable<MethodBase> Calls(MethodInfo m)
    {
        var il = m.GetMethodBody()?.GetILAsByteArray() ?? Array.Empty<byte>();
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            var op = OpCodesByValue[value];
            i += op.Size;
            int operand = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (op.OperandType == OperandType.InlineMethod)
                yield return m.Module.ResolveMethod(BitConverter.ToInt32(il, i))!;
            i += operand;
        }
    }
}
