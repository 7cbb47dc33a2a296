using Ehr.Platform.Errors;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Portal;

/// <summary>A portal link as staff see it: who (the user, or the invited e-mail), which record, how, until when.</summary>
public sealed record PortalLinkView(
    Guid Id,
    Guid PatientId,
    string Relationship,
    PortalLinkStatus Status,
    DateTimeOffset? ExpiresAt,
    Guid? UserId,
    string Email,
    string? DisplayName,
    Guid? InvitationId,
    string GrantedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? RevokedAt);

/// <summary>One record a portal user may see now, and how they stand to its patient.</summary>
/// <param name="Relationship">Null when no link records it (a development token naming patients).</param>
public sealed record MyPortalRecord(Guid PatientId, string? Relationship, DateTimeOffset? ExpiresAt);

/// <summary>Checks and queries the portal use cases share.</summary>
internal static class PortalRules
{
    /// <summary>
    /// The patient must exist in this tenant (else a field error at <paramref name="path"/>) and be readable by the
    /// caller: granting access to a restricted record is for its care team (else <c>RESTRICTED_RECORD</c>).
    /// </summary>
    public static async Task PatientAsync(IPortalPatients patients, Guid? patientId, string path, List<FieldError> errors, CancellationToken ct)
    {
        if (patientId is not { } id || id == Guid.Empty)
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "The patient is required."));
            return;
        }

        switch (await patients.CheckAsync(id, ct))
        {
            case PortalPatientCheck.NotFound:
                errors.Add(new FieldError(path, ErrorCodes.UnknownReference, "This tenant has no patient with this id."));
                break;
            case PortalPatientCheck.Restricted:
                throw EhrException.RestrictedRecord("Patient " + id);
        }
    }

    /// <summary>A portal membership holds the patient role and nothing else.</summary>
    public static bool IsPortalOnly(IReadOnlyCollection<string> roles) =>
        roles.Count > 0 && roles.All(r => r == Permissions.PatientRole);

    /// <summary>The active membership in the tenant of whoever has this e-mail, if any.</summary>
    public static async Task<(Guid UserId, List<string> Roles)?> ActiveMemberByEmailAsync(PlatformDbContext db, Guid tenantId, string email,
        CancellationToken ct)
    {
        var found = await (from m in db.Memberships.AsNoTracking()
                           join u in db.Users.AsNoTracking() on m.UserId equals u.Id
                           where m.TenantId == tenantId && u.Email == email && m.Status == MembershipStatus.Active
                           select new { u.Id, m.Roles }).SingleOrDefaultAsync(ct);
        return found is null ? null : (found.Id, found.Roles);
    }

    /// <summary>
    /// Serialises the portal changes of one patient (invitations, grants) to the end of the caller's transaction, so
    /// two staff granting the same person at once cannot both pass the duplicate check.
    /// </summary>
    public static Task LockPatientAsync(PlatformDbContext db, Guid tenantId, Guid patientId, CancellationToken ct) =>
        db.Database.ExecuteSqlAsync($"SELECT pg_advisory_xact_lock(hashtextextended({"portal:" + tenantId + ":" + patientId}, 0))", ct);

    /// <summary>
    /// Links of one tenant matching <paramref name="filter"/>, with the person (user, else the invited e-mail) they belong
    /// to. The filter goes before the projection: EF cannot translate one applied to a constructed record.
    /// </summary>
    public static Task<List<LinkRow>> LinksAsync(PlatformDbContext db, Guid tenantId, System.Linq.Expressions.Expression<Func<PortalLink, bool>> filter,
        CancellationToken ct) =>
        (from l in db.PortalLinks.AsNoTracking().Where(l => l.TenantId == tenantId).Where(filter)
         from u in db.Users.AsNoTracking().Where(u => u.Id == l.UserId).DefaultIfEmpty()
         from i in db.Invitations.AsNoTracking().Where(i => i.Id == l.InvitationId).DefaultIfEmpty()
         orderby l.CreatedAt
         select new LinkRow(l, u == null ? null : u.Email, u == null ? null : u.DisplayName, i == null ? null : i.Email,
             i == null ? null : i.ExpiresAt, i != null && (i.RevokedAt != null || i.AcceptedAt != null))).ToListAsync(ct);

    /// <summary>
    /// Gives the accepting user the invitation's waiting links (in the caller's transaction); one that would repeat
    /// access they already have is revoked instead. Returns the audit entries to write with the acceptance.
    /// </summary>
    public static async Task<IReadOnlyList<Audit.AuditEvent>> AttachInvitedLinksAsync(PlatformDbContext db, Invitation invitation, Guid userId,
        DateTimeOffset now, CancellationToken ct)
    {
        var waiting = await db.PortalLinks.Where(l => l.InvitationId == invitation.Id && l.UserId == null && l.RevokedAt == null).ToListAsync(ct);
        if (waiting.Count == 0)
        {
            return [];
        }

        var patientIds = waiting.Select(l => l.PatientId).ToList();
        var already = await db.PortalLinks.AsNoTracking()
            .Where(l => l.TenantId == invitation.TenantId && l.UserId == userId && patientIds.Contains(l.PatientId)
                        && l.RevokedAt == null && (l.ExpiresAt == null || l.ExpiresAt > now))
            .Select(l => l.PatientId).ToListAsync(ct);
        // A patient's own record is linked to one account at most (the invitation use case keeps it so; this closes
        // the gap of an older invitation accepted after another account took the record).
        var ownedByOthers = await db.PortalLinks.AsNoTracking()
            .Where(l => l.TenantId == invitation.TenantId && l.UserId != null && l.UserId != userId && patientIds.Contains(l.PatientId)
                        && l.Relationship == PortalRelationships.Self && l.RevokedAt == null)
            .Select(l => l.PatientId).ToListAsync(ct);
        var entries = new List<Audit.AuditEvent>();
        foreach (var link in waiting)
        {
            if (already.Contains(link.PatientId) || (link.ExpiresAt is { } expires && expires <= now) ||
                (link.Relationship == PortalRelationships.Self && ownedByOthers.Contains(link.PatientId)))
            {
                link.Revoke("system:invitation-accepted", now);
                continue;
            }

            link.AttachTo(userId);
            entries.Add(new Audit.AuditEvent("portal.link", "Patient", link.PatientId.ToString(),
                new { linkId = link.Id, userId, invitationId = invitation.Id, relationship = link.Relationship, expiresAt = link.ExpiresAt }));
        }

        return entries;
    }

    public static async Task<PortalLinkView> ViewAsync(PlatformDbContext db, Guid tenantId, Guid linkId, DateTimeOffset now, CancellationToken ct) =>
        (await LinksAsync(db, tenantId, l => l.Id == linkId, ct)).Single().ToView(now);
}

internal sealed record LinkRow(PortalLink Link, string? UserEmail, string? UserName, string? InvitedEmail,
    DateTimeOffset? InvitationExpiresAt, bool InvitationClosed)
{
    /// <summary>A pending link whose invitation can no longer be accepted will never apply: it reads as expired.</summary>
    public PortalLinkStatus StatusAt(DateTimeOffset now) =>
        Link.StatusAt(now) is PortalLinkStatus.Pending && (InvitationClosed || InvitationExpiresAt <= now)
            ? PortalLinkStatus.Expired
            : Link.StatusAt(now);

    public PortalLinkView ToView(DateTimeOffset now) => new(Link.Id, Link.PatientId, Link.Relationship, StatusAt(now), Link.ExpiresAt,
        Link.UserId, UserEmail ?? InvitedEmail ?? "", UserName, Link.InvitationId, Link.GrantedBy, Link.CreatedAt, Link.RevokedAt);
}
