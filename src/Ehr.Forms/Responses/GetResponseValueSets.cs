using Ehr.Forms.Definitions;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Responses;

/// <summary>
/// The answer value sets held in the tenant that a response's form version names, for a renderer to offer their
/// concepts as the question's options and to check answers as the server will (<c>form.respond</c>: whoever fills
/// forms in). Resolved exactly as the server's check resolves them (<see cref="TenantFormEngine"/>), and only the sets
/// that version names: a patient filling in a form sees its options without any right over the tenant's value sets
/// (no <c>form.manage</c>, no list). A patient asks only about responses they may see (<see
/// cref="GetFormResponse.VisibleToPatient"/>); anything else reads as absent (null). Value sets are configuration,
/// not health information: nothing of the patient is read, so nothing is audited.
/// </summary>
public sealed class GetResponseValueSets(TenantDbContext db, ActorContext actors, PublishedForms forms, TenantFormEngine tenantForms)
{
    public async Task<IAnswerValueSets?> HandleAsync(Guid responseId, CancellationToken ct)
    {
        actors.Demand(Permissions.FormRespond);
        var response = await db.Set<FormResponse>().AsNoTracking().SingleOrDefaultAsync(r => r.Id == responseId, ct);
        if (response is null || !GetFormResponse.VisibleToPatient(response, actors.Current))
        {
            return null;
        }

        var definition = await db.Set<Artifact>().AsNoTracking().SingleAsync(a => a.Id == response.FormId, ct);
        var plan = forms.Plan(definition);
        await tenantForms.LoadForAsync(plan, ct);
        return tenantForms.NamedBy(plan);
    }
}
