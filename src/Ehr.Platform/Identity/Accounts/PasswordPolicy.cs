using System.IO.Compression;
using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Platform.Identity.Accounts;

/// <summary>
/// What a new password must satisfy (NIST SP 800-63B style: length over composition rules): at least the tenant's
/// minimum length (platform default 12), at most 128 characters, not a commonly used password (nor one with only
/// digits or symbols added around it), and not containing the local part of the person's e-mail address.
/// </summary>
public sealed class PasswordPolicy(PlatformDbContext db)
{
    public const int PlatformMinimumLength = 12;
    public const int MaximumLength = 128;

    /// <summary>The strictest minimum length among the given tenants' policies (platform default when none has one).</summary>
    public async Task<int> MinimumLengthAsync(IReadOnlyCollection<Guid> tenantIds, CancellationToken ct)
    {
        if (tenantIds.Count == 0)
        {
            return PlatformMinimumLength;
        }

        var lengths = await db.SecurityPolicies.AsNoTracking().Where(p => tenantIds.Contains(p.TenantId))
            .Select(p => p.PasswordMinLength).ToListAsync(ct);
        return Math.Max(PlatformMinimumLength, lengths.DefaultIfEmpty(PlatformMinimumLength).Max());
    }

    /// <summary>Every reason <paramref name="password"/> is refused, each with <paramref name="path"/> as its field path.</summary>
    public static IReadOnlyList<FieldError> Check(string? password, string email, int minimumLength, string path)
    {
        if (string.IsNullOrEmpty(password))
        {
            return [new FieldError(path, ErrorCodes.Required, "A password is required.")];
        }

        var errors = new List<FieldError>();
        // Length in Unicode code points, as NIST counts it, so a passphrase in any script is measured fairly.
        var length = password.EnumerateRunes().Count();
        if (length < minimumLength)
        {
            errors.Add(new FieldError(path, ErrorCodes.TooShort, $"Use at least {minimumLength} characters; a few unrelated words make a good password."));
        }

        if (length > MaximumLength)
        {
            errors.Add(new FieldError(path, ErrorCodes.TooLong, $"Use at most {MaximumLength} characters."));
        }

        if (CommonPasswords.Contains(password))
        {
            errors.Add(new FieldError(path, ErrorCodes.CommonPassword, "This password is too common; choose something less predictable."));
        }

        var localPart = UserAccount.NormalizeEmail(email).Split('@')[0];
        if (localPart.Length >= 3 && password.Contains(localPart, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add(new FieldError(path, ErrorCodes.ContainsEmail, "The password must not contain your e-mail address."));
        }

        return errors;
    }
}

/// <summary>
/// The common-password list of zxcvbn-ts (<c>common-passwords.txt.gz</c>, see README.md in this folder), loaded once.
/// </summary>
internal static class CommonPasswords
{
    private static readonly Lazy<HashSet<string>> Set = new(Load);

    public static int Count => Set.Value.Count;

    /// <summary>
    /// The password itself, or what is left once digits and symbols around it are taken off ("Password123!" is
    /// "password"), is on the list. Case does not matter.
    /// </summary>
    public static bool Contains(string password)
    {
        var lower = password.ToLowerInvariant();
        var core = lower.Trim().TrimEnd(Decoration).TrimStart(Decoration);
        var set = Set.Value;
        return set.Contains(lower) || (core.Length > 0 && set.Contains(core));
    }

    private static readonly char[] Decoration = "0123456789!@#$%^&*()_+-=[]{};:'\",.<>/?\\|`~ ".ToCharArray();

    private static HashSet<string> Load()
    {
        using var stream = typeof(CommonPasswords).Assembly.GetManifestResourceStream("Identity/Accounts/common-passwords.txt.gz")
                           ?? throw new InvalidOperationException("The common-password list is not embedded in Ehr.Platform.");
        using var gzip = new GZipStream(stream, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                set.Add(line);
            }
        }

        return set;
    }
}
