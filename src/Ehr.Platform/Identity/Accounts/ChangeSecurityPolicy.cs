using Ehr.Platform.Audit;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>Every setting is required, so a change is always a whole, reviewed policy.</summary>
public sealed record SecurityPolicyInput(
    int? AccessTokenMinutes,
    int? IdleTimeoutMinutes,
    int? SessionMaxHours,
    IReadOnlyList<string>? MfaRequiredRoles,
    int? PasswordMinLength);

/// <summary>
/// Changes the tenant's security policy within fixed bounds (access tokens 5-60 minutes, idle time-out 5-240 minutes,
/// sessions 1-24 hours, passwords 12-128 characters, MFA roles among the known roles), refused with
/// <c>VERSION_CONFLICT</c> unless the caller saw the current version (0: never changed). Audited with before and after.
/// </summary>
public sealed class ChangeSecurityPolicy(
    PlatformDbContext db,
    TenantContext tenants,
    ActorContext actors,
    TenantAuditOfPlatformChange audit,
    TimeProvider clock)
{
    public async Task<TenantSecurityPolicy> HandleAsync(int expectedVersion, SecurityPolicyInput input, CancellationToken ct)
    {
        actors.Demand(Permissions.SecurityManage);
        var tenantId = tenants.Required.Id;
        var errors = new List<FieldError>();
        Range(input.AccessTokenMinutes, "input.accessTokenMinutes", 5, 60, "minutes", errors);
        Range(input.IdleTimeoutMinutes, "input.idleTimeoutMinutes", 5, 240, "minutes", errors);
        Range(input.SessionMaxHours, "input.sessionMaxHours", 1, 24, "hours", errors);
        Range(input.PasswordMinLength, "input.passwordMinLength", PasswordPolicy.PlatformMinimumLength, PasswordPolicy.MaximumLength, "characters", errors);
        var roles = input.MfaRequiredRoles ?? [];
        for (var i = 0; i < roles.Count; i++)
        {
            if (!MembershipInput.IsAssignable(roles[i]))
            {
                errors.Add(new FieldError($"input.mfaRequiredRoles[{i}]", ErrorCodes.UnknownReference, $"Unknown role '{roles[i]}'."));
            }
        }

        if (input.MfaRequiredRoles is null)
        {
            errors.Add(new FieldError("input.mfaRequiredRoles", ErrorCodes.Required, "Required (an empty list is allowed)."));
        }

        AccountInput.ThrowIfAny(errors);

        var stored = await db.SecurityPolicies.SingleOrDefaultAsync(p => p.TenantId == tenantId, ct);
        var policy = stored ?? TenantSecurityPolicy.Defaults(tenantId);
        if (policy.Version != expectedVersion)
        {
            throw EhrException.VersionConflict("Security policy", expectedVersion, policy.Version);
        }

        var before = Snapshot(policy);
        policy.Change(input.AccessTokenMinutes!.Value, input.IdleTimeoutMinutes!.Value, input.SessionMaxHours!.Value, roles,
            input.PasswordMinLength!.Value, AuditChain.ToStoredPrecision(clock.GetUtcNow()));
        if (stored is null)
        {
            db.SecurityPolicies.Add(policy);
        }

        try
        {
            await audit.CommitAsync(
                [new AuditEvent("security-policy.change", "SecurityPolicy", tenantId.ToString(),
                    new { before, after = Snapshot(policy), version = policy.Version })],
                ct);
        }
        catch (DbUpdateException e) when (e is DbUpdateConcurrencyException || AccountInput.IsUniqueViolation(e))
        {
            db.ChangeTracker.Clear();
            var current = await SecurityPolicies.ForTenantAsync(db, tenantId, ct);
            throw EhrException.VersionConflict("Security policy", expectedVersion, current.Version);
        }

        return policy;
    }

    private static object Snapshot(TenantSecurityPolicy p) => new
    {
        p.AccessTokenMinutes, p.IdleTimeoutMinutes, p.SessionMaxHours, mfaRequiredRoles = p.MfaRequiredRoles.ToList(), p.PasswordMinLength,
    };

    private static void Range(int? value, string path, int min, int max, string unit, List<FieldError> errors)
    {
        if (value is null)
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "Required."));
        }
        else if (value < min || value > max)
        {
            errors.Add(new FieldError(path, ErrorCodes.OutOfRange, $"Between {min} and {max} {unit}."));
        }
    }
}
