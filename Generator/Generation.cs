using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Emit;
using Dsl.Generator.Emit.Targets;
using Dsl.Generator.Frontend;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;

namespace Dsl.Generator;

/// <summary>The requests of one containing type, generated into one file.</summary>
internal sealed record TypeRequests(string TypeKey, TypeChain Chain, EquatableArray<RequestModel> Requests);

/// <summary>The outcome of one request: a method, or the reason there is none.</summary>
/// <remarks>The failure arrives with its family header (<see cref="Failures"/>); the outcome keeps the text without it,
/// and the family as <see cref="Id"/> (DSL0003 for <see cref="FailureKind.KernelConstruct"/>).</remarks>
internal sealed record RequestOutcome
{
    public RequestOutcome(string requestName, string? failure, FailureKind kind = FailureKind.Derivative)
    {
        RequestName = requestName;
        Kind = kind;
        if (failure is null) return;
        var classified = Failures.Classify(failure);
        Failure = classified.Message;
        Id = kind == FailureKind.KernelConstruct ? DslDiagnostics.NotAKernel.Id : classified.Id;
        Properties = classified.Properties;
    }

    public string RequestName { get; }

    /// <summary>The reason there is no method, as shown (null: generated).</summary>
    public string? Failure { get; }

    public FailureKind Kind { get; }

    /// <summary>The diagnostic id of the failure ("" without one).</summary>
    public string Id { get; } = "";

    /// <summary>The failure's diagnostic properties, encoded (<see cref="Failures.PropertiesOf"/>).</summary>
    public string Properties { get; } = "";

    /// <summary>A warning about the generated method, with its family header (DSL0100), or null.</summary>
    public string? Warning { get; init; }
}

/// <summary>Which diagnostic a failure is reported as.</summary>
internal enum FailureKind
{
    /// <summary>The declaration, its primal or the transform (DSL0002).</summary>
    Derivative,

    /// <summary>A construct the method reaches that an ILGPU kernel cannot contain yet (DSL0003).</summary>
    KernelConstruct,
}

