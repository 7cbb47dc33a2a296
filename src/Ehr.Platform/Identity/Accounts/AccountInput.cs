using System.Net.Mail;
using Ehr.Platform.Errors;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>Validation of the fields every account use case shares: e-mail addresses and display names.</summary>
internal static class AccountInput
{
    public static void Email(string? email, string path, List<FieldError> errors)
    {
        var trimmed = email?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "An e-mail address is required."));
        }
        else if (trimmed.Length > 254)
        {
            errors.Add(new FieldError(path, ErrorCodes.TooLong, "An e-mail address has at most 254 characters."));
        }
        else if (!MailAddress.TryCreate(trimmed, out var parsed) || parsed.Address != trimmed || parsed.DisplayName.Length > 0 ||
                 trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || parsed.Host.StartsWith('.') || parsed.Host.EndsWith('.'))
        {
            errors.Add(new FieldError(path, ErrorCodes.InvalidFormat, "Not an e-mail address (name@example.org)."));
        }
    }

    public static void DisplayName(string? name, string path, List<FieldError> errors)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "A name is required."));
        }
        else if (trimmed.Length > 200)
        {
            errors.Add(new FieldError(path, ErrorCodes.TooLong, "A name has at most 200 characters."));
        }
        else if (trimmed.Any(char.IsControl))
        {
            errors.Add(new FieldError(path, ErrorCodes.InvalidFormat, "A name cannot contain control characters."));
        }
    }

    public static void ThrowIfAny(List<FieldError> errors)
    {
        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }
    }

    /// <summary>A unique-index violation (PostgreSQL 23505): the race a check before the insert cannot close.</summary>
    public static bool IsUniqueViolation(Exception e) =>
        e is Microsoft.EntityFrameworkCore.DbUpdateException { InnerException: Npgsql.PostgresException { SqlState: "23505" } };
}
