using System.Diagnostics;

namespace Ehr.Bench;

/// <summary>
/// Counts the SQL round trips Npgsql makes in one async flow (its activities: a command or a batch is one), with their
/// text: how many a use case costs, without the background work running beside it.
/// </summary>
internal sealed class SqlTrace : IDisposable
{
    private static readonly AsyncLocal<List<string>?> Current = new();
    private readonly ActivityListener _listener;

    public SqlTrace()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("Npgsql", StringComparison.Ordinal),
            Sample = (ref ActivityCreationOptions<ActivityContext> _) =>
                Current.Value is null ? ActivitySamplingResult.None : ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                var list = Current.Value;
                if (list is null)
                {
                    return;
                }

                var text = activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement") ?? activity.DisplayName;
                lock (list)
                {
                    list.Add($"{activity.OperationName}: {text}");
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Runs <paramref name="work"/> and returns what it sent.</summary>
    public static async Task<List<string>> RecordAsync(Func<Task> work)
    {
        var list = new List<string>();
        Current.Value = list;
        try
        {
            await work();
        }
        finally
        {
            Current.Value = null;
        }

        return list;
    }

    public void Dispose() => _listener.Dispose();
}
