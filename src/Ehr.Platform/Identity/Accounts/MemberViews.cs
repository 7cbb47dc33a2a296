using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>A member of the tenant as administrators see them: the membership with the person's name and account state.</summary>
public sealed record MemberView(
    Guid MembershipId,
    Guid UserId,
    string Email,
    string DisplayName,
    IReadOnlyList<string> Roles,
    IReadOnlyList<Guid> LocationIds,
    MembershipStatus Status,
    bool MfaEnabled,
    DateTimeOffset? LockedUntil,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public enum InvitationStatus
{
    Open,
    Accepted,
    Revoked,
    Expired,
}

/// <summary>An invitation as administrators see it (never its token).</summary>
public sealed record InvitationView(
    Guid Id,
    string Email,
    IReadOnlyList<string> Roles,
    IReadOnlyList<Guid> LocationIds,
    string InvitedBy,
    InvitationStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt)
{
    internal static InvitationView From(Invitation i, DateTimeOffset now) => new(i.Id, i.Email, i.Roles, i.LocationIds, i.InvitedBy,
        i.AcceptedAt is not null ? InvitationStatus.Accepted
        : i.RevokedAt is not null ? InvitationStatus.Revoked
        : i.ExpiresAt <= now ? InvitationStatus.Expired
        : InvitationStatus.Open,
        i.CreatedAt, i.ExpiresAt);
}

internal static class MemberQueries
{
    /// <summary>
    /// Memberships of one tenant with their people, by e-mail; every query here is filtered by tenant first. Filters
    /// go before the projection: EF cannot translate operators applied to a constructed record.
    /// </summary>
    public static IQueryable<MemberView> Members(PlatformDbContext db, Guid tenantId, DateTimeOffset now, bool includeDeactivated = true,
        Guid? membershipId = null) =>
        from m in db.Memberships.AsNoTracking()
        join u in db.Users.AsNoTracking() on m.UserId equals u.Id
        where m.TenantId == tenantId
              && (includeDeactivated || m.Status == MembershipStatus.Active)
              && (membershipId == null || m.Id == membershipId)
        orderby u.Email
        select new MemberView(m.Id, u.Id, u.Email, u.DisplayName, m.Roles, m.LocationIds, m.Status, u.TotpEnabled,
            u.LockedUntil > now ? u.LockedUntil : null, m.Version, m.CreatedAt, m.UpdatedAt);

    public static async Task<MemberView> MemberAsync(PlatformDbContext db, Guid tenantId, Guid membershipId, DateTimeOffset now, CancellationToken ct) =>
        await Members(db, tenantId, now, membershipId: membershipId).SingleAsync(ct);
}
