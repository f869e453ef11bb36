using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Ir;

namespace Dsl.Generator.Transforms;

internal sealed partial class Taylor
{
    // Calls, loops and branches: the jets of the values they carry travel with them (RegionExtras, shared
    // with Forward, with L·K extras per value); what is Taylor's own is how a call passes a jet.
    private sealed partial class FunctionTransform
    {
        /// <summary>The jet of an active call argument: a buffer's jet buffer, or a scalar's L·K coefficients.</summary>
        private IEnumerable<Value> ArgumentJet(Value a)
        {
            if (a.Type.IsBuffer)
            {
                var bj = _bufJet[a.Id];
                if (bj.Raw) throw new InvalidOperationException("raw jets are only at the entry");
                return new[] { bj.Buffer };
            }
            return Enumerable.Range(0, N).Select(n => At(a, n)).ToArray();
        }
    }
}
