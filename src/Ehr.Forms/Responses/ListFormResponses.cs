using System.Globalization;
using System.Text;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Contracts;
using Ehr.Platform.Errors;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Responses;

public sealed record FormResponseQuery(Guid PatientId, string? FormKey = null, string? Status = null, int First = 20, string? After = null);

public sealed record FormResponsePage(IReadOnlyList<FormResponseView> Nodes, bool HasNextPage, string? EndCursor);

/// <summary>
/// A patient's form responses, newest first (keyset pages on when they were started), optionally of one form or
/// status; read like the chart: one audit entry per page naming the responses, restricted records, disclosures to API
/// clients. A patient lists their own records only (another id is <c>NOT_FOUND</c>) and not others' unfinished work
/// (unless it was sent to the patient: <see cref="FormResponse.ForPatient"/>).
/// </summary>
public sealed class ListFormResponses(TenantDbContext db, ActorContext actors, IChartAccess chart)
{
    public const int MaxPage = 100;

    private static readonly string[] Statuses =
        [FormResponseStatus.InProgress, FormResponseStatus.Completed, FormResponseStatus.Amended, FormResponseStatus.EnteredInError];

    public async Task<FormResponsePage> HandleAsync(FormResponseQuery query, CancellationToken ct)
    {
        actors.Demand(Permissions.PatientRead);
        var errors = new List<FieldError>();
        if (query.First is < 1 or > MaxPage)
        {
            errors.Add(new FieldError("first", ErrorCodes.OutOfRange, $"Between 1 and {MaxPage}."));
        }

        if (query.Status is not null && !Statuses.Contains(query.Status))
        {
            errors.Add(new FieldError("status", ErrorCodes.InvalidFormat, "One of in-progress, completed, amended, entered-in-error."));
        }

        var after = Cursor.TryParse(query.After, out var position) ? position : ((DateTimeOffset At, Guid Id)?)null;
        if (query.After is not null && after is null)
        {
            errors.Add(new FieldError("after", ErrorCodes.InvalidFormat, "Not a form responses cursor."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        var actor = actors.Current;
        if (actor.IsPatientScoped && !actor.PatientIds.Contains(query.PatientId))
        {
            throw EhrException.NotFound("Patient " + query.PatientId);
        }

        var (page, refused) = await db.InTransactionAsync(async token =>
        {
            var responses = db.Set<FormResponse>().AsNoTracking().Include(r => r.Revisions).Where(r => r.PatientId == query.PatientId);
            if (query.FormKey is { } key)
            {
                responses = responses.Where(r => r.FormKey == key);
            }

            if (query.Status is { } status)
            {
                responses = responses.Where(r => r.Status == status);
            }

            if (actor.IsPatientScoped)
            {
                responses = responses.Where(r => r.Status != FormResponseStatus.InProgress || r.ForPatient || r.StartedBy == actor.Id);
            }

            if (after is { } at)
            {
                responses = responses.Where(r => r.StartedAt < at.At || (r.StartedAt == at.At && r.Id.CompareTo(at.Id) < 0));
            }

            var rows = await responses.OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Take(query.First + 1).AsSplitQuery().ToListAsync(token);
            var nodes = rows.Take(query.First).ToList();
            if (!await chart.RecordReadAsync(query.PatientId, "form.response.read", "Patient", query.PatientId.ToString(),
                    grant => new { responses = nodes.Select(r => r.Id).ToArray(), breakGlassGrant = grant },
                    nodes.Count > 0 ? "Form responses" : null, token))
            {
                return ((FormResponsePage?)null, true);
            }

            var formIds = nodes.Select(r => r.FormId).Distinct().ToList();
            var definitions = await db.Set<Artifact>().AsNoTracking().Where(a => formIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, token);
            var last = nodes.LastOrDefault();
            return ((FormResponsePage?)new FormResponsePage(nodes.Select(r => new FormResponseView(r, definitions[r.FormId])).ToList(),
                rows.Count > query.First, last is null ? null : Cursor.Of(last.StartedAt, last.Id)), false);
        }, ct);

        // After the commit, so the refused attempt stays on record.
        return refused ? throw EhrException.RestrictedRecord("Patient " + query.PatientId) : page!;
    }

    /// <summary>An opaque cursor: the last row's start time and id (as the clinical module's lists do).</summary>
    internal static class Cursor
    {
        public static string Of(DateTimeOffset at, Guid id) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes(at.UtcTicks.ToString(CultureInfo.InvariantCulture) + ":" + id.ToString("N")));

        public static bool TryParse(string? value, out (DateTimeOffset At, Guid Id) position)
        {
            position = default;
            if (value is null)
            {
                return false;
            }

            try
            {
                var parts = Encoding.UTF8.GetString(Convert.FromBase64String(value)).Split(':');
                if (parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) &&
                    ticks <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(parts[1], "N", out var id))
                {
                    position = (new DateTimeOffset(ticks, TimeSpan.Zero), id);
                    return true;
                }
            }
            catch (FormatException)
            {
            }

            return false;
        }
    }
}
