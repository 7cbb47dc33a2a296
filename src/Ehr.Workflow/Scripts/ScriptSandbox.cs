using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Acornima.Ast;
using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Native.Object;
using Jint.Runtime;

namespace Ehr.Workflow.Scripts;

/// <summary>The stable codes of a script that could not give a result (each becomes an incident's code).</summary>
public static class ScriptFailureCodes
{
    public const string Invalid = "SCRIPT_INVALID";
    public const string Error = "SCRIPT_ERROR";
    public const string Timeout = "SCRIPT_TIMEOUT";
    public const string StatementLimit = "SCRIPT_STATEMENT_LIMIT";
    public const string MemoryLimit = "SCRIPT_MEMORY_LIMIT";
    public const string RecursionLimit = "SCRIPT_RECURSION_LIMIT";
    public const string ResultInvalid = "SCRIPT_RESULT_INVALID";
}

/// <summary>Why a script gave no usable result.</summary>
public sealed record ScriptFailure(string Code, string Message);

/// <summary>A script's result as JSON, or its failure; never both.</summary>
public readonly record struct ScriptResult(JsonElement? Value, ScriptFailure? Failure)
{
    public bool Succeeded => Failure is null;

    public static ScriptResult Fail(string code, string message) => new(null, new ScriptFailure(code, message));
}

/// <summary>
/// What a script sees, all plain JSON: <c>vars</c> (the instance's variables), <c>event</c> (the event that started
/// the instance, or null), <c>subject</c> (<c>{ type, id, locationId }</c>), <c>task</c> (the last decided human task
/// on this path, or null) and <c>now</c> (the step's clock, ISO-8601 UTC).
/// </summary>
public sealed record ScriptScope(JsonElement Vars, JsonElement? Event, JsonElement Subject, JsonElement? Task, DateTimeOffset Now)
{
    public static readonly IReadOnlyList<string> Bindings = ["vars", "event", "subject", "task", "now"];
}

/// <summary>A compiled script and what static analysis found in it.</summary>
internal sealed record CompiledScript(
    Prepared<Script>? Prepared,
    string? Error,
    IReadOnlySet<string> Globals,
    IReadOnlySet<string> VariablesRead);

/// <summary>
/// Runs workflow JavaScript (decisions, filters, assignee and date expressions) with Jint in a sandbox. No CLR
/// access (interop stays off and nothing of .NET is bound), no <c>eval</c> or <c>Function</c> from strings, strict
/// mode, limits on time, statements, memory, recursion, array length and regular expressions. Every evaluation runs
/// in a fresh engine: nothing one script does to a prototype or a global is seen by the next, and no engine is ever
/// shared between threads. Prepared (parsed and analysed) scripts are cached by their text and are thread-safe.
///
/// Deterministic by construction, so a retried or replayed step computes the same thing: <c>Date</c>,
/// <c>Date.now()</c> and <c>Temporal.Now</c> read the step's clock (UTC), <c>Math.random</c> is absent, and so are
/// <c>WeakRef</c> / <c>FinalizationRegistry</c> (which depend on the garbage collector), <c>SharedArrayBuffer</c> and
/// <c>Atomics</c>; <c>ShadowRealm</c> is absent (a new realm would bring them all back). Binary buffers (<c>ArrayBuffer</c>, typed arrays, <c>DataView</c>) are absent too: they allocate
/// their whole size at once, before the memory limit can look, and an expression over JSON has no use for them. The
/// built-ins that can build a huge string in one call are guarded (<see cref="StringGuards"/>).
///
/// <see cref="Evaluate"/> never throws: a failing or runaway script is a <see cref="ScriptFailure"/>.
/// </summary>
public sealed class ScriptSandbox(ScriptLimits limits)
{
    private const int CacheLimit = 10_000;

    private static readonly string[] Removed =
    [
        "WeakRef", "FinalizationRegistry", "SharedArrayBuffer", "Atomics", "ArrayBuffer", "DataView", "ShadowRealm",
        "Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array",
        "Float16Array", "Float32Array", "Float64Array", "BigInt64Array", "BigUint64Array",
    ];

    // The first evaluation in a process compiles much of Jint's interpreter; done once, outside any script's limits, so
    // that cost never counts against a workflow's time limit.
    private static readonly Lazy<bool> WarmUp = new(() =>
    {
        new Engine(o => o.Strict()).Evaluate("const o = JSON.parse('{\"a\":[1,2]}'); [o.a.map(x => x * 2).join(','), 'x'.replace('x', 'y'), new Date(0).toISOString()].length");
        return true;
    });

