using Ehr.Platform.Errors;
using Ehr.Platform.Persistence;
using Microsoft.EntityFrameworkCore;

namespace Ehr.Clinical.Observations;

/// <summary>A code from a code system (LOINC, SNOMED CT, a tenant's own), as in FHIR's Coding.</summary>
public sealed record Coding(string System, string Code, string? Display = null);

/// <summary>The kinds of value an observation holds (FHIR Observation.value[x], the ones we keep).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720", Justification = "FHIR's data type names.")]
public enum ObservationValueType
{
    Quantity,
    Integer,
    String,
    Boolean,
    Coding,
    DateTime,
}

/// <summary>One value of one of the <see cref="ObservationValueType"/>s; exactly the member of its type is set.</summary>
public sealed record ObservationValue(
    ObservationValueType Type,
    decimal? QuantityValue = null,
    string? Unit = null,
    string? UnitCode = null,
    int? IntegerValue = null,
    string? StringValue = null,
    bool? BooleanValue = null,
    Coding? CodingValue = null,
    DateTimeOffset? DateTimeValue = null)
{
    public static ObservationValue OfQuantity(decimal value, string? unit, string? unitCode = null) => new(ObservationValueType.Quantity, QuantityValue: value, Unit: unit, UnitCode: unitCode);

    public static ObservationValue OfInteger(int value) => new(ObservationValueType.Integer, IntegerValue: value);

    public static ObservationValue OfString(string value) => new(ObservationValueType.String, StringValue: value);

    public static ObservationValue OfBoolean(bool value) => new(ObservationValueType.Boolean, BooleanValue: value);

    public static ObservationValue OfCoding(Coding value) => new(ObservationValueType.Coding, CodingValue: value);

    public static ObservationValue OfDateTime(DateTimeOffset value) => new(ObservationValueType.DateTime, DateTimeValue: value);
}

/// <summary>
/// A measurement or answer in a patient's chart. Recorded final; corrected only by marking it entered-in-error with a
/// reason (the row stays, so what was seen and acted on can always be reconstructed) and recording a new one.
/// </summary>
public sealed class Observation
{
    public const string Final = "final";
    public const string EnteredInError = "entered-in-error";

    private Observation()
    {
    }

    public Guid Id { get; private set; }

    public Guid PatientId { get; private set; }

    public string Status { get; private set; } = Final;

    public string CodeSystem { get; private set; } = "";

    public string Code { get; private set; } = "";

    public string? CodeDisplay { get; private set; }

    public string ValueType { get; private set; } = "";

    public decimal? ValueDecimal { get; private set; }

    public string? ValueUnit { get; private set; }

    public string? ValueUnitCode { get; private set; }

    public int? ValueInteger { get; private set; }

    public string? ValueString { get; private set; }

    public bool? ValueBoolean { get; private set; }

    public string? ValueCodeSystem { get; private set; }

    public string? ValueCode { get; private set; }

    public string? ValueCodeDisplay { get; private set; }

    public DateTimeOffset? ValueDatetime { get; private set; }

    public DateTimeOffset EffectiveAt { get; private set; }

    /// <summary>What produced it, as a FHIR reference (<c>QuestionnaireResponse/&lt;id&gt;</c>); null when entered directly.</summary>
    public string? DerivedFrom { get; private set; }

    /// <summary>The questionnaire item (link id) it was extracted from, when <see cref="DerivedFrom"/> is a response.</summary>
    public string? DerivedFromItem { get; private set; }

    public string RecordedBy { get; private set; } = "";

    public DateTimeOffset RecordedAt { get; private set; }

    public string? ErrorReason { get; private set; }

    public int Version { get; private set; }

    public Coding CodeValue => new(CodeSystem, Code, CodeDisplay);

    public ObservationValue Value => Enum.Parse<ObservationValueType>(ValueType, ignoreCase: true) switch
    {
        ObservationValueType.Quantity => ObservationValue.OfQuantity(ValueDecimal!.Value, ValueUnit, ValueUnitCode),
        ObservationValueType.Integer => ObservationValue.OfInteger(ValueInteger!.Value),
        ObservationValueType.String => ObservationValue.OfString(ValueString!),
        ObservationValueType.Boolean => ObservationValue.OfBoolean(ValueBoolean!.Value),
        ObservationValueType.Coding => ObservationValue.OfCoding(new Coding(ValueCodeSystem!, ValueCode!, ValueCodeDisplay)),
        _ => ObservationValue.OfDateTime(ValueDatetime!.Value),
    };

    internal static Observation Record(Guid patientId, ValidObservation valid, string recordedBy, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(),
        PatientId = patientId,
        Status = Final,
        CodeSystem = valid.Code.System,
        Code = valid.Code.Code,
        CodeDisplay = valid.Code.Display,
        ValueType = valid.Value.Type.ToString().ToLowerInvariant(),
        ValueDecimal = valid.Value.QuantityValue,
        ValueUnit = valid.Value.Unit,
        ValueUnitCode = valid.Value.UnitCode,
        ValueInteger = valid.Value.IntegerValue,
        ValueString = valid.Value.StringValue,
        ValueBoolean = valid.Value.BooleanValue,
        ValueCodeSystem = valid.Value.CodingValue?.System,
        ValueCode = valid.Value.CodingValue?.Code,
        ValueCodeDisplay = valid.Value.CodingValue?.Display,
        ValueDatetime = valid.Value.DateTimeValue,
        EffectiveAt = valid.EffectiveAt ?? now,
        DerivedFrom = valid.DerivedFrom,
        DerivedFromItem = valid.DerivedFromItem,
        RecordedBy = recordedBy,
        RecordedAt = now,
        Version = 1,
    };

    internal void MarkEnteredInError(int expectedVersion, string reason)
    {
        if (Version != expectedVersion)
        {
            throw EhrException.VersionConflict("Observation " + Id, expectedVersion, Version);
        }

        if (Status == EnteredInError)
        {
            throw new EhrException(ErrorCodes.Conflict, $"Observation {Id} is already marked entered-in-error.", 409);
        }

        Status = EnteredInError;
        ErrorReason = reason;
        Version++;
    }
}

internal sealed class ObservationModel : ITenantModelConfiguration
{
    public void Configure(ModelBuilder modelBuilder) =>
        modelBuilder.Entity<Observation>(e =>
        {
            e.ToTable("observations");
            e.HasKey(o => o.Id);
            e.Property(o => o.Version).IsConcurrencyToken();
            e.Ignore(o => o.CodeValue);
            e.Ignore(o => o.Value);
        });
}