/// <summary>
/// Frontend verdicts → transforms → simplify → emit, for the requests of one type. A pure
/// function of equatable models; it never throws (a failing request is left out and its
/// reason recorded, which the analyzers report). What differs between request kinds comes
/// from their rows in <see cref="RequestKinds"/>; this file holds what they share.
/// </summary>
internal static partial class Generation
{
    /// <summary>
    /// The file of one type. <paramref name="parts"/>: its requests' parts from the pipeline's per-request step (null: made
    /// here); a part whose inputs did not change is reused, so an edit of one primal transforms only the requests that reach
    /// it, and this step only joins texts, names the helpers and prints them and the kernels.
    /// </summary>
    public static (GeneratedFile? File, IReadOnlyList<RequestOutcome> Outcomes) Generate(TypeRequests group,
        IReadOnlyList<PrimalModel> primals, IReadOnlyList<RequestModel>? allRequests = null, IReadOnlyList<RequestPart>? parts = null)
    {
        var outcomes = new List<RequestOutcome>();
        var methods = new List<EmittedMethod>();
        var helpers = new SortedDictionary<FunctionKey, Function>(FunctionKey.Ordinal);
        var callees = new Callees(primals, allRequests ?? group.Requests);
        var kernelFunctions = new SortedDictionary<FunctionKey, Function>(FunctionKey.Ordinal);
        var kernelNames = new Dictionary<FunctionKey, string>();
        var lanesTable = new LanesTable();
        string KernelName(FunctionKey key) => kernelNames.TryGetValue(key, out var n) ? n : key.QualifiedName;
        var partsByKey = new Dictionary<FunctionKey, Queue<RequestPart>>();
        foreach (var part in parts ?? PartsOf(group, primals, allRequests ?? group.Requests))
        {
            if (!partsByKey.TryGetValue(part.Key, out var queue)) partsByKey[part.Key] = queue = new Queue<RequestPart>();
            queue.Enqueue(part);
        }
        foreach (var request in group.Requests.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            var found = partsByKey.TryGetValue(request.Key, out var q) && q.Count > 0 ? q.Dequeue() : null;
            if (found is null && RequestKinds.Of(request.Kind).Form != MethodForm.IlgpuKernel)
                found = PartsOf(group with { Requests = new[] { request }.ToEquatableArray() }, primals, allRequests ?? group.Requests)[0];
            if (found is { Kernel: false } part)
            {
                if (part.EmitFailure is { } emit) return (null, EmitFailed(group, emit));
                outcomes.Add(part.Outcome!);
                foreach (var helper in part.Helpers) helpers[helper.Key] = helper;
                if (part.Text is not null)
                    methods.Add(EmittedMethod.Printed(names => Resolve(part, names)));
                continue;
            }
            try
            {
                var (method, failure, kind) = GenerateKernel(request, callees, kernelFunctions, KernelName, lanesTable);
                if (method is not null) methods.Add(method);
                outcomes.Add(new RequestOutcome(request.Name, failure, kind));
            }
            catch (ReverseNotSupportedException ex)
            {
                outcomes.Add(new RequestOutcome(request.Name, $"'{request.Name}' cannot be generated: {ex.Message}"));
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                outcomes.Add(new RequestOutcome(request.Name, $"internal error ({ex.GetType().Name}: {ex.Message}); please report it"));
            }
        }
        if (methods.Count == 0) return (null, outcomes);

        var helperNames = HelperNames(helpers);
        foreach (var kv in helpers)
        {
            methods.Add(new EmittedMethod(kv.Value, ShapeOfHelper(kv.Value, helperNames[kv.Key], callees.Primals)));
        }
        // Kernels print what they run a second time, for ILGPU, after the CPU helpers.
        foreach (var kv in KernelHelperNames(kernelFunctions, helperNames.Values)) kernelNames[kv.Key] = kv.Value;
        foreach (var kv in kernelFunctions)
        {
            methods.Add(new EmittedMethod(kv.Value, ShapeOfKernelHelper(kv.Value, kernelNames[kv.Key]), IlgpuKernel.Instance, KernelName));
        }
        // And, for their launchers' CPU path, once more with W items in the lanes of a vector.
        EmitLanes(lanesTable, helperNames.Values.Concat(kernelNames.Values), methods);
        // A call of a declared method names it as C# does: Type.Name.
        string CalleeName(FunctionKey key) => helperNames.TryGetValue(key, out var n) ? n : key.QualifiedName;
        try
        {
            var text = SourceFileEmitter.Emit(group.Chain, methods, CalleeName);
            return (new GeneratedFile(HintName(group.Chain), text), outcomes);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (null, EmitFailed(group, ex.Message));
        }
    }

    private static List<RequestOutcome> EmitFailed(TypeRequests group, string message) =>
        group.Requests.Select(r => new RequestOutcome(r.Name, $"internal error while emitting ({message})")).ToList();

    /// <summary>One request's method (its helpers go into <paramref name="helpers"/>), or the reason there is none.</summary>
    private static (EmittedMethod? Method, string? Failure, string? Warning) GenerateMethod(RequestModel request, Callees callees,
        SortedDictionary<FunctionKey, Function> helpers)
    {
        var (plan, failure) = SignatureRules.Check(request, callees.PrimalList);
        failure ??= CheckCallGraph(plan!.Primal, callees.Primals, callees.Requests);
        failure ??= CheckAccess(plan!.Primal, callees.Primals);
        if (failure is not null) return (null, failure, null);
        var row = RequestKinds.Of(request.Kind);
        var module = row.Build(request, plan!, callees.Find);
        module = Simplify.Run(module, callees.Find);
        var errors = Verifier.Verify(module);
        if (errors.Count > 0) return (null, "internal error: generated IR is invalid: " + errors[0], null);
        var method = new EmittedMethod(module.Functions[0], ShapeOfRequest(row, request, plan!));
        foreach (var helper in module.Functions.Skip(1)) helpers[helper.Key] = helper;
        return (method, null, AlwaysZero(request, plan!, callees.Find));
    }

