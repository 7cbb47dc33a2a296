using Ehr.Platform.Identity;
using Ehr.Platform.Identity.Accounts;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Web.Components.Workflow;

/// <summary>
/// The names of the people tasks and timelines name by user id (assignee, claimer, decider, actor), for the page's
/// life: looked up in the staff directory (<see cref="SearchStaffDirectory"/>, for anyone with <c>workflow.task</c>),
/// else in the member list (<c>user.read</c>), else left as ids. The caller is "you"; an id that names no active
/// colleague (a system actor, someone who left) stays as it is.
/// </summary>
public sealed class StaffNames(ConsoleSession session, ConsoleUser user)
{
    private readonly Dictionary<string, string?> _known = new(StringComparer.Ordinal);

    public string Name(string? id) => id is null ? "" : id == user.Id ? "you" : _known.GetValueOrDefault(id) ?? id;

    /// <summary>The name, never "you" (a timeline read by anyone).</summary>
    public string FullName(string? id) => id is null ? "" : _known.GetValueOrDefault(id) ?? (id == user.Id ? user.Name : id);

    /// <summary>Looks up the ids not yet known (one call per hundred).</summary>
    public async Task LearnAsync(IEnumerable<string?> ids, CancellationToken ct = default)
    {
        var missing = ids.OfType<string>().Where(id => id.Length > 0 && !_known.ContainsKey(id)).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        if (user.Can(Permissions.WorkflowTask))
        {
            foreach (var chunk in missing.Chunk(SearchStaffDirectory.MaxResults))
            {
                var found = await session.RunAsync(sp => sp.GetRequiredService<SearchStaffDirectory>()
                    .HandleAsync(null, chunk, SearchStaffDirectory.MaxResults, ct), ct);
                foreach (var member in found)
                {
                    _known[member.UserId] = member.DisplayName;
                }
            }
        }
        else if (user.Can(Permissions.UserRead))
        {
            var members = await session.RunAsync(sp => sp.GetRequiredService<ListMembers>().HandleAsync(includeDeactivated: true, ct), ct);
            foreach (var member in members)
            {
                _known[member.UserId.ToString()] = member.DisplayName;
            }
        }

        foreach (var id in missing)
        {
            _known.TryAdd(id, null);
        }
    }
}
