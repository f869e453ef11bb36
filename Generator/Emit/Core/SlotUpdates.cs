using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Emit.Core;

/// <summary>
/// Orders the updates of loop-carried variables ("slots") at the end of an iteration, decided
/// on IR: which yield reads which slot comes from the values its folded expression reads (its
/// leaves), not from printed text.
/// <list type="bullet">
/// <item>A slot whose yield is the value it already holds needs no statement.</item>
/// <item>A slot is assigned once no other pending update still reads its old value. When every
///   pending update waits on another (a swap, say), the first slot's old value is kept in a
///   temporary <c>slot_old</c> and the other updates read that instead.</item>
/// <item>A yield <c>Add(s, e)</c> whose left side is the value held in the slot <c>s</c>, where
///   <c>e</c> reads no value held in <c>s</c> and folds in no conditional, is written
///   <c>s += e</c>; anything else <c>s = …</c>.</item>
/// </list>
/// </summary>
internal static class SlotUpdates
{
    /// <summary>One statement of the update sequence.</summary>
    internal abstract record Step(int Slot);

    /// <summary><c>T old = slot;</c>: later updates read <paramref name="Old"/> for the slot's old value.</summary>
    internal sealed record SaveOld(int Slot, string Old) : Step(Slot);

    /// <summary><c>slot = yield;</c>, printing the names in <paramref name="Renames"/> as their saved copies.</summary>
    internal sealed record Assign(int Slot, IReadOnlyDictionary<string, string> Renames) : Step(Slot);

    /// <summary><c>slot += by;</c>, printing the names in <paramref name="Renames"/> as their saved copies.</summary>
    internal sealed record Increment(int Slot, Value By, IReadOnlyDictionary<string, string> Renames) : Step(Slot);

    /// <summary>The statements that give each slot its yield, every update seeing the old values.</summary>
    /// <param name="slots">The C# names of the slots.</param>
    /// <param name="yields">The new value of each slot.</param>
    /// <param name="inlineDef">The op folded into the text of a value, or null for a value printed by name.</param>
    /// <param name="name">The C# name of a value printed by name.</param>
    /// <param name="fresh">Gives an unused name for a saved old value.</param>
    public static List<Step> Plan(IReadOnlyList<string> slots, IReadOnlyList<Value> yields, Func<Value, Op?> inlineDef,
        Func<Value, string> name, Func<string, string> fresh)
    {
        var renames = yields.Select(_ => new Dictionary<string, string>(StringComparer.Ordinal)).ToArray();
        string Printed(int j, Value leaf) => renames[j].TryGetValue(name(leaf), out var r) ? r : name(leaf);
        IEnumerable<Value> Leaves(Value v) => inlineDef(v) is { } def ? def.Operands.SelectMany(Leaves) : new[] { v };
        bool Reads(int j, Value v, string slot) => Leaves(v).Any(leaf => Printed(j, leaf) == slot);

        var steps = new List<Step>();
        var pending = Enumerable.Range(0, slots.Count).Where(k => inlineDef(yields[k]) is not null || name(yields[k]) != slots[k]).ToList();
        while (pending.Count > 0)
        {
            var ready = pending.FindIndex(k => !pending.Any(j => j != k && Reads(j, yields[j], slots[k])));
            if (ready < 0)
            {
                var k = pending[0];
                var old = fresh(slots[k] + "_old");
                steps.Add(new SaveOld(k, old));
                foreach (var j in pending.Where(j => j != k)) renames[j][slots[k]] = old;
                continue;
            }
            var slot = pending[ready];
            pending.RemoveAt(ready);
            var frozen = new Dictionary<string, string>(renames[slot], StringComparer.Ordinal);
            var increment = inlineDef(yields[slot]) is BinaryOp { Kind: BinOp.Add } add && inlineDef(add.Left) is null
                && Printed(slot, add.Left) == slots[slot] && !Reads(slot, add.Right, slots[slot]) && !FoldsSelect(add.Right, inlineDef);
            steps.Add(increment ? new Increment(slot, ((BinaryOp)inlineDef(yields[slot])!).Right, frozen) : new Assign(slot, frozen));
        }
        return steps;
    }

    // `s += c ? a : b` would be valid C#; the `=` form is kept there for readability.
    private static bool FoldsSelect(Value v, Func<Value, Op?> inlineDef) =>
        inlineDef(v) is { } def && (def is SelectOp || def.Operands.Any(o => FoldsSelect(o, inlineDef)));
}
