using Ehr.Platform.Identity;

namespace Ehr.Forms.Responses;

/// <summary>
/// Marks a response entered-in-error with a reason (form.respond; staff only), whatever its state: it stays, marked,
/// and so do its revisions. The observations derived from it that are still final are marked entered-in-error too, in
/// the same transaction. Raises <c>form.entered-in-error</c>.
/// </summary>
public sealed class MarkFormResponseEnteredInError(FormResponseChanges changes)
{
    public async Task<FormResponseView> HandleAsync(Guid id, int expectedVersion, string? reason, CancellationToken ct)
    {
        changes.Actors.Demand(Permissions.FormRespond);
        changes.RefusePatientScoped("withdraw a form");
        var validReason = FormResponseChanges.Reason(reason);
        return await changes.ApplyAsync(id, expectedVersion, async (found, token) =>
        {
            var response = found.Response;
            response.MarkEnteredInError(expectedVersion, validReason, changes.Now);
            var superseded = await changes.Observations.SupersedeDerivedAsync(response.Reference,
                $"The form response was marked entered-in-error: {validReason}", token);
            await changes.Db.SaveChangesAsync(token);
            await changes.AuditAsync(response, "form.response.entered-in-error", new { reason = validReason, superseded }, token);
            await changes.RaiseAsync("form.entered-in-error", response, found.Definition, new { supersededObservationIds = superseded }, token);
            return new FormResponseView(response, found.Definition);
        }, ct);
    }
}
