using Ehr.Platform.Errors;
using Ehr.Platform.Tenancy;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Ehr.Platform.Identity;

/// <summary>
/// Issues local-development bearer tokens (<c>./ehr token</c>) signed with the <see cref="LocalSigningKey"/>. The OIDC
/// server replaces this for real sign-in; the token shape (sub, tenant, role, and optionally patient, location, actor_kind) stays the same.
/// </summary>
public sealed class DevTokenIssuer(LocalSigningKey key, TimeProvider clock)
{
    public string Issue(string? tenantSlug, string userId, IReadOnlyList<string> roles, int minutes = 60,
        IReadOnlyList<Guid>? patients = null, IReadOnlyList<Guid>? locations = null, bool apiClient = false)
    {
        var errors = new List<FieldError>();
        if (tenantSlug is not null)
        {
            errors.AddRange(TenantSlug.Validate(tenantSlug, "tenant"));
        }

        if (string.IsNullOrWhiteSpace(userId) || userId.Length > 200)
        {
            errors.Add(new FieldError("user", ErrorCodes.Required, "A user id of at most 200 characters is required."));
        }

        if (roles.Count == 0)
        {
            errors.Add(new FieldError("role", ErrorCodes.Required, "At least one role is required."));
        }

        // A tenant's custom role keys are only known inside the tenant; any well-formed key may be named (an
        // undefined one grants nothing).
        foreach (var role in roles.Where(r => !Permissions.IsKnownRole(r) && (tenantSlug is null || !Permissions.IsWellFormedRoleKey(r))))
        {
            errors.Add(new FieldError("role", ErrorCodes.InvalidFormat,
                $"Unknown role '{role}'. Built-in: {string.Join(", ", Permissions.BuiltInTenantRoles.Append(Permissions.PlatformAdminRole))}; a tenant's custom role keys are 3-40 lowercase letters, digits and hyphens."));
        }

        if (patients?.Any(p => p == Guid.Empty) == true)
        {
            errors.Add(new FieldError("patient", ErrorCodes.InvalidFormat, "A patient id is a UUID."));
        }

        if (patients is { Count: > 0 } && !roles.Contains(Permissions.PatientRole))
        {
            errors.Add(new FieldError("patient", ErrorCodes.InvalidFormat, "Patient ids go with the patient role."));
        }

        if (minutes is < 1 or > 24 * 60)
        {
            errors.Add(new FieldError("minutes", ErrorCodes.OutOfRange, "A token lives 1 to 1440 minutes."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        var now = clock.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object> { [EhrClaims.Subject] = userId };
        if (tenantSlug is not null)
        {
            claims[EhrClaims.Tenant] = tenantSlug;
        }

        claims[EhrClaims.Role] = roles.Count == 1 ? roles[0] : roles.ToArray();
        if (patients is { Count: > 0 })
        {
            claims[EhrClaims.Patient] = patients.Select(p => p.ToString()).ToArray();
        }

        if (locations is { Count: > 0 })
        {
            claims[EhrClaims.Location] = locations.Select(l => l.ToString()).ToArray();
        }

        if (apiClient)
        {
            claims[EhrClaims.ActorKind] = "client";
        }
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = LocalSigningKey.Issuer,
            Audience = LocalSigningKey.Audience,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(minutes),
            SigningCredentials = new SigningCredentials(key.Key, SecurityAlgorithms.EcdsaSha256),
        });
    }
}
