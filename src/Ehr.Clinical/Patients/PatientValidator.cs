using System.Globalization;
using System.Net.Mail;
using Ehr.Platform.Errors;
using Ehr.Platform.Locations;
using PhoneNumbers;

namespace Ehr.Clinical.Patients;

/// <summary>
/// Checks a <see cref="PatientInput"/> completely and reports every problem at once, each with its field path
/// (<c>input.telecom[1].value</c>), so a form can mark all of them. Nothing is stored unless this passes.
/// </summary>
public sealed class PatientValidator(LocationDirectory locations, TimeProvider clock)
{
    public const int MaxName = 100;
    public const int MaxTelecom = 10;
    public const int MaxIdentifiers = 20;
    public static readonly DateOnly EarliestBirthDate = new(1880, 1, 1);
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();
    private static readonly string[] PhoneUses = ["home", "work", "mobile"];

    /// <summary>Region for numbers written without a country code.</summary>
    public string DefaultRegion { get; init; } = "US";

    internal async Task<ValidPatient> ValidateAsync(PatientInput? input, string path, CancellationToken ct)
    {
        var errors = new List<FieldError>();
        if (input is null)
        {
            throw EhrException.Validation([new FieldError(path, ErrorCodes.Required, "Patient details are required.")]);
        }

        var given = Text(input.Name?.Given, $"{path}.name.given", MaxName, required: true, errors);
        var family = Text(input.Name?.Family, $"{path}.name.family", MaxName, required: true, errors);
        if (input.Name is null)
        {
            errors.RemoveAll(e => e.Path.StartsWith($"{path}.name.", StringComparison.Ordinal));
            errors.Add(new FieldError($"{path}.name", ErrorCodes.Required, "A name with given and family parts is required."));
        }

        var preferred = Text(input.Name?.Preferred, $"{path}.name.preferred", MaxName, required: false, errors);
        var birthDate = BirthDate(input.BirthDate, $"{path}.birthDate", errors);
        var sex = Sex(input.AdministrativeSex, $"{path}.administrativeSex", errors);
        var gender = Text(input.GenderIdentity, $"{path}.genderIdentity", MaxName, required: false, errors);
        var telecom = Telecom(input.Telecom ?? [], $"{path}.telecom", errors);
        var address = Address(input.Address, $"{path}.address", errors);
        var identifiers = Identifiers(input.Identifiers ?? [], $"{path}.identifiers", errors);

        if (input.HomeLocationId is { } locationId)
        {
            var known = await locations.ActiveAmongAsync([locationId], ct);
            if (!known.Contains(locationId))
            {
                errors.Add(new FieldError($"{path}.homeLocationId", ErrorCodes.UnknownReference,
                    "No active location has this id in this tenant."));
            }
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        return new ValidPatient(given!, family!, preferred, birthDate!.Value, sex!.Value, gender, telecom, address,
            identifiers, input.HomeLocationId, input.Active ?? true);
    }

    private static string? Text(string? value, string path, int max, bool required, List<FieldError> errors)
    {
        var trimmed = string.IsNullOrWhiteSpace(value) ? null : value.Trim();
        if (trimmed is null)
        {
            if (required)
            {
                errors.Add(new FieldError(path, ErrorCodes.Required, "This field is required."));
            }

            return null;
        }

        if (trimmed.Length > max)
        {
            errors.Add(new FieldError(path, ErrorCodes.TooLong, $"At most {max} characters."));
            return null;
        }

        if (trimmed.Any(char.IsControl))
        {
            errors.Add(new FieldError(path, ErrorCodes.InvalidFormat, "Control characters are not allowed."));
            return null;
        }

        return trimmed;
    }

    private DateOnly? BirthDate(string? value, string path, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "A birth date (YYYY-MM-DD) is required."));
            return null;
        }

        if (!DateOnly.TryParseExact(value.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            errors.Add(new FieldError(path, ErrorCodes.InvalidFormat, $"'{value}' is not a calendar date in the form YYYY-MM-DD."));
            return null;
        }

        // Anywhere on Earth it is at most UTC+14: a date after that "today" is in the future everywhere.
        var latest = DateOnly.FromDateTime(clock.GetUtcNow().AddHours(14).UtcDateTime);
        if (date > latest)
        {
            errors.Add(new FieldError(path, ErrorCodes.OutOfRange, "A birth date cannot be in the future."));
            return null;
        }

        if (date < EarliestBirthDate)
        {
            errors.Add(new FieldError(path, ErrorCodes.OutOfRange, $"A birth date before {EarliestBirthDate:yyyy-MM-dd} is not plausible."));
            return null;
        }

        return date;
    }

    private static AdministrativeSex? Sex(string? value, string path, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "Administrative sex is required (male, female, other or unknown)."));
            return null;
        }

        if (Enum.TryParse<AdministrativeSex>(value.Trim(), ignoreCase: true, out var sex) && Enum.IsDefined(sex) &&
            !value.Trim().All(char.IsDigit))
        {
            return sex;
        }

        errors.Add(new FieldError(path, ErrorCodes.InvalidFormat, "Use male, female, other or unknown."));
        return null;
    }

    private List<ContactPoint> Telecom(IReadOnlyList<ContactPointInput> items, string path, List<FieldError> errors)
    {
        var result = new List<ContactPoint>();
        if (items.Count > MaxTelecom)
        {
            errors.Add(new FieldError(path, ErrorCodes.OutOfRange, $"At most {MaxTelecom} contact points."));
            return result;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var at = $"{path}[{i}]";
            var system = item?.System?.Trim().ToLowerInvariant();
            var use = string.IsNullOrWhiteSpace(item?.Use) ? null : item.Use.Trim().ToLowerInvariant();
            if (use is not null && !PhoneUses.Contains(use))
            {
                errors.Add(new FieldError($"{at}.use", ErrorCodes.InvalidFormat, "Use home, work or mobile."));
            }

            var value = Text(item?.Value, $"{at}.value", 254, required: true, errors);
            switch (system)
            {
                case "phone":
                    if (value is not null && Phone(value) is { } e164)
                    {
                        result.Add(new ContactPoint("phone", e164, use));
                    }
                    else if (value is not null)
                    {
                        errors.Add(new FieldError($"{at}.value", ErrorCodes.InvalidFormat, $"'{value}' is not a valid phone number."));
                    }

                    break;
                case "email":
                    if (value is not null && IsEmail(value))
                    {
                        result.Add(new ContactPoint("email", value.ToLowerInvariant(), use));
                    }
                    else if (value is not null)
                    {
                        errors.Add(new FieldError($"{at}.value", ErrorCodes.InvalidFormat, $"'{value}' is not a valid e-mail address."));
                    }

                    break;
                default:
                    errors.Add(new FieldError($"{at}.system", system is null ? ErrorCodes.Required : ErrorCodes.InvalidFormat,
                        "Use phone or email."));
                    break;
            }
        }

        return result;
    }

    /// <summary>A phone number in E.164, or null when it is not a valid number.</summary>
    public string? Phone(string value)
    {
        try
        {
            var number = Phones.Parse(value, DefaultRegion);
            return Phones.IsValidNumber(number) ? Phones.Format(number, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    private static bool IsEmail(string value) =>
        value.Length <= 254 && MailAddress.TryCreate(value, out var address) && address.Address == value &&
        address.Host.Contains('.', StringComparison.Ordinal) && !address.Host.EndsWith('.') && address.DisplayName.Length == 0;

    private static PostalAddress? Address(AddressInput? input, string path, List<FieldError> errors)
    {
        if (input is null)
        {
            return null;
        }

        var address = new PostalAddress(
            Text(input.Line1, $"{path}.line1", 200, false, errors),
            Text(input.Line2, $"{path}.line2", 200, false, errors),
            Text(input.City, $"{path}.city", 100, false, errors),
            Text(input.State, $"{path}.state", 100, false, errors),
            Text(input.PostalCode, $"{path}.postalCode", 20, false, errors),
            Text(input.Country, $"{path}.country", 100, false, errors));
        return address == new PostalAddress(null, null, null, null, null, null) ? null : address;
    }

    private static List<ExternalIdentifier> Identifiers(IReadOnlyList<IdentifierInput> items, string path, List<FieldError> errors)
    {
        var result = new List<ExternalIdentifier>();
        if (items.Count > MaxIdentifiers)
        {
            errors.Add(new FieldError(path, ErrorCodes.OutOfRange, $"At most {MaxIdentifiers} identifiers."));
            return result;
        }

        for (var i = 0; i < items.Count; i++)
        {
            var system = Text(items[i]?.System, $"{path}[{i}].system", 200, true, errors);
            var value = Text(items[i]?.Value, $"{path}[{i}].value", 100, true, errors);
            if (system is null || value is null)
            {
                continue;
            }

            var id = new ExternalIdentifier(system, value);
            if (result.Contains(id))
            {
                errors.Add(new FieldError($"{path}[{i}]", ErrorCodes.Duplicate, "This identifier is listed twice."));
                continue;
            }

            result.Add(id);
        }

        return result;
    }
}
