using Ehr.Platform.Errors;

namespace Ehr.Platform.Identity.Roles;

/// <summary>A new role: its key (tenant-wide, or an override at <see cref="LocationId"/>), name and permissions.</summary>
public sealed record RoleInput(string? Key, string? Name, string? Description, IReadOnlyList<string>? Permissions, Guid? LocationId = null);

/// <summary>What can change in a role: everything but its key and scope.</summary>
public sealed record RoleChange(string? Name, string? Description, IReadOnlyList<string>? Permissions);

/// <summary>A role as the tenant sees it: built-in (no id, never changes) or custom.</summary>
public sealed record RoleDefinition(Guid? Id, string Key, Guid? LocationId, string Name, string? Description,
    IReadOnlyList<string> Permissions, int Version, bool BuiltIn)
{
    internal static RoleDefinition From(CustomRole r) =>
        new(r.Id, r.Key, r.LocationId, r.Name, r.Description, r.Permissions, r.Version, false);
}

/// <summary>Checks a role's parts and reports every problem at once, each with its field path.</summary>
internal static class RoleValidation
{
    public const int MaxName = 100;
    public const int MaxDescription = 500;

    public static void Key(string? key, string path, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "A role key is required."));
        }
        else if (!Identity.Permissions.IsWellFormedRoleKey(key))
        {
            errors.Add(new FieldError(path, ErrorCodes.InvalidFormat,
                "3 to 40 lowercase letters, digits and hyphens, starting with a letter."));
        }
        else if (Identity.Permissions.IsReservedRoleKey(key))
        {
            errors.Add(new FieldError(path, ErrorCodes.Reserved, $"'{key}' is a built-in role; choose another key."));
        }
    }

    public static ValidRole Rest(string? name, string? description, IReadOnlyList<string>? permissions, string path,
        List<FieldError> errors)
    {
        var trimmedName = name?.Trim() ?? "";
        if (trimmedName.Length == 0)
        {
            errors.Add(new FieldError($"{path}.name", ErrorCodes.Required, "A name is required."));
        }
        else if (trimmedName.Length > MaxName || trimmedName.Any(char.IsControl))
        {
            errors.Add(new FieldError($"{path}.name", ErrorCodes.TooLong, $"At most {MaxName} characters, no control characters."));
        }

        var trimmedDescription = string.IsNullOrWhiteSpace(description) ? null : description.Trim();
        if (trimmedDescription is { Length: > MaxDescription })
        {
            errors.Add(new FieldError($"{path}.description", ErrorCodes.TooLong, $"At most {MaxDescription} characters."));
        }

        var valid = new List<string>();
        if (permissions is null || permissions.Count == 0)
        {
            errors.Add(new FieldError($"{path}.permissions", ErrorCodes.Required, "At least one permission is required."));
        }
        else
        {
            for (var i = 0; i < permissions.Count; i++)
            {
                var p = permissions[i];
                if (!Identity.Permissions.TenantCatalog.ContainsKey(p))
                {
                    errors.Add(new FieldError($"{path}.permissions[{i}]", ErrorCodes.UnknownReference,
                        $"Unknown permission '{p}'."));
                }
                else if (valid.Contains(p))
                {
                    errors.Add(new FieldError($"{path}.permissions[{i}]", ErrorCodes.Duplicate, $"'{p}' is listed twice."));
                }
                else
                {
                    valid.Add(p);
                }
            }
        }

        return new ValidRole(trimmedName, trimmedDescription, valid);
    }
}
