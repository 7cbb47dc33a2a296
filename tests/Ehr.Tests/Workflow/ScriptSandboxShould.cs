using System.Text.Json;
using Ehr.Workflow.Scripts;
using static Ehr.Tests.Workflow.Workflows;
using static Ehr.Workflow.Scripts.ScriptFailureCodes;

namespace Ehr.Tests.Workflow;

/// <summary>
/// Workflow JavaScript runs in a sandbox: plain JSON in and out, no way to the CLR or to code from strings, limits on
/// time, statements, memory and recursion, nothing left behind for the next script, and no source of randomness.
/// Whatever a script does, the result is a value or a typed failure; the sandbox never throws.
/// </summary>
public sealed class ScriptSandboxShould
{
    private static readonly ScriptSandbox Sandbox = new();

    private static ScriptScope Scope(string vars = "{}", string? @event = null, string? task = null) =>
        new(J(vars), @event is null ? null : J(@event), J("""{"type":"Patient","id":"p1","locationId":null}"""), task is null ? null : J(task), T0);

    private static JsonElement Value(string script, ScriptScope? scope = null, ScriptSandbox? sandbox = null)
    {
        var result = (sandbox ?? Sandbox).Evaluate(script, scope ?? Scope());
        Assert.True(result.Succeeded, $"{result.Failure}");
        return result.Value!.Value;
    }

    private static ScriptFailure Failure(string script, ScriptSandbox? sandbox = null, ScriptScope? scope = null)
    {
        var result = (sandbox ?? Sandbox).Evaluate(script, scope ?? Scope());
        Assert.False(result.Succeeded, $"expected a failure, got {result.Value?.GetRawText()}");
        Assert.Null(result.Value);
        Assert.False(string.IsNullOrWhiteSpace(result.Failure!.Message));
        return result.Failure;
    }

    [Fact]
    public void EvaluateAnExpressionOverTheVariables() =>
        Assert.Equal(JsonValueKind.True, Value("vars.amount > 100 && vars.tags.includes('urgent')", Scope("""{"amount":250,"tags":["urgent"]}""")).ValueKind);

    [Fact]
    public void GiveTheValueOfTheLastStatement() =>
        Assert.Equal(7, Value("const doubled = vars.n * 2; doubled + 1", Scope("""{"n":3}""")).GetInt32());

    [Fact]
    public void SeeTheEventTheSubjectTheLastTaskAndTheClock()
    {
        var value = Value("({ role: event.payload.authorRole, subject: subject.type + '/' + subject.id, decided: task.outcome, now })",
            Scope(@event: """{"payload":{"authorRole":"resident"}}""", task: """{"outcome":"approve"}"""));

        Assert.Equal("""{"role":"resident","subject":"Patient/p1","decided":"approve","now":"2026-03-02T09:00:00.000Z"}""", value.GetRawText());
    }

    [Fact]
    public void GiveObjectsAndArraysBackAsJson() =>
        Assert.Equal("""{"a":[1,"x",null,true],"b":{"c":2.5}}""", Value("({ a: [1, 'x', null, true], b: { c: 2.5 }, skipped: undefined })").GetRawText());

    [Fact]
    public void ReportASyntaxError() => Assert.Equal(Invalid, Failure("vars.n +").Code);

    [Fact]
    public void RunInStrictMode()
    {
        Assert.Equal(Invalid, Failure("with (vars) { n }").Code);
        Assert.Equal(Error, Failure("undeclared = 1").Code);
    }

