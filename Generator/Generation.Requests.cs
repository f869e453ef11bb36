using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Dsl.Generator.Emit;
using Dsl.Generator.Emit.Core;
using Dsl.Generator.Emit.Targets;
using Dsl.Generator.Frontend;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;

namespace Dsl.Generator;

/// <summary>
/// One request with only the models it can reach: the primals its transform, signature check and call-graph checks read
/// (its primal and <c>Of</c> by name in every type, for the "declared in another type" message; their callees and rule
/// callees, transitively) and the generated methods they call (with their primals). An edit of a primal outside this
/// closure leaves the input equal, so the request's step is cached.
/// </summary>
internal sealed record RequestInput(RequestModel Request, EquatableArray<PrimalModel> Primals, EquatableArray<RequestModel> Requests);

/// <summary>
/// One request's share of its type's file: its outcome, its method's text (indented for the file, each call of a
/// generated or helper function written as a numbered placeholder into <see cref="Calls"/>, since helper names are given
/// per type), and the helpers its module brought. Kernel requests are left to the type's step (<see cref="Kernel"/>):
/// kernels share their helpers' clamped or unclamped form across the type.
/// </summary>
internal sealed record RequestPart(
    FunctionKey Key,
    bool Kernel,
    RequestOutcome? Outcome,
    string? Text,
    EquatableArray<FunctionKey> Calls,
    EquatableArray<Function> Helpers,
    string? EmitFailure);

internal static partial class Generation
{
    /// <summary>Marks a callee placeholder in a part's text; C# source never contains U+0001 in generated code.</summary>
    private const char Mark = '\u0001';

    /// <summary>Every request's input, in the order of <paramref name="requests"/> (lookups built once: linear in the models).</summary>
    public static IReadOnlyList<RequestInput> Inputs(IReadOnlyList<RequestModel> requests, IReadOnlyList<PrimalModel> primals)
    {
        try
        {
            var graph = new ReachGraph(primals, requests);
            return requests.Select(graph.Input).ToList();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Never into the compiler: every request then sees every model, as when the output was one step per type.
            var (allPrimals, allRequests) = (primals.ToEquatableArray(), requests.ToEquatableArray());
            return requests.Select(r => new RequestInput(r, allPrimals, allRequests)).ToList();
        }
    }