    /// <summary>
    /// DSL0100: no output of the primal (its result, a span it writes) is active in the Wrt inputs, so the derivative is
    /// zero for every input. The activity analysis is the one the transforms use: a value behind Floor, Sign or a
    /// comparison is not active, which is exactly when the piecewise derivative vanishes everywhere.
    /// </summary>
    private static string? AlwaysZero(RequestModel request, TransformPlan plan, Func<FunctionKey, Function?> find)
    {
        // A Taylor jet or a functional derivative carries values besides the derivative (the jet's coefficient 0, the density's
        // terms), so zero activity does not make them zero.
        if (request.Kind is RequestKind.Taylor or RequestKind.FunctionalDerivative || plan.Jet is not null) return null;
        if (plan.Primal.Ir is not { } fn || fn.Params.Count != plan.Active.Count) return null;
        var activity = Activity.Analyze(fn, plan.Active, find);
        if (fn.Body.Yields.Any(activity.IsActive)) return null;
        for (var i = 0; i < fn.Params.Count; i++)
        {
            var output = fn.Params[i].Type.IsBuffer && SignatureRules.IsOutput(plan.Primal.Params[i]);
            if (output && activity.IsActive(fn.Params[i])) return null;
        }
        var wrt = string.Join(", ", plan.Primal.Params.Where((_, i) => plan.Active[i]).Select(p => p.Name));
        return Failures.Tag(DslDiagnostics.AlwaysZero, $"'{request.Name}' is identically zero: no output of '{plan.Primal.Name}' " +
            $"depends on {wrt} (a value behind Floor, Ceiling, Round, Truncate, Sign or a comparison has a zero derivative); " +
            "differentiate with respect to inputs the result depends on, or remove the declaration");
    }