    [Fact]
    public void ReportAThrownErrorWithItsMessage()
    {
        var failure = Failure("throw new TypeError('no supervisor on file')");
        Assert.Equal(Error, failure.Code);
        Assert.Contains("no supervisor on file", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportReadingAPropertyOfNothing() => Assert.Equal(Error, Failure("event.payload.authorRole").Code);

    [Theory]
    [InlineData("while (true) {}")]
    [InlineData("for (;;) { const x = 1; }")]
    [InlineData("function* g() { while (true) yield 1; } for (const x of g()) {}")]
    [InlineData("(async () => { while (true) {} })()")]
    [InlineData("[1, 2, 3].forEach(function f() { while (true) {} })")]
    public void StopAnEndlessLoop(string script)
    {
        // Whichever limit comes first stops it: the statement count, or the clock on a busy machine.
        var failure = Failure(script);
        Assert.True(failure.Code is StatementLimit or ScriptFailureCodes.Timeout, failure.ToString());
    }

    [Fact]
    public void StopAScriptThatRunsTooLong()
    {
        // Statements are plenty here, so only the clock can stop it.
        var slow = new ScriptSandbox(ScriptLimits.Default with { MaxStatements = int.MaxValue, Timeout = TimeSpan.FromMilliseconds(50) });
        Assert.Equal(ScriptFailureCodes.Timeout, Failure("while (true) {}", slow).Code);
    }

    [Fact]
    public void StopARegularExpressionThatBacktracksForever() =>
        Assert.Equal(ScriptFailureCodes.Timeout, Failure("/^(a+)+$/.test('a'.repeat(40) + '!')").Code);

    [Theory]
    [InlineData("function f(n) { return f(n + 1); } f(0)")]
    [InlineData("const f = n => f(n + 1); f(0)")]
    [InlineData("function f() { return [0].map(f); } f()")]
    public void StopEndlessRecursion(string script) => Assert.Equal(RecursionLimit, Failure(script).Code);

    [Theory]
    [InlineData("'x'.repeat(2 ** 28).length")]
    [InlineData("'ab'.repeat(2 ** 26).length")]
    [InlineData("let s = 'x'; for (let i = 0; i < 40; i++) s = s + s; s.length")]
    [InlineData("new Array(2 ** 30).fill(0).length")]
    [InlineData("''.padStart(2 ** 28, 'x').length")]
    [InlineData("new Array(9999).join('x'.repeat(9999)).length")]
    [InlineData("Array.prototype.join.call({ length: 1e9 })")]
    [InlineData("new Array(9999).fill('x'.repeat(9999)).join('').length")]
    [InlineData("'x'.repeat(9999).replaceAll('x', 'y'.repeat(9999)).length")]
    [InlineData("'x'.repeat(9999).replace(/x/g, 'y'.repeat(9999)).length")]
    [InlineData("'x'.repeat(9999).replace(/.+/, '$&'.repeat(5000)).length")]
    [InlineData("const a = new Array(1000).fill('x'.repeat(9999)); JSON.stringify(new Array(1000).fill(a)).length")]
    [InlineData("let a = []; for (let i = 0; i < 5000; i++) a = [a]; JSON.stringify(a, null, 10).length")]
    [InlineData("let s = 'x'.repeat(99999), t = ''; for (let i = 0; i < 100; i++) t = `${t}${s}`; t.length")]
    [InlineData("const a = []; for (let i = 0; i < 1e6; i++) a.push({ i }); a.length")]
    public void StopHugeAllocations(string script)
    {
        var failure = Failure(script);
        Assert.True(failure.Code is MemoryLimit or StatementLimit or ScriptFailureCodes.Timeout, failure.ToString());
    }

    [Theory]
    [InlineData("new ArrayBuffer(2 ** 30).byteLength")]
    [InlineData("new Uint8Array(2 ** 29).length")]
    [InlineData("new SharedArrayBuffer(8)")]
    [InlineData("new ShadowRealm().evaluate('Math.random()')")]
    [InlineData("new DataView(new ArrayBuffer(8))")]
    public void LeaveOutWhatAllocatesAtOnceOrEscapesTheRealm(string script)
    {
        var failure = Failure(script);
        Assert.Equal(Error, failure.Code);
        Assert.Contains("is not defined", failure.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("eval('1 + 1')")]
    [InlineData("Function('return 1')()")]
    [InlineData("(function () {}).constructor('return this')()")]
    [InlineData("(() => {}).constructor.constructor('return globalThis')()")]
    [InlineData("Object.getPrototypeOf(async function () {}).constructor('return 1')")]
    [InlineData("Object.getPrototypeOf(function* () {}).constructor('yield 1')")]
    public void RefuseToCompileCodeFromStrings(string script) => Assert.Equal(Error, Failure(script).Code);

    [Theory]
    [InlineData("System.IO.File.ReadAllText('/etc/passwd')")]
    [InlineData("importNamespace('System.IO')")]
    [InlineData("require('fs')")]
    [InlineData("host.type('System.Environment')")]
    [InlineData("clr.System")]
    public void OfferNoWayToTheClr(string script)
    {
        var failure = Failure(script);
        Assert.Equal(Error, failure.Code);
        Assert.Contains("is not defined", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExposeNothingButTheBindingsAndStandardJavaScript()
    {
        var names = Value("Object.getOwnPropertyNames(globalThis).filter(n => !['vars', 'event', 'subject', 'task', 'now'].includes(n))")
            .EnumerateArray().Select(n => n.GetString()!).ToHashSet();

        Assert.DoesNotContain("System", names);
        Assert.DoesNotContain("importNamespace", names);
        Assert.DoesNotContain("ArrayBuffer", names);
        Assert.DoesNotContain("WeakRef", names);
        Assert.Subset(names, new HashSet<string> { "Math", "JSON", "Date", "Array", "Object", "String", "Number", "Temporal" });
        Assert.Equal("function", Value("typeof vars.toString").GetString());
    }

    [Fact]
    public void LeaveNothingBehindForTheNextScript()
    {
        Value("Object.prototype.isAdmin = true; Array.prototype.includes = () => true; globalThis.leak = 1; JSON.parse = () => 42; vars.n = 99; 1",
            Scope("""{"n":1}"""));

        var clean = Value("({}).isAdmin === undefined && ![1].includes(2) && typeof leak === 'undefined' && JSON.parse('7') === 7 && vars.n === 1",
            Scope("""{"n":1}"""));

        Assert.Equal(JsonValueKind.True, clean.ValueKind);
    }

    [Fact]
    public void ReadTheStepsClockAndNoRandomness()
    {
        Assert.Equal(T0.ToUnixTimeMilliseconds(), Value("Date.now()").GetInt64());
        Assert.Equal("2026-03-02T09:00:00.000Z", Value("new Date().toISOString()").GetString());
        Assert.Equal("2026-03-02T09:00:00Z", Value("Temporal.Now.instant().toString()").GetString());
        Assert.Equal("2026-03-05T09:00:00.000Z", Value("new Date(Date.parse(now) + 72 * 3600 * 1000).toISOString()").GetString());
        Assert.Equal("undefined", Value("typeof Math.random").GetString());
        Assert.Equal("undefined", Value("typeof WeakRef + typeof FinalizationRegistry + typeof Atomics").GetString()![..9]);
    }

    [Fact]
    public void GiveTheSameResultForTheSameScope()
    {
        const string script = "({ at: new Date().toISOString(), n: vars.n * 3, keys: Object.keys(vars).sort() })";
        var scope = Scope("""{"n":2,"b":1}""");

        Assert.Equal(Value(script, scope).GetRawText(), Value(script, scope).GetRawText());
    }

    [Theory]
    [InlineData("(function () {})", "function")]
    [InlineData("undefined", "undefined")]
    [InlineData("Symbol('x')", "symbol")]
    [InlineData("Promise.resolve(1)", "promise")]
    public void RefuseResultsThatAreNotJson(string script, string what)
    {
        var failure = Failure(script);
        Assert.Equal(ResultInvalid, failure.Code);
        Assert.Contains(what, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RefuseAResultTooLargeToKeep()
    {
        var small = new ScriptSandbox(ScriptLimits.Default with { MaxResultLength = 100 });
        Assert.Equal(ResultInvalid, Failure("'x'.repeat(200)", small).Code);
    }

    [Fact]
    public void MeasureAResultBeforeWritingIt() =>
        Assert.Equal(ResultInvalid, Failure("const a = new Array(1000).fill('x'.repeat(9999)); new Array(1000).fill(a)").Code);

    [Fact]
    public void StillBuildOrdinaryStrings() =>
        Assert.Equal("a-b-c|xxx|a+b|[1,2]", Value("[['a', 'b', 'c'].join('-'), 'x'.repeat(3), 'a b'.replace(' ', '+'), JSON.stringify([1, 2])].join('|')").GetString());

    [Theory]
    [InlineData("const o = {}; o.self = o; o")]
    [InlineData("10n ** 20n")]
    public void ReportAResultThatCannotBeWrittenAsJson(string script) => Assert.Equal(Error, Failure(script).Code);

    [Fact]
    public void EvaluateOnManyThreadsAtOnce()
    {
        // About isolation between threads, not limits: a clock no busy machine reaches.
        var patient = new ScriptSandbox(ScriptLimits.Default with { Timeout = TimeSpan.FromMinutes(1) });
        var results = new string[200];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i =>
            results[i] = Value("vars.items.map(x => x * vars.factor).reduce((a, b) => a + b, 0) + ':' + vars.id", Scope($$"""{"items":[1,2,3],"factor":{{i}},"id":"r{{i}}"}"""), patient).GetString()!);

        Assert.All(Enumerable.Range(0, results.Length), i => Assert.Equal($"{6 * i}:r{i}", results[i]));
    }

    [Fact]
    public void NameTheVariablesAScriptReads() =>
        Assert.Equal(["amount", "review"], Sandbox.VariablesRead("vars.amount > 1 && vars['review'].outcome === 'approve' && other.vars.x && event.vars").Order());

    [Fact]
    public void NameTheGlobalsNothingProvides() =>
        Assert.Equal(["helper", "varz"], Sandbox.UnknownNames("const local = 1; varz.n + helper(local) + Math.max(vars.n, 1)"));
}