    /// <summary>The transforms, simplification and printing of one request (nothing for a kernel); never throws.</summary>
    public static RequestPart GeneratePart(RequestInput input)
    {
        var request = input.Request;
        var empty = EquatableArray<FunctionKey>.Empty;
        if (RequestKinds.Of(request.Kind).Form == MethodForm.IlgpuKernel)
            return new RequestPart(request.Key, true, null, null, empty, EquatableArray<Function>.Empty, null);
        EmittedMethod? method;
        var helpers = new SortedDictionary<FunctionKey, Function>(FunctionKey.Ordinal);
        RequestOutcome outcome;
        try
        {
            string? failure;
            string? warning;
            (method, failure, warning) = GenerateMethod(request, new Callees(input.Primals, input.Requests), helpers);
            outcome = new RequestOutcome(request.Name, failure) { Warning = warning };
        }
        catch (ReverseNotSupportedException ex)
        {
            (method, outcome) = (null, new RequestOutcome(request.Name, $"'{request.Name}' cannot be generated: {ex.Message}"));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            (method, outcome) = (null, new RequestOutcome(request.Name,
                $"internal error ({ex.GetType().Name}: {ex.Message}); please report it"));
        }
        var helperList = helpers.Values.ToEquatableArray();
        if (method is null) return new RequestPart(request.Key, false, outcome, null, empty, helperList, null);
        var calls = new List<FunctionKey>();
        var index = new Dictionary<FunctionKey, int>();
        string Placeholder(FunctionKey key)
        {
            if (!index.TryGetValue(key, out var i))
            {
                index[key] = i = calls.Count;
                calls.Add(key);
            }
            return Mark + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + Mark;
        }
        try
        {
            var w = new IndentedWriter(Depth(request.Chain));
            BodyWriter.EmitMethod(w, method.Function, method.Shape, Placeholder, CpuScalar.Instance);
            return new RequestPart(request.Key, false, outcome, w.ToString(), calls.ToEquatableArray(), helperList, null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return new RequestPart(request.Key, false, outcome, null, empty, helperList, ex.Message);
        }
    }

    /// <summary>The indentation of a method in its type's file: the namespace's block and each containing type's.</summary>
    private static int Depth(TypeChain chain) => (chain.Namespace is null ? 0 : 1) + chain.Types.Count;

    /// <summary>A part's text with each placeholder replaced by the callee's name in the file (one pass over the text).</summary>
    private static string Resolve(RequestPart part, Func<FunctionKey, string> calleeName)
    {
        var text = part.Text!;
        if (part.Calls.Count == 0) return text;
        var sb = new StringBuilder(text.Length);
        var at = 0;
        while (true)
        {
            var open = text.IndexOf(Mark, at);
            if (open < 0) break;
            var close = text.IndexOf(Mark, open + 1);
            sb.Append(text, at, open - at);
            // Only the placeholders hold U+0001 (a note quoting a source line with one would not parse: kept as it is).
            if (close > open && int.TryParse(text.Substring(open + 1, close - open - 1), System.Globalization.NumberStyles.None,
                    System.Globalization.CultureInfo.InvariantCulture, out var i) && i < part.Calls.Count)
            {
                sb.Append(calleeName(part.Calls[i]));
                at = close + 1;
                continue;
            }
            sb.Append(Mark);
            at = open + 1;
        }
        return sb.Append(text, at, text.Length - at).ToString();
    }

    /// <summary>The parts of a group's requests, for callers that hold no pipeline (tests): each from its own closure.</summary>
    private static IReadOnlyList<RequestPart> PartsOf(TypeRequests group, IReadOnlyList<PrimalModel> primals,
        IReadOnlyList<RequestModel> requests)
    {
        var graph = new ReachGraph(primals, requests);
        return group.Requests.Select(r => GeneratePart(graph.Input(r))).ToList();
    }

    /// <summary>Who reaches whom among the models: primals by name and key, requests by key.</summary>
    private sealed class ReachGraph
    {
        private readonly IReadOnlyList<PrimalModel> _primals;
        private readonly IReadOnlyList<RequestModel> _requests;
        private readonly Dictionary<string, List<int>> _primalsByName = new(StringComparer.Ordinal);
        private readonly Dictionary<FunctionKey, List<int>> _primalsByKey = new();
        private readonly Dictionary<FunctionKey, List<int>> _requestsByKey = new();

        public ReachGraph(IReadOnlyList<PrimalModel> primals, IReadOnlyList<RequestModel> requests)
        {
            (_primals, _requests) = (primals, requests);
            for (var i = 0; i < primals.Count; i++)
            {
                Add(_primalsByName, primals[i].Name, i);
                Add(_primalsByKey, primals[i].Key, i);
            }
            for (var i = 0; i < requests.Count; i++) Add(_requestsByKey, requests[i].Key, i);
        }

        private static void Add<TKey>(Dictionary<TKey, List<int>> map, TKey key, int i) where TKey : notnull
        {
            if (!map.TryGetValue(key, out var list)) map[key] = list = new List<int>();
            list.Add(i);
        }

        public RequestInput Input(RequestModel request)
        {
            var primals = new SortedSet<int>();
            var requests = new SortedSet<int>();
            var work = new Stack<FunctionKey>();
            void Names(RequestModel r)
            {
                foreach (var name in new[] { r.PrimalName, r.Of })
                {
                    if (name.Length == 0 || !_primalsByName.TryGetValue(name, out var found)) continue;
                    foreach (var i in found) Primal(i);
                }
            }
            void Primal(int i)
            {
                if (!primals.Add(i)) return;
                foreach (var c in _primals[i].Callees.Concat(_primals[i].RuleCallees)) work.Push(c);
            }
            Names(request);
            if (_requestsByKey.TryGetValue(request.Key, out var self)) requests.UnionWith(self);
            while (work.Count > 0)
            {
                var key = work.Pop();
                if (_primalsByKey.TryGetValue(key, out var ps)) foreach (var i in ps) Primal(i);
                if (!_requestsByKey.TryGetValue(key, out var rs)) continue;
                foreach (var i in rs)
                {
                    if (requests.Add(i)) Names(_requests[i]);
                }
            }
            return new RequestInput(request, primals.Select(i => _primals[i]).ToEquatableArray(),
                requests.Select(i => _requests[i]).ToEquatableArray());
        }
    }
}
