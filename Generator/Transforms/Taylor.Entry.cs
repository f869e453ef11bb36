using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal sealed partial class Taylor
{
    // The entry's own parameters and result: the caller passes raw derivatives (or one index per lane
    // for a unit vector) and receives y_k = k! ȳ_k; helpers pass normalized jets both ways.
    private sealed partial class FunctionTransform
    {
        /// <summary>The jet parameters that follow an active parameter <paramref name="p"/> of the entry.</summary>
        private void EntryParam(Value p, List<Value> args)
        {
            if (_oneHot && p.Type.IsBuffer)
            {
                // One index per lane: lane l runs along e_{index_l}.
                var indices = Enumerable.Range(0, _lanes)
                    .Select(l => _b.NewValue(IrType.I32, _lanes == 1 ? p.Name + "_index" : p.Name + "_index" + l)).ToArray();
                args.AddRange(indices);
                _bufJet[p.Id] = new BufferJet(indices[0], _b.Length(p), Raw: true, indices);
                return;
            }
            // The caller's jet: raw derivatives v_j, normalized here (÷ j!).
            var jet = _b.NewValue(IrType.Buf(p.Type.Elem, BufferKind.ReadOnlySpan), p.Name + "_jet");
            args.Add(jet);
            if (p.Type.IsBuffer) EntryBufferJet(p, jet);
            else EntryScalarJet(p, jet);
        }

        /// <summary>A buffer's input jet: normalized once into scratch when a slot above 1 is passed.</summary>
        private void EntryBufferJet(Value p, Value jet)
        {
            var stride = _b.Length(p);
            if (!_slots.Any(k => k > 1))
            {
                _bufJet[p.Id] = new BufferJet(jet, stride, Raw: true);
                return;
            }
            // Normalize once (v_k / k!), not at every load inside the loops that read x.
            var blocks = _lanes * _slots.Length;
            var normalized = _b.Alloc(IrType.Buf(p.Type.Elem, BufferKind.Scratch), _b.Length(jet),
                p.Name + "_jet_normalized");
            for (var block = 0; block < blocks; block++)
            {
                var k = _slots[block % _slots.Length];
                _b.BeginBlock();
                var e = _b.NewValue(IrType.I32, "i");
                var at = Add(Mul(C(block, IrType.I32), stride), e);
                var raw = _b.Load(jet, at);
                _b.Store(normalized, at, k > 1 ? Div(raw, C(Factorial(k), p.Type.ElementType)) : raw);
                var copy = _b.EndBlock();
                _b.Emit(new ForOp(EquatableArray<Value>.Empty, C(0, IrType.I32), stride, 1, LoopCmp.Lt,
                    EquatableArray<Value>.Empty, new Region(new[] { e }.ToEquatableArray(), copy, EquatableArray<Value>.Empty)));
            }
            _bufJet[p.Id] = new BufferJet(normalized, stride, Raw: true, Normalized: true);
        }

        /// <summary>A scalar's input jet: the passed slots loaded and normalized, the others zero.</summary>
        private void EntryScalarJet(Value p, Value jet)
        {
            JetOf(p, () =>
            {
                var coefficients = new Value[_k];
                for (var k = 1; k <= _k; k++)
                {
                    var s = Array.IndexOf(_slots, k);
                    if (s < 0 || _lane == _lanes)
                    {
                        coefficients[k - 1] = _b.Zero(p.Type);
                        continue;
                    }
                    var raw = _b.Load(jet, C(_lane * _slots.Length + s, IrType.I32));
                    coefficients[k - 1] = k == 1 ? raw : Div(raw, C(Factorial(k), p.Type));
                }
                return coefficients;
            });
        }

        /// <summary>The jet parameters that follow an active parameter of a helper: its normalized jet.</summary>
        private void HelperParam(Value p, List<Value> args)
        {
            if (p.Type.IsBuffer)
            {
                var kind = p.Type.Buffer == BufferKind.Span ? BufferKind.Span : BufferKind.ReadOnlySpan;
                var jet = _b.NewValue(IrType.Buf(p.Type.Elem, kind), p.Name + "_jet");
                args.Add(jet);
                _bufJet[p.Id] = new BufferJet(jet, _b.Length(p), Raw: false);
                return;
            }
            var coefficients = NewJet(p, p.Type);
            args.AddRange(coefficients);
            Record(p, coefficients);
        }

        /// <summary>Writes the entry's result: y_0, then y_k = k! ȳ_k per lane (collapsed: k &lt; K per lane, then Σ_l y_K).</summary>
        private void StoreResultJet(Value outJet)
        {
            var y = _fn.Body.Yields[0];
            _b.Store(outJet, C(0, IrType.I32), y);
            for (var n = 0; n < N; n++)
            {
                var k = Entry(n).K;
                var c = At(y, n);
                _b.Store(outJet, C(1 + n, IrType.I32), k <= 1 ? c : Mul(c, C(Factorial(k), y.Type)));
            }
        }
    }
}