    /// <summary>Helpers get readable, unique names in key order (deterministic).</summary>
    private static Dictionary<FunctionKey, string> HelperNames(SortedDictionary<FunctionKey, Function> helpers)
    {
        var helperNames = new Dictionary<FunctionKey, string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kv in helpers)
        {
            var baseName = "__" + kv.Value.Name;
            var name = baseName;
            for (var k = 2; !used.Add(name); k++) name = baseName + "_" + k;
            helperNames[kv.Key] = name;
        }
        return helperNames;
    }

    /// <summary>
    /// The functions a generated method may call, by key: the primals' IR, and the methods that
    /// other requests generate (an operator, say), built on first use.
    /// </summary>
    private sealed class Callees
    {
        private readonly Dictionary<FunctionKey, Function?> _built = new();

        public Callees(IReadOnlyList<PrimalModel> primals, IReadOnlyList<RequestModel> requests)
        {
            PrimalList = primals;
            foreach (var p in primals) Primals[p.Key] = p;
            foreach (var r in requests) Requests[r.Key] = r;
        }

        public IReadOnlyList<PrimalModel> PrimalList { get; }

        public Dictionary<FunctionKey, PrimalModel> Primals { get; } = new();

        public Dictionary<FunctionKey, RequestModel> Requests { get; } = new();

        public Function? Find(FunctionKey key)
        {
            if (Primals.TryGetValue(key, out var m)) return m.Ir;
            if (_built.TryGetValue(key, out var f)) return f;
            if (!Requests.TryGetValue(key, out var request)) return null;
            _built[key] = null; // a cycle finds nothing
            var (plan, failure) = SignatureRules.Check(request, PrimalList);
            if (plan is null || failure is not null || CheckCallGraph(plan.Primal, Primals, Requests) is not null) return null;
            var module = Simplify.Run(RequestKinds.Of(request.Kind).Build(request, plan, Find), Find);
            foreach (var helper in module.Functions.Skip(1)) _built[helper.Key] = helper;
            return _built[key] = InUserOrder(module.Functions[0] with { Key = key }, request, plan);
        }
    }

    /// <summary>
    /// A generated method as a callee: calls in primals pass the arguments in the order the user
    /// declared them, and receive the <c>out</c> parameters in that order, while some transforms
    /// order their IR differently (an HVP interleaves each parameter with its direction). The
    /// function's arguments and extra yields are permuted into the declared order — the body
    /// refers to values, not positions, so it stays as it is.
    /// </summary>
    private static Function InUserOrder(Function fn, RequestModel request, TransformPlan plan)
    {
        var (names, outs) = RequestKinds.Of(request.Kind).NameMap(request, plan);
        var user = request.Params.Select(p => p.Identifier).ToList();
        if (names.Count != fn.Params.Count || outs.Count != fn.Body.Yields.Count - (request.ReturnTypeText == "void" ? 0 : 1)) return fn;
        var args = new List<Value>();
        var yields = new List<Value>();
        var first = request.ReturnTypeText == "void" ? 0 : 1;
        for (var i = 0; i < first; i++) yields.Add(fn.Body.Yields[i]);
        foreach (var name in user)
        {
            var k = names.IndexOf(name);
            if (k >= 0) args.Add(fn.Params[k]);
            var o = outs.IndexOf(name);
            if (o >= 0) yields.Add(fn.Body.Yields[first + o]);
        }
        if (args.Count != fn.Params.Count || yields.Count != fn.Body.Yields.Count) return fn;
        return fn with { Body = fn.Body with { Args = args.ToEquatableArray(), Yields = yields.ToEquatableArray() } };
    }

    /// <summary>Every function the primal reaches must be lowered, and none may call itself.</summary>
    private static string? CheckCallGraph(PrimalModel primal, Dictionary<FunctionKey, PrimalModel> byKey,
        Dictionary<FunctionKey, RequestModel> requests)
    {
        var state = new Dictionary<FunctionKey, int>(); // 1 visiting, 2 done
        string? Visit(PrimalModel p, string path)
        {
            state[p.Key] = 1;
            foreach (var c in p.Callees)
            {
                if (requests.TryGetValue(c, out var request))
                {
                    // A generated method: checked when it is built, except for a cycle through its primal (U calls
                    // ULaplacian, generated from U), which no order of generation can resolve.
                    if (CycleThrough(request, path) is { } cycle) return cycle;
                    continue;
                }
                if (!byKey.TryGetValue(c, out var callee))
                    return $"'{primal.Name}' calls '{ShortKey(c)}', whose body is not available to the generator";
                if (callee.Failure is not null) return callee.Failure;
                if (state.TryGetValue(c, out var s) && s == 1)
                    return Failures.Tag(DslDiagnostics.Recursion,
                        $"'{primal.Name}' is recursive ({path} → {callee.Name}); recursion is not supported, write a loop");
                if (s == 0 && Visit(callee, path + " → " + callee.Name) is { } f) return f;
            }
            // Derivative rules: lowered and free of recursion themselves, but one may call its own target.
            foreach (var r in p.RuleCallees)
            {
                if (!byKey.TryGetValue(r, out var rule))
                    return $"'{primal.Name}' reaches the derivative rule '{ShortKey(r)}', whose body is not available to the generator";
                if (rule.Failure is not null) return rule.Failure;
                if (!state.ContainsKey(r) && Visit(rule, path + " → " + rule.Name) is { } f) return f;
            }
            state[p.Key] = 2;
            return null;
        }
        string? CycleThrough(RequestModel request, string path)
        {
            foreach (var target in byKey.Values.Where(t => t.TypeKey == request.TypeKey && t.Name == request.PrimalName))
            {
                state.TryGetValue(target.Key, out var s);
                var via = $"{path} → {request.Name}, generated from {target.Name}";
                if (s == 1)
                    return Failures.Tag(DslDiagnostics.Recursion, $"'{primal.Name}' is recursive through the generated " +
                        $"'{request.Name}' ({via}); a primal cannot call a method generated from itself or from a method it calls: " +
                        "call a copy of the primal, or write the loop out");
                if (s == 0 && Visit(target, via) is { } f) return f;
            }
            return null;
        }
        return Visit(primal, primal.Name);
    }

    /// <summary>
    /// Generated code lives in the primal's type; a private method of another type that the
    /// primal reaches cannot be called from there.
    /// </summary>
    private static string? CheckAccess(PrimalModel primal, Dictionary<FunctionKey, PrimalModel> byKey)
    {
        var seen = new HashSet<FunctionKey>();
        var work = new Stack<PrimalModel>();
        work.Push(primal);
        while (work.Count > 0)
        {
            var p = work.Pop();
            if (!seen.Add(p.Key)) continue;
            if (p.IsPrivate && p.TypeKey != primal.TypeKey)
                return $"'{primal.Name}' reaches '{ShortKey(p.Key)}', which is private to another type; the generated code in " +
                    $"'{primal.TypeKey.Replace("global::", "")}' cannot call it — make it internal or public";
            foreach (var c in p.Callees.Concat(p.RuleCallees))
            {
                if (byKey.TryGetValue(c, out var callee)) work.Push(callee);
            }
        }
        return null;
    }

    private static string ShortKey(FunctionKey key) => key.QualifiedName.Replace("global::", "");

    private static string HintName(TypeChain chain)
    {
        var raw = chain.Key.Replace('<', '{').Replace('>', '}').Replace(", ", ",");
        return raw + ".Dsl.g.cs";
    }
}