    private readonly ConcurrentDictionary<string, CompiledScript> _cache = new(StringComparer.Ordinal);
    private IReadOnlySet<string>? _knownGlobals;

    public ScriptSandbox() : this(ScriptLimits.Default) { }

    public ScriptLimits Limits => limits;

    /// <summary>Names a script may use without declaring them: the standard library left in the sandbox and the bindings.</summary>
    public IReadOnlySet<string> KnownGlobals => _knownGlobals ??= ComputeKnownGlobals();

    /// <summary>The script's syntax error, or null when it compiles.</summary>
    public string? CompileError(string script) => Compile(script).Error;

    /// <summary>Names the script reads from the global scope that nothing provides (typos, <c>System</c>, <c>require</c> ...).</summary>
    public IReadOnlyList<string> UnknownNames(string script) =>
        Compile(script).Globals.Where(g => !KnownGlobals.Contains(g)).Order(StringComparer.Ordinal).ToList();

    /// <summary>The variables the script reads as <c>vars.name</c> or <c>vars['name']</c> (other reads cannot be known).</summary>
    public IReadOnlySet<string> VariablesRead(string script) => Compile(script).VariablesRead;

    public ScriptResult Evaluate(string script, ScriptScope scope)
    {
        _ = WarmUp.Value;
        var compiled = Compile(script);
        if (compiled.Prepared is not { } prepared)
            return ScriptResult.Fail(ScriptFailureCodes.Invalid, compiled.Error ?? "The script does not compile.");
        try
        {
            var engine = CreateEngine(scope.Now);
            var parser = new JsonParser(engine);
            engine.SetValue("vars", parser.Parse(scope.Vars.GetRawText()));
            engine.SetValue("event", scope.Event is { } e ? parser.Parse(e.GetRawText()) : JsValue.Null);
            engine.SetValue("subject", parser.Parse(scope.Subject.GetRawText()));
            engine.SetValue("task", scope.Task is { } t ? parser.Parse(t.GetRawText()) : JsValue.Null);
            engine.SetValue("now", scope.Now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
            var result = engine.Evaluate(prepared);
            return ToJson(engine, result);
        }
        catch (StatementsCountOverflowException)
        {
            return ScriptResult.Fail(ScriptFailureCodes.StatementLimit, $"The script ran more than {limits.MaxStatements} statements (an endless loop?).");
        }
        catch (MemoryLimitExceededException e)
        {
            return ScriptResult.Fail(ScriptFailureCodes.MemoryLimit, $"The script used too much memory: {e.Message}");
        }
        catch (RecursionDepthOverflowException)
        {
            return ScriptResult.Fail(ScriptFailureCodes.RecursionLimit, $"The script called functions more than {limits.MaxRecursion} deep (endless recursion?).");
        }
        catch (Exception e) when (e is TimeoutException or ExecutionCanceledException or RegexMatchTimeoutException)
        {
            return ScriptResult.Fail(ScriptFailureCodes.Timeout, $"The script ran longer than {limits.Timeout.TotalMilliseconds:0} ms.");
        }
        catch (JavaScriptException e)
        {
            return ScriptResult.Fail(ScriptFailureCodes.Error, $"{e.Error}{Where(e.Location)}");
        }
#pragma warning disable CA1031 // The sandbox's boundary: whatever a script provokes is its failure, never the engine's crash.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return ScriptResult.Fail(ScriptFailureCodes.Error, $"The script failed: {e.GetType().Name}: {e.Message}");
        }
    }

    private static string Where(in Acornima.SourceLocation location) =>
        location.Start.Line > 0 ? $" (line {location.Start.Line}, column {location.Start.Column + 1})" : "";

    private ScriptResult ToJson(Engine engine, JsValue result)
    {
        if (result.IsPromise())
            return ScriptResult.Fail(ScriptFailureCodes.ResultInvalid, "The script gave a promise; scripts are synchronous expressions.");
        // Measured before it is written: a result can share one long string many times over.
        if (StringGuards.EstimateJson(result, limits.MaxResultLength) > limits.MaxResultLength)
            return ScriptResult.Fail(ScriptFailureCodes.ResultInvalid, $"The script's result is more than {limits.MaxResultLength} characters of JSON; at most that many are kept.");
        var json = new Jint.Native.Json.JsonSerializer(engine).Serialize(result);
        if (json.IsUndefined())
            return ScriptResult.Fail(ScriptFailureCodes.ResultInvalid, $"The script gave {Describe(result)}, which is not a JSON value.");
        var text = json.AsString();
        if (text.Length > limits.MaxResultLength)
            return ScriptResult.Fail(ScriptFailureCodes.ResultInvalid, $"The script's result is {text.Length} characters of JSON; at most {limits.MaxResultLength} are kept.");
        using var document = JsonDocument.Parse(text);
        return new ScriptResult(document.RootElement.Clone(), null);
    }

