namespace Ehr.Workflow;

/// <summary>The workflow runtime's settings (section <c>Workflow</c>).</summary>
public sealed class WorkflowOptions
{
    public const string SectionName = "Workflow";

    /// <summary>
    /// Whether this process runs the dispatcher (event consumers and the effects worker); unset, it does where
    /// background jobs run (<c>Jobs:RunServer</c>: the host and the worker, not the CLI verbs).
    /// </summary>
    public bool? RunWorkers { get; set; }

    /// <summary>
    /// How often every tenant is looked at even without a signal: effects waiting for a retry, work left by a process
    /// that died (its signal died with it), notifications missed while the listening connection was down.
    /// </summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Tenants worked on at once by one process.</summary>
    public int Parallelism { get; set; } = 2;

    /// <summary>Events read (and committed with their starts) per consumer transaction.</summary>
    public int EventBatchSize { get; set; } = 100;

    /// <summary>Pending effects read per round of a tenant.</summary>
    public int EffectBatchSize { get; set; } = 50;

    /// <summary>Effects of one tenant carried out at once (each in its own transaction).</summary>
    public int EffectConcurrency { get; set; } = 4;

    /// <summary>
    /// A pause before each effect is carried out. Zero in production; the crash test sets it so that a process killed
    /// right after its steps committed leaves their effects to the next process.
    /// </summary>
    public TimeSpan EffectDelay { get; set; } = TimeSpan.Zero;

    /// <summary>An effect that keeps failing unexpectedly is tried this many times; an action then becomes an incident.</summary>
    public int MaxEffectAttempts { get; set; } = 8;

    /// <summary>
    /// A timer this process schedules that is due within this much time is also held in memory and fired directly at
    /// its due time (its Hangfire job then deleted); later ones, and all when zero, are fired by their Hangfire job alone.
    /// </summary>
    public TimeSpan ImminentTimerHorizon { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>At most this many timers held in memory by the fast path (beyond, Hangfire alone fires them).</summary>
    public int ImminentTimerCapacity { get; set; } = 10_000;
}
