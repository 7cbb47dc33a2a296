using Ehr.Forms.Definitions;
using Ehr.Forms.ValueSets;
using Ehr.Platform.Artifacts;
using Ehr.Platform.Identity;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Responses;

/// <summary>A published form version to fill in, with the answer value sets held in the tenant that it names.</summary>
public sealed record FormToFill(Artifact Definition, IAnswerValueSets AnswerValueSets);

/// <summary>
/// The version of a form in force at a location (its override there, else the tenant standard), to fill in before any
/// response exists, such as a workflow task's form filled in the task panel and sent with the decision
/// (<c>form.respond</c>, staff only: a patient fills the forms sent to them). With the value sets the version names,
/// resolved as the server's check resolves them. Null when no published version is in force. Configuration, not
/// health information: nothing is audited.
/// </summary>
public sealed class GetFormToFill(TenantDbContext db, ActorContext actors, PublishedForms forms, TenantFormEngine tenantForms)
{
    public async Task<FormToFill?> HandleAsync(string formKey, Guid? locationId, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(formKey);
        actors.Demand(Permissions.FormRespond);
        if (actors.Current.IsPatientScoped)
        {
            throw Platform.Errors.EhrException.Forbidden("A patient fills in the forms sent to them.");
        }

        var definition = await InForceAsync(db, formKey, locationId, ct);
        if (definition is null)
        {
            return null;
        }

        var plan = forms.Plan(definition);
        await tenantForms.LoadForAsync(plan, ct);
        return new FormToFill(definition, tenantForms.NamedBy(plan));
    }

    /// <summary>The latest published version of <paramref name="formKey"/> overridden at <paramref name="locationId"/>, else the tenant standard's.</summary>
    internal static async Task<Artifact?> InForceAsync(TenantDbContext db, string formKey, Guid? locationId, CancellationToken ct)
    {
        // Read directly, not through ReadArtifacts: filling a form needs form.respond, not the right to browse definitions.
        var published = db.Set<Artifact>().AsNoTracking().Where(a => a.Kind == FormKind.Name && a.Status == ArtifactStatus.Published && a.Key == formKey);
        if (locationId is { } location &&
            await published.Where(a => a.LocationId == location).OrderByDescending(a => a.Version).FirstOrDefaultAsync(ct) is { } overridden)
        {
            return overridden;
        }

        return await published.Where(a => a.LocationId == null).OrderByDescending(a => a.Version).FirstOrDefaultAsync(ct);
    }
}
