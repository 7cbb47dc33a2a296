namespace Ehr.Workflow.Scripts;

/// <summary>
/// What one script evaluation may use. Workflow scripts are expressions over a few small JSON values; these limits
/// are orders of magnitude above what such an expression needs and far below what would hurt the host.
/// </summary>
public sealed record ScriptLimits
{
    public static readonly ScriptLimits Default = new();

    /// <summary>
    /// Wall-clock time (<c>TimeoutInterval</c>). The backstop for slow built-ins: statements, memory and regex limits stop
    /// runaway scripts far sooner. Generous because it is wall-clock: on a busy host a thread may wait for a core.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Statements executed (<c>MaxStatements</c>): ends a loop long before the clock would.</summary>
    public int MaxStatements { get; init; } = 20_000;

    /// <summary>Bytes allocated by the evaluation (<c>LimitMemory</c>).</summary>
    public long MaxMemoryBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Call depth (<c>LimitRecursion</c>).</summary>
    public int MaxRecursion { get; init; } = 64;

    /// <summary>Elements of one array (<c>MaxArraySize</c>).</summary>
    public uint MaxArrayLength { get; init; } = 10_000;

    /// <summary>
    /// Characters one built-in call may produce (<c>repeat</c>, <c>join</c>, <c>replace</c>, <c>JSON.stringify</c>): those
    /// allocate their result before the memory limit looks (<see cref="StringGuards"/>).
    /// </summary>
    public int MaxStringLength { get; init; } = 1_000_000;

    /// <summary>One regular-expression match.</summary>
    public TimeSpan RegexTimeout { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The result, as JSON text: results become variables, which are stored with every step.</summary>
    public int MaxResultLength { get; init; } = 64 * 1024;
}
