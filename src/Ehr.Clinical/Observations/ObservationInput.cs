using Ehr.Platform.Errors;

namespace Ehr.Clinical.Observations;

/// <summary>An observation as a client sends it; checked completely by <see cref="ObservationValidator"/>.</summary>
public sealed record ObservationInput(Guid? PatientId, CodingInput? Code, ObservationValueInput? Value, DateTimeOffset? EffectiveAt = null);

public sealed record CodingInput(string? System, string? Code, string? Display = null);

/// <summary>Exactly one member is set: the value's type is the member's.</summary>
public sealed record ObservationValueInput(
    QuantityInput? ValueQuantity = null,
    int? ValueInteger = null,
    string? ValueString = null,
    bool? ValueBoolean = null,
    CodingInput? ValueCoding = null,
    DateTimeOffset? ValueDateTime = null);

/// <summary>A number with its unit; <c>Code</c> is the UCUM code when there is one (<c>kg</c>, <c>mm[Hg]</c>, <c>{score}</c>).</summary>
public sealed record QuantityInput(decimal? Value, string? Unit = null, string? Code = null);

/// <summary>An observation that passed validation (what the entity is made from).</summary>
internal sealed record ValidObservation(Coding Code, ObservationValue Value, DateTimeOffset? EffectiveAt, string? DerivedFrom, string? DerivedFromItem);

/// <summary>Reports every problem of an observation at once, each with its field path; nothing is stored unless it passes.</summary>
public sealed class ObservationValidator(TimeProvider clock)
{
    public const int MaxText = 2000;
    public const int MaxCode = 200;

    /// <summary>How far in the future an effective time may be (clock skew between a device and us).</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(5);

    internal ValidObservation Validate(ObservationInput? input, string path, string? derivedFrom = null, string? derivedFromItem = null)
    {
        if (input is null)
        {
            throw EhrException.Validation([new FieldError(path, ErrorCodes.Required, "The observation is required.")]);
        }

        var errors = new List<FieldError>();
        if (input.PatientId is null || input.PatientId == Guid.Empty)
        {
            errors.Add(new FieldError($"{path}.patientId", ErrorCodes.Required, "The patient is required."));
        }

        var code = Code(input.Code, $"{path}.code", errors);
        var value = Value(input.Value, $"{path}.value", errors);
        if (input.EffectiveAt is { } effective && effective > clock.GetUtcNow() + FutureTolerance)
        {
            errors.Add(new FieldError($"{path}.effectiveAt", ErrorCodes.OutOfRange, "The effective time is in the future."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        return new ValidObservation(code!, value!, input.EffectiveAt, derivedFrom, derivedFromItem);
    }

    private static Coding? Code(CodingInput? input, string path, List<FieldError> errors)
    {
        if (input is null)
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "A code (system and code, e.g. LOINC) is required."));
            return null;
        }

        var before = errors.Count;
        var system = Text(input.System, $"{path}.system", MaxCode, errors);
        if (system is not null && !Uri.TryCreate(system, UriKind.Absolute, out _) && !system.StartsWith("urn:", StringComparison.Ordinal))
        {
            errors.Add(new FieldError($"{path}.system", ErrorCodes.InvalidFormat, "The code system is a URI, e.g. http://loinc.org."));
        }

        var code = Text(input.Code, $"{path}.code", MaxCode, errors);

        var display = Optional(input.Display, $"{path}.display", MaxText, errors);
        return errors.Count == before ? new Coding(system!, code!, display) : null;
    }

    private static ObservationValue? Value(ObservationValueInput? input, string path, List<FieldError> errors)
    {
        var set = input is null
            ? 0
            : new object?[] { input.ValueQuantity, input.ValueInteger, input.ValueString, input.ValueBoolean, input.ValueCoding, input.ValueDateTime }.Count(v => v is not null);
        if (input is null || set == 0)
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "A value is required: one of valueQuantity, valueInteger, valueString, valueBoolean, valueCoding, valueDateTime."));
            return null;
        }

        if (set > 1)
        {
            errors.Add(new FieldError(path, ErrorCodes.InvalidFormat, "Give exactly one of valueQuantity, valueInteger, valueString, valueBoolean, valueCoding, valueDateTime."));
            return null;
        }

        if (input.ValueQuantity is { } quantity)
        {
            if (quantity.Value is not { } number)
            {
                errors.Add(new FieldError($"{path}.valueQuantity.value", ErrorCodes.Required, "The quantity's number is required."));
                return null;
            }

            var unit = Optional(quantity.Unit, $"{path}.valueQuantity.unit", MaxCode, errors);
            var unitCode = Optional(quantity.Code, $"{path}.valueQuantity.code", MaxCode, errors);
            return ObservationValue.OfQuantity(number, unit, unitCode);
        }

        if (input.ValueString is { } text)
        {
            var value = Text(text, $"{path}.valueString", MaxText, errors);
            return value is null ? null : ObservationValue.OfString(value);
        }

        if (input.ValueCoding is { } coding)
        {
            var value = Code(coding, $"{path}.valueCoding", errors);
            return value is null ? null : ObservationValue.OfCoding(value);
        }

        return input.ValueInteger is { } integer ? ObservationValue.OfInteger(integer)
            : input.ValueBoolean is { } boolean ? ObservationValue.OfBoolean(boolean)
            : ObservationValue.OfDateTime(input.ValueDateTime!.Value);
    }

    private static string? Text(string? value, string path, int max, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new FieldError(path, ErrorCodes.Required, "Required."));
            return null;
        }

        return Optional(value, path, max, errors);
    }

    private static string? Optional(string? value, string path, int max, List<FieldError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var trimmed = value.Trim();
        if (trimmed.Length > max)
        {
            errors.Add(new FieldError(path, ErrorCodes.TooLong, $"At most {max} characters."));
            return null;
        }

        return trimmed;
    }
}
