using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Contracts;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Ehr.Forms.Intake;

/// <summary>
/// What the public intake page shows: the link's response (its answers so far, prefilled ones included) with the
/// form version it answers, the practice's name and when the link expires. Nothing else of the patient's. Opening it
/// also gives the answer value sets held in the tenant that the form names (<see cref="AnswerValueSets"/>), so the page
/// can offer their concepts as options.
/// </summary>
public sealed record IntakeForm(FormResponseView Response, string PracticeName, DateTimeOffset ExpiresAt)
{
    public IAnswerValueSets AnswerValueSets { get; init; } = InMemoryAnswerValueSets.Empty;
}

/// <summary>
/// Opens an intake link (no sign-in: the token is the credential): its response as an in-progress form, read under
/// the chart's rules as the link (<c>form.response.read</c> by <c>intake-link:&lt;id&gt;</c>), or why not.
/// </summary>
public sealed class OpenIntakeForm(IntakeLinkSessions sessions)
{
    public Task<IntakeOutcome<IntakeForm>> HandleAsync(string? token, string? clientAddress, CancellationToken ct) =>
        sessions.RunAsync(token, clientAddress, ReadAsync, ct);

    internal static async Task<IntakeForm> ReadAsync(IServiceProvider services, IntakeLinkInHand link, CancellationToken ct)
    {
        services.GetRequiredService<ActorContext>().Demand(Permissions.FormRespond);
        var db = services.GetRequiredService<TenantDbContext>();
        var chart = services.GetRequiredService<IChartAccess>();
        return await db.InTransactionAsync(async t =>
        {
            var response = await db.Set<FormResponse>().AsNoTracking().Include(r => r.Revisions).SingleAsync(r => r.Id == link.ResponseId, t);
            await chart.RecordReadAsync(response.PatientId, "form.response.read", "FormResponse", response.Id.ToString(),
                grant => new { patient = response.PatientId, intakeLink = link.LinkId }, null, t);
            var definition = await db.Set<Artifact>().AsNoTracking().SingleAsync(a => a.Id == response.FormId, t);
            // Only the value sets this form names, resolved as the server's check resolves them.
            var tenantForms = services.GetRequiredService<TenantFormEngine>();
            var plan = services.GetRequiredService<PublishedForms>().Plan(definition);
            await tenantForms.LoadForAsync(plan, t);
            return new IntakeForm(new FormResponseView(response, definition), link.Tenant.DisplayName, link.ExpiresAt)
            {
                AnswerValueSets = tenantForms.NamedBy(plan),
            };
        }, ct);
    }
}
