using System.Globalization;
using Ehr.Clinical.Observations;
using Ehr.Platform.Errors;
using R4 = Hl7.Fhir.Model;

namespace Ehr.Interop.Fhir.Observations;

/// <summary>Our observation as a FHIR R4 Observation, and a FHIR Observation as our input.</summary>
internal static class ObservationMapping
{
    private const string Ucum = "http://unitsofmeasure.org";

    public static R4.Observation ToFhir(Observation observation)
    {
        var resource = new R4.Observation
        {
            Id = observation.Id.ToString(),
            Meta = new R4.Meta { VersionId = observation.Version.ToString(CultureInfo.InvariantCulture), LastUpdated = observation.RecordedAt },
            Status = observation.Status == Observation.EnteredInError ? R4.ObservationStatus.EnteredInError : R4.ObservationStatus.Final,
            Code = new R4.CodeableConcept(observation.CodeSystem, observation.Code, observation.CodeDisplay),
            Subject = new R4.ResourceReference("Patient/" + observation.PatientId),
            Effective = new R4.FhirDateTime(observation.EffectiveAt),
            Issued = observation.RecordedAt,
            Value = observation.Value switch
            {
                { Type: ObservationValueType.Quantity } v => new R4.Quantity
                {
                    Value = v.QuantityValue, Unit = v.Unit, Code = v.UnitCode, System = v.UnitCode is null ? null : Ucum,
                },
                { Type: ObservationValueType.Integer } v => new R4.Integer(v.IntegerValue),
                { Type: ObservationValueType.String } v => new R4.FhirString(v.StringValue),
                { Type: ObservationValueType.Boolean } v => new R4.FhirBoolean(v.BooleanValue),
                { Type: ObservationValueType.Coding } v => new R4.CodeableConcept(v.CodingValue!.System, v.CodingValue.Code, v.CodingValue.Display),
                var v => new R4.FhirDateTime(v.DateTimeValue!.Value),
            },
        };
        if (observation.DerivedFrom is { } source)
        {
            resource.DerivedFrom.Add(new R4.ResourceReference(source));
        }

        if (observation.ErrorReason is { } reason)
        {
            resource.Note.Add(new R4.Annotation { Text = new R4.Markdown("Entered in error: " + reason) });
        }

        return resource;
    }

    public static ObservationInput ToInput(R4.Observation resource)
    {
        var errors = new List<FieldError>();
        if (resource.Status is not (null or R4.ObservationStatus.Final))
        {
            errors.Add(new FieldError("Observation.status", ErrorCodes.InvalidFormat, "Only final observations are recorded here."));
        }

        Guid? patient = null;
        var subject = resource.Subject?.Reference;
        if (subject is null || !subject.StartsWith("Patient/", StringComparison.Ordinal) || !Guid.TryParse(subject["Patient/".Length..], out var id))
        {
            errors.Add(new FieldError("Observation.subject", ErrorCodes.Required, "The subject is a reference Patient/<id>."));
        }
        else
        {
            patient = id;
        }

        if (resource.Code?.Coding is not [var coding])
        {
            errors.Add(new FieldError("Observation.code", ErrorCodes.InvalidFormat, "The code has exactly one coding (system and code)."));
            coding = null;
        }

        DateTimeOffset? effective = null;
        if (resource.Effective is R4.FhirDateTime when)
        {
            effective = when.TryToDateTimeOffset(out var at) ? at
                : Add(errors, new FieldError("Observation.effectiveDateTime", ErrorCodes.InvalidFormat, "A date and time with its offset."));
        }
        else if (resource.Effective is not null)
        {
            errors.Add(new FieldError("Observation.effective[x]", ErrorCodes.InvalidFormat, "Only effectiveDateTime is supported."));
        }

        var value = resource.Value switch
        {
            null => null,
            R4.Quantity q => new ObservationValueInput(ValueQuantity: new QuantityInput(q.Value, q.Unit, q.Code)),
            R4.Integer i => new ObservationValueInput(ValueInteger: i.Value),
            R4.FhirString s => new ObservationValueInput(ValueString: s.Value),
            R4.FhirBoolean b => new ObservationValueInput(ValueBoolean: b.Value),
            R4.CodeableConcept { Coding: [var c] } => new ObservationValueInput(ValueCoding: new CodingInput(c.System, c.Code, c.Display)),
            R4.FhirDateTime d when d.TryToDateTimeOffset(out var at) => new ObservationValueInput(ValueDateTime: at),
            var other => Add<ObservationValueInput>(errors, new FieldError("Observation.value[x]", ErrorCodes.InvalidFormat,
                $"value{other.TypeName} is not supported (Quantity, integer, string, boolean, CodeableConcept with one coding, dateTime).")),
        };

        if (resource.Component.Count > 0 || resource.HasMember.Count > 0)
        {
            errors.Add(new FieldError("Observation.component", ErrorCodes.InvalidFormat, "Components and members are not supported: record each value as its own observation."));
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        return new ObservationInput(patient, new CodingInput(coding!.System, coding.Code, coding.Display), value, effective);
    }

    private static T? Add<T>(List<FieldError> errors, FieldError error)
    {
        errors.Add(error);
        return default;
    }

    private static DateTimeOffset? Add(List<FieldError> errors, FieldError error)
    {
        errors.Add(error);
        return null;
    }
}