    private static string Describe(JsValue value) => value.Type switch
    {
        Types.Undefined => "undefined",
        Types.Symbol => "a symbol",
        _ when value is Jint.Native.Function.Function => "a function",
        _ => value.Type.ToString().ToLowerInvariant(),
    };

    private Engine CreateEngine(DateTimeOffset now)
    {
        var engine = new Engine(options =>
        {
            options.Strict();
            options.DisableStringCompilation();
            options.TimeoutInterval(limits.Timeout);
            options.MaxStatements(limits.MaxStatements);
            options.LimitMemory(limits.MaxMemoryBytes);
            options.LimitRecursion(limits.MaxRecursion);
            options.Constraints.MaxArraySize = limits.MaxArrayLength;
            options.Constraints.RegexTimeout = limits.RegexTimeout;
            // Without it an unbounded recursion inside a built-in could still end the process.
            options.Constraints.StackOverflowGuard = true;
            options.TimeSystem = new StepClock(now);
            options.Culture = CultureInfo.InvariantCulture;
            options.Json.MaxParseDepth = 64;
        });
        var global = engine.Global;
        foreach (var name in Removed) global.Delete(name);
        global.Get("Math").AsObject().Delete("random");
        StringGuards.Install(engine, limits);
        return engine;
    }

    internal CompiledScript Compile(string script)
    {
        if (_cache.TryGetValue(script, out var cached)) return cached;
        // Definitions are immutable once published, so the cache only grows with distinct scripts in use; the bound
        // keeps a stream of drafts from growing it without end.
        if (_cache.Count >= CacheLimit) _cache.Clear();
        return _cache.GetOrAdd(script, static text =>
        {
            try
            {
                var prepared = Engine.PrepareScript(text, strict: true, options: new ScriptPreparationOptions { CollectReferencedGlobals = true });
                return new CompiledScript(prepared, null, prepared.ReferencedGlobals?.ToHashSet(StringComparer.Ordinal) ?? [], VariableReads(prepared.Program!));
            }
#pragma warning disable CA1031 // Whatever the parser refuses is the script's error.
            catch (Exception e)
#pragma warning restore CA1031
            {
                var message = e.Message.StartsWith("Could not prepare script: ", StringComparison.Ordinal) ? e.Message["Could not prepare script: ".Length..] : e.Message;
                return new CompiledScript(null, message.Replace("<anonymous>:", "line:", StringComparison.Ordinal), new HashSet<string>(), new HashSet<string>());
            }
        });
    }

    private static HashSet<string> VariableReads(Node program)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<Node>();
        pending.Push(program);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            if (node is MemberExpression { Object: Identifier { Name: "vars" } } member)
            {
                switch (member)
                {
                    case { Computed: false, Property: Identifier property }:
                        names.Add(property.Name);
                        break;
                    case { Computed: true, Property: StringLiteral literal }:
                        names.Add(literal.Value);
                        break;
                }
            }

            foreach (var child in node.ChildNodes) pending.Push(child);
        }

        return names;
    }

    private IReadOnlySet<string> ComputeKnownGlobals()
    {
        var engine = CreateEngine(DateTimeOffset.UnixEpoch);
        var names = engine.Global.GetOwnPropertyKeys().Select(k => k.ToString()).ToHashSet(StringComparer.Ordinal);
        names.UnionWith(ScriptScope.Bindings);
        return names;
    }

    /// <summary>The step's clock for <c>Date</c> and <c>Temporal.Now</c>, in UTC; parsing as Jint's own (UTC, invariant).</summary>
    private sealed class StepClock(DateTimeOffset now) : ITimeSystem
    {
        private static readonly DefaultTimeSystem Parser = new(TimeZoneInfo.Utc, CultureInfo.InvariantCulture);

        public TimeZoneInfo DefaultTimeZone => TimeZoneInfo.Utc;

        public DateTimeOffset GetUtcNow() => now;

        public TimeSpan GetUtcOffset(long epochMilliseconds) => TimeSpan.Zero;

        public bool TryParse(string date, out long epochMilliseconds) => Parser.TryParse(date, out epochMilliseconds);
    }
}
