using Ehr.Platform.Contracts;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Forms.Responses;

/// <summary>The platform's <see cref="IFormResponseChecks"/>: a workflow task's form, answered and submitted.</summary>
internal sealed class FormResponseChecks(TenantDbContext db) : IFormResponseChecks
{
    public Task<bool> IsSubmittedResponseToAsync(Guid responseId, string formKey, CancellationToken ct) =>
        db.Set<FormResponse>().AsNoTracking().AnyAsync(r => r.Id == responseId && r.FormKey == formKey &&
            (r.Status == FormResponseStatus.Completed || r.Status == FormResponseStatus.Amended), ct);
}
