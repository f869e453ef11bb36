using System;
using System.Collections.Generic;
using System.Linq;
using Dsl.Generator.Emit;
using Dsl.Generator.Frontend;
using Dsl.Generator.Ir;
using Dsl.Generator.Transforms;

namespace Dsl.Generator;

/// <summary>The requests of one containing type, generated into one file.</summary>
internal sealed record TypeRequests(string TypeKey, TypeChain Chain, EquatableArray<RequestModel> Requests);

/// <summary>The outcome of one request: a method, or the reason there is none.</summary>
internal sealed record RequestOutcome(string RequestName, string? Failure);

/// <summary>
/// Frontend verdicts → transforms → simplify → emit, for the requests of one type. A pure
/// function of equatable models; it never throws (a failing request is left out and its
/// reason recorded, which the analyzers report).
/// </summary>
internal static class Generation
{
    public static (GeneratedFile? File, IReadOnlyList<RequestOutcome> Outcomes) Generate(TypeRequests group, IReadOnlyList<PrimalModel> primals,
        IReadOnlyList<RequestModel>? allRequests = null)
    {
        var outcomes = new List<RequestOutcome>();
        var methods = new List<EmittedMethod>();
        var helpers = new SortedDictionary<FunctionKey, Function>(FunctionKey.Ordinal);
        var byKey = new Dictionary<FunctionKey, PrimalModel>();
        foreach (var p in primals) byKey[p.Key] = p;
        // Generated methods are differentiable too: a call of one (an operator, say) finds its IR here.
        var requestsByKey = new Dictionary<FunctionKey, RequestModel>();
        foreach (var r in allRequests ?? group.Requests) requestsByKey[r.Key] = r;
        var built = new Dictionary<FunctionKey, Function?>();
        Function? Lookup(FunctionKey key)
        {
            if (byKey.TryGetValue(key, out var m)) return m.Ir;
            if (built.TryGetValue(key, out var f)) return f;
            if (!requestsByKey.TryGetValue(key, out var request)) return null;
            built[key] = null; // a cycle finds nothing
            var (plan, failure) = SignatureRules.Check(request, primals);
            if (plan is null || failure is not null || CheckCallGraph(plan.Primal, byKey, requestsByKey) is not null) return null;
            var module = Simplify.Run(BuildModule(request, plan, Lookup), Lookup);
            foreach (var helper in module.Functions.Skip(1)) built[helper.Key] = helper;
            return built[key] = InUserOrder(module.Functions[0] with { Key = key }, request, plan);
        }

        foreach (var request in group.Requests.OrderBy(r => r.Name, StringComparer.Ordinal))
        {
            try
            {
                var (plan, failure) = SignatureRules.Check(request, primals);
                failure ??= CheckCallGraph(plan!.Primal, byKey, requestsByKey);
                failure ??= CheckAccess(plan!.Primal, byKey);
                if (failure is not null)
                {
                    outcomes.Add(new RequestOutcome(request.Name, failure));
                    continue;
                }
                var module = BuildModule(request, plan!, Lookup);
                module = Simplify.Run(module, Lookup);
                var errors = Verifier.Verify(module);
                if (errors.Count > 0)
                {
                    outcomes.Add(new RequestOutcome(request.Name, "internal error: generated IR is invalid: " + errors[0]));
                    continue;
                }
                var entry = module.Functions[0];
                methods.Add(new EmittedMethod(entry, ShapeOfRequest(request, plan!, entry)));
                foreach (var helper in module.Functions.Skip(1)) helpers[helper.Key] = helper;
                outcomes.Add(new RequestOutcome(request.Name, null));
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

        // Helpers get readable, unique names in key order (deterministic).
        var helperNames = new Dictionary<FunctionKey, string>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kv in helpers)
        {
            var baseName = "__" + kv.Value.Name;
            var name = baseName;
            for (var k = 2; !used.Add(name); k++) name = baseName + "_" + k;
            helperNames[kv.Key] = name;
        }
        foreach (var kv in helpers)
        {
            methods.Add(new EmittedMethod(kv.Value, ShapeOfHelper(kv.Value, helperNames[kv.Key], byKey)));
        }
        // A call of a declared method names it as C# does: Type.Name.
        string CalleeName(FunctionKey key) => helperNames.TryGetValue(key, out var n) ? n : key.QualifiedName;
        try
        {
            var text = SourceFileEmitter.Emit(group.Chain, methods, CalleeName);
            return (new GeneratedFile(HintName(group.Chain), text), outcomes);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (null, group.Requests.Select(r => new RequestOutcome(r.Name, $"internal error while emitting ({ex.Message})")).ToList());
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
        var (names, outs) = NameMap(request, plan);
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

    /// <summary>The transform a request asks for, applied to its primal (not yet simplified).</summary>
    private static Module BuildModule(RequestModel request, TransformPlan plan, Func<FunctionKey, Function?> lookup)
    {
        var primal = plan.Primal.Ir!;
        var wrt = plan.Active.ToList().IndexOf(true);
        return request.Kind switch
        {
            RequestKind.Jvp => Forward.Jvp(primal, plan.Active, lookup),
            RequestKind.Gradient => Reverse.Gradient(primal, plan.Active, lookup),
            RequestKind.Vjp => Reverse.Vjp(primal, plan.Active, lookup),
            RequestKind.Hvp => Hvp(plan, lookup),
            RequestKind.Taylor => Taylor.Entry(Simplify.Run(primal), wrt, request.Order, lookup, request.Lanes),
            RequestKind.Laplacian => Operators.Laplacian(primal, wrt, request.Estimator, request.Lanes, request.Key, primal.Name + "_Laplacian", lookup),
            RequestKind.Biharmonic => Operators.Biharmonic(primal, wrt, request.Estimator, request.Lanes, request.Key, primal.Name + "_Biharmonic", lookup),
            RequestKind.Diffusion => Operators.Diffusion(primal, wrt, request.Estimator, request.Lanes, request.Key, primal.Name + "_Diffusion", lookup),
            RequestKind.SecondOrder => Operators.SecondOrder(primal, wrt, request.Estimator, request.Lanes, request.Key, primal.Name + "_SecondOrder", lookup),
            RequestKind.Derivative => Operators.Partial(primal, wrt, plan.Jet!, request.Key, primal.Name + "_Partial", lookup),
            _ => throw new NotSupportedException($"[{request.Kind}] is not implemented"),
        };
    }

    /// <summary>
    /// Forward over reverse: the JVP of the generated gradient, with the primal inputs and the
    /// gradient's adjoint spans differentiated. The tangent of the primal result is dropped.
    /// </summary>
    private static Module Hvp(TransformPlan plan, Func<FunctionKey, Function?> lookup)
    {
        var gradient = Simplify.Run(Reverse.Gradient(plan.Primal.Ir!, plan.Active, lookup));
        Function? Find(FunctionKey key) => gradient.Find(key) ?? lookup(key);
        var g = gradient.Functions[0];
        var active = new List<bool>(plan.Active);
        while (active.Count < g.Params.Count) active.Add(true); // the adjoint spans
        var hvp = Forward.Jvp(g, active, Find);
        var entry = hvp.Functions[0];
        var yields = entry.Body.Yields.Where((y, k) => k != 1).ToEquatableArray();
        entry = entry with { Body = entry.Body with { Yields = yields } };
        return new Module(new[] { entry }.Concat(hvp.Functions.Skip(1)).ToEquatableArray());
    }

    /// <summary>Every function the primal reaches must be lowered, and none may call itself.</summary>
    private static string? CheckCallGraph(PrimalModel primal, Dictionary<FunctionKey, PrimalModel> byKey,
        Dictionary<FunctionKey, RequestModel> requests)
    {
        var state = new Dictionary<FunctionKey, int>(); // 1 visiting, 2 done
        string? Visit(PrimalModel p, string path)
        {
            state[p.Key] = 1;
            foreach (var c in p.Callees.Select(FunctionKey.Primal))
            {
                if (requests.ContainsKey(c)) continue; // a generated method: checked when it is built
                if (!byKey.TryGetValue(c, out var callee))
                    return $"'{primal.Name}' calls '{ShortKey(c)}', whose body is not available to the generator";
                if (callee.Failure is not null) return callee.Failure;
                if (state.TryGetValue(c, out var s) && s == 1)
                    return $"'{primal.Name}' is recursive ({path} → {callee.Name}); recursion is not supported, write a loop";
                if (s == 0 && Visit(callee, path + " → " + callee.Name) is { } f) return f;
            }
            state[p.Key] = 2;
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
                return $"'{primal.Name}' reaches '{ShortKey(p.Key)}', which is private to another type; the generated code in '{primal.TypeKey.Replace("global::", "")}' cannot call it — make it internal or public";
            foreach (var c in p.Callees)
            {
                if (byKey.TryGetValue(FunctionKey.Primal(c), out var callee)) work.Push(callee);
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

    private static MethodShape ShapeOfRequest(RequestModel request, TransformPlan plan, Function entry)
    {
        var header = $"{SourceFileEmitter.GeneratedCodeAttribute}\n" +
                     $"{request.Modifiers} {request.ReturnTypeText} {request.Name}({string.Join(", ", request.Params.Select(p => p.Declaration))})";
        var primal = plan.Primal;
        var (names, outs) = NameMap(request, plan);
        var wrt = primal.Params.Where((p, i) => plan.Active[i]).Select(p => p.Name);
        var what = request.Kind switch
        {
            RequestKind.Jvp => "Forward mode (JVP)",
            RequestKind.Gradient => "Reverse mode (gradient)",
            RequestKind.Hvp => "Hessian-vector product (forward over reverse)",
            RequestKind.Taylor => request.Lanes == 1
                ? $"Taylor mode of order {request.Order} (jet)"
                : $"Taylor mode of order {request.Order}, {request.Lanes} jets sharing one primal pass (vector mode)",
            RequestKind.Laplacian => request.Estimator switch
            {
                0 => "Laplacian (exact: one 2-jet per coordinate)",
                1 => "Laplacian (STDE, dense probes: mean of vᵀ∇²u v)",
                _ => "Laplacian (STDE, sparse coordinates: d/|J| Σ ∂²u/∂x_j²)",
            },
            RequestKind.Derivative => $"partial derivative {request.Partial} from one Taylor jet of order {plan.Jet!.Order}: " +
                string.Join(", ", plan.Jet.Terms.Select(t => $"e_{t.Coordinate} in slot {t.Slot}")) + $", divided by {plan.Jet.Coefficient}",
            RequestKind.Biharmonic => request.Estimator == 0
                ? "biharmonic (exact: 4-jets along e_i and, by polarization, e_i ± e_j)"
                : "biharmonic (STDE, Gaussian probes: mean of y4(v,0,0,0) / 3)",
            RequestKind.Diffusion => request.Estimator switch
            {
                0 => "diffusion term ½ tr(σσᵀ∇²u) (exact: one 2-jet per column of σ)",
                1 => "diffusion term ½ tr(σσᵀ∇²u) (STDE, dense probes p: ½ mean of y2(σp))",
                _ => "diffusion term ½ tr(σσᵀ∇²u) (STDE, sparse columns: ½ (m/|J|) Σ y2(σ e_j))",
            },
            RequestKind.SecondOrder => request.Estimator switch
            {
                0 => "second-order operator Σ C_ij ∂²u/∂x_i∂x_j (exact: e_iᵀ∇²u(Ce_i) from 2-jets along e_i ± Ce_i)",
                1 => "second-order operator Σ C_ij ∂²u/∂x_i∂x_j (STDE, dense probes: mean of vᵀ∇²u(Cv) from 2-jets along v ± Cv)",
                _ => "second-order operator Σ C_ij ∂²u/∂x_i∂x_j (STDE, sparse coordinates: (d/|J|) Σ e_jᵀ∇²u(Ce_j))",
            },
            _ => "Vector-Jacobian product (reverse mode)",
        };
        var comment = new List<string> { $"// {what} of {primal.Name} with respect to {string.Join(", ", wrt)}." };
        if (request.Kind is RequestKind.Gradient or RequestKind.Vjp)
            comment.Add("// The forward sweep runs the primal; the reverse sweep below it propagates adjoints (x_bar = d result / d x).");
        return new MethodShape(header, names, outs, comment, LengthChecks(request, plan), request.ReturnTypeText != "void");
    }

    /// <summary>
    /// The user's parameter names for the IR function's parameters, and for its yields after
    /// the first (written to <c>out</c> parameters), following each transform's signature rule.
    /// </summary>
    private static (List<string> Names, List<string> Outs) NameMap(RequestModel request, TransformPlan plan)
    {
        var primal = plan.Primal;
        var n = primal.Params.Count;
        var user = request.Params.Select(p => p.Identifier).ToList();
        var names = new List<string>();
        var outs = new List<string>();
        var activeIdx = Enumerable.Range(0, n).Where(i => plan.Active[i]).ToList();
        bool IsBuffer(int i) => primal.Params[i].Type!.IsBuffer;
        switch (request.Kind)
        {
            case RequestKind.Jvp:
            {
                // IR: primal parameters with tangents interleaved, as declared; the result's tangent is an out.
                var inCount = n + activeIdx.Count;
                names.AddRange(user.Take(inCount));
                outs.AddRange(user.Skip(inCount));
                break;
            }
            case RequestKind.Gradient:
            {
                // IR: primal parameters, then adjoint spans; scalar adjoints are yields (outs).
                names.AddRange(user.Take(n));
                for (var k = 0; k < activeIdx.Count; k++)
                {
                    if (IsBuffer(activeIdx[k])) names.Add(user[n + k]);
                    else outs.Add(user[n + k]);
                }
                break;
            }
            case RequestKind.Hvp:
            {
                // User: params, directions, gradients, Hv. IR (JVP of the gradient): each primal
                // parameter followed by its direction, then each adjoint span followed by its
                // tangent (the Hv span); yields: result, then per scalar: gradient, Hv.
                var m = activeIdx.Count;
                string Direction(int k) => user[n + k];
                string Grad(int k) => user[n + m + k];
                string Hv(int k) => user[n + 2 * m + k];
                for (var i = 0; i < n; i++)
                {
                    names.Add(user[i]);
                    var k = activeIdx.IndexOf(i);
                    if (k >= 0) names.Add(Direction(k));
                }
                for (var k = 0; k < m; k++)
                {
                    if (!IsBuffer(activeIdx[k])) continue;
                    names.Add(Grad(k));
                    names.Add(Hv(k));
                }
                for (var k = 0; k < m; k++)
                {
                    if (IsBuffer(activeIdx[k])) continue;
                    outs.Add(Grad(k));
                    outs.Add(Hv(k));
                }
                break;
            }
            case RequestKind.Laplacian:
            case RequestKind.Biharmonic:
            case RequestKind.Derivative:
            case RequestKind.Diffusion:
            case RequestKind.SecondOrder:
                names.AddRange(user);
                break;
            case RequestKind.Taylor:
            {
                // IR: primal parameters with the jet right after the Wrt parameter, then the output jet.
                var a = activeIdx[0];
                for (var i = 0; i < n; i++)
                {
                    names.Add(user[i]);
                    if (i == a) names.Add(user[n]);
                }
                names.Add(user[n + 1]);
                break;
            }
            default:
            {
                // Vjp: params, seeds (result, output spans), then adjoints of the inputs in order.
                names.AddRange(user.Take(n));
                var seeds = (primal.ReturnType is null ? 0 : 1) + primal.Params.Count(SignatureRules.IsOutput);
                names.AddRange(user.Skip(n).Take(seeds));
                var k = n + seeds;
                foreach (var i in activeIdx.Where(i => !SignatureRules.IsOutput(primal.Params[i])))
                {
                    if (IsBuffer(i)) names.Add(user[k++]);
                    else outs.Add(user[k++]);
                }
                break;
            }
        }
        return (names, outs);
    }

    /// <summary>
    /// Argument checks at the top of a generated method: every tangent, adjoint or seed span
    /// must have the length of the span it belongs to, and the exception names both.
    /// </summary>
    private static List<string> LengthChecks(RequestModel request, TransformPlan plan)
    {
        var primal = plan.Primal;
        var expected = SignatureRules.ExpectedFor(request, primal, plan.Active);
        var pairs = new List<(string Of, string Span)>();
        for (var k = 0; k < expected.Count; k++)
        {
            if (expected[k].Param.Type is not { IsBuffer: true } || expected[k].Owner < 0) continue;
            var ownerPosition = expected.FindIndex(e => e.Owner < 0 && ReferenceEquals(e.Param, primal.Params[expected[k].Owner]));
            pairs.Add((request.Params[ownerPosition].Name, request.Params[k].Name));
        }
        var checks = new List<string>();
        if (request.Kind is RequestKind.Laplacian or RequestKind.Biharmonic or RequestKind.Diffusion or RequestKind.SecondOrder)
        {
            var x = request.Params[plan.Active.ToList().IndexOf(true)].Identifier;
            var next = primal.Params.Count;
            // The probes have the length of x, except for the diffusion term: the columns of σ.
            var probeLength = $"{x}.Length";
            var probeWhat = $"the length of '{x}'";
            if (request.Kind == RequestKind.Diffusion)
            {
                var sigma = request.Params[next++].Identifier;
                checks.Add($"if ({x}.Length == 0 || {sigma}.Length == 0 || {sigma}.Length % {x}.Length != 0) throw new global::System.ArgumentException(" +
                    $"$\"'{sigma}' must be a {{{x}.Length}} x m matrix, row-major (m >= 1 columns; {x}.Length = {{{x}.Length}}), but has length {{{sigma}.Length}}.\", \"{sigma}\");");
                probeLength = $"({sigma}.Length / {x}.Length)";
                probeWhat = $"the number of columns of '{sigma}'";
            }
            if (request.Kind == RequestKind.SecondOrder)
            {
                var c = request.Params[next++].Identifier;
                checks.Add($"if ({c}.Length != {x}.Length * {x}.Length) throw new global::System.ArgumentException(" +
                    $"$\"'{c}' must be a {{{x}.Length}} x {{{x}.Length}} matrix, row-major (length {{{x}.Length * {x}.Length}}), but has length {{{c}.Length}}.\", \"{c}\");");
            }
            if (request.Estimator != 0)
            {
                var probes = request.Params[next].Identifier;
                checks.Add($"if ({probes}.Length == 0 || {x}.Length == 0 || {probes}.Length % {probeLength} != 0) throw new global::System.ArgumentException(" +
                    $"$\"'{probes}' must hold one or more probe vectors of length {{{probeLength}}} ({probeWhat}), row-major, but has length {{{probes}.Length}}.\", \"{probes}\");");
            }
        }
        if (request.Kind == RequestKind.Derivative)
        {
            var x = request.Params[plan.Active.ToList().IndexOf(true)].Identifier;
            var max = plan.Jet!.Terms.Max(t => t.Coordinate);
            checks.Add($"if ({x}.Length <= {max}) throw new global::System.ArgumentException($\"'{x}' must have more than {max} elements for the partial {request.Partial}, but has {{{x}.Length}}.\", \"{x}\");");
        }
        if (request.Kind == RequestKind.Taylor)
        {
            var a = plan.Active.ToList().IndexOf(true);
            var x = request.Params[a].Identifier;
            var jet = request.Params[primal.Params.Count].Identifier;
            var output = request.Params[primal.Params.Count + 1].Identifier;
            var k = request.Order;
            var p = request.Lanes;
            var inv = System.Globalization.CultureInfo.InvariantCulture;
            var want = primal.Params[a].Type!.IsBuffer ? $"{p * k} * {x}.Length" : (p * k).ToString(inv);
            var shape = primal.Params[a].Type!.IsBuffer
                ? p == 1 ? $"{k} x {{{x}.Length}} (order x length of '{x}', row-major)" : $"{p} x {k} x {{{x}.Length}} (jets x order x length of '{x}', row-major)"
                : p == 1 ? $"{k} (the order)" : $"{p} x {k} (jets x order)";
            checks.Add($"if ({jet}.Length != {want}) throw new global::System.ArgumentException($\"'{jet}' must have length {shape}, but has length {{{jet}.Length}}.\", \"{jet}\");");
            var outputShape = p == 1 ? $"y_0..y_{k}" : $"y_0, then y_1..y_{k} of each of the {p} jets";
            checks.Add($"if ({output}.Length != {1 + p * k}) throw new global::System.ArgumentException($\"'{output}' must have length {1 + p * k} ({outputShape}), but has length {{{output}.Length}}.\", \"{output}\");");
        }
        return checks.Concat(pairs.Select(p =>
            $"if ({p.Span}.Length != {p.Of}.Length) throw new global::System.ArgumentException(" +
            $"$\"'{p.Span}' must have the length of '{p.Of}' ({{{p.Of}.Length}}), but has length {{{p.Span}.Length}}.\", \"{p.Span}\");")).ToList();
    }

    /// <summary>"Taylor mode of order 2, 4 jets sharing one primal pass" for a Taylor helper.</summary>
    private static string TaylorKind(FunctionKey key)
    {
        var oneHot = key.OneHot ? ", each along a unit vector e_i given by its index" : "";
        return key.Lanes != 1
            ? $"Taylor mode of order {key.Order}, {key.Lanes} jets sharing one primal pass{oneHot},"
            : $"Taylor mode of order {key.Order} (one jet{(key.OneHot ? " along a unit vector e_i given by its index" : "")})";
    }

    private static MethodShape ShapeOfHelper(Function fn, string name, Dictionary<FunctionKey, PrimalModel> byKey)
    {
        var names = new List<string>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        string Unique(string n)
        {
            if (n.Length == 0) n = "arg";
            n = ParamModel.Escape(n);
            var candidate = n;
            for (var k = 1; !taken.Add(candidate); k++) candidate = n + "_" + k;
            return candidate;
        }
        var parameters = new List<string>();
        foreach (var p in fn.Params)
        {
            var n = Unique(p.Name);
            names.Add(n);
            parameters.Add(SourceFileEmitter.ParamTypeText(p.Type) + " " + n);
        }
        var yields = fn.Body.Yields;
        var outs = new List<string>();
        for (var k = 1; k < yields.Count; k++)
        {
            var n = Unique(yields[k].Name.Length > 0 ? yields[k].Name : "result_dot");
            outs.Add(n);
            parameters.Add("out " + SourceFileEmitter.ParamTypeText(yields[k].Type) + " " + n);
        }
        var ret = yields.Count == 0 ? "void" : SourceFileEmitter.ParamTypeText(yields[0].Type);
        var header = $"{SourceFileEmitter.GeneratedCodeAttribute}\nprivate static {ret} {name}({string.Join(", ", parameters)})";
        // Helpers are transforms of one function: name the primal when it is one.
        var key = fn.Key;
        var primalName = key.Of is { } of && byKey.TryGetValue(of, out var pm) ? pm.Name : fn.Name;
        var kind = key.Kind switch
        {
            TransformKind.Jvp => "Forward mode (JVP)",
            TransformKind.Taylor => TaylorKind(key),
            _ => "Pullback (reverse mode, seeded by the caller)",
        };
        var comment = new[] { $"// {kind} of {primalName}, called from the derivatives above." };
        return new MethodShape(header, names, outs, comment, new List<string>());
    }
}
