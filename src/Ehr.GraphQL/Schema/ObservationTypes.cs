using Ehr.Clinical.Observations;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

internal sealed class ObservationType : ObjectGraphType<Observation>
{
    public ObservationType()
    {
        Name = "Observation";
        this.ProjectsParent();
        Description = "A measurement or answer in a patient's chart (FHIR Observation): one coded value at a time.";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<IdGraphType>>("patientId").Resolve(c => c.Source.PatientId);
        Field<NonNullGraphType<StringGraphType>>("status").Description("final or entered-in-error.").Resolve(c => c.Source.Status);
        Field<NonNullGraphType<CodingType>>("code").Description("What was observed, e.g. LOINC 44261-6 (PHQ-9 total score).").Resolve(c => c.Source.CodeValue);
        Field<NonNullGraphType<ObservationValueType_>>("value").Resolve(c => c.Source.Value);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("effectiveAt").Description("When it was true of the patient.").Resolve(c => c.Source.EffectiveAt);
        Field<StringGraphType>("derivedFrom").Description("What produced it, e.g. QuestionnaireResponse/<id>; null when entered directly.").Resolve(c => c.Source.DerivedFrom);
        Field<StringGraphType>("derivedFromItem").Description("The questionnaire item's link id it was extracted from.").Resolve(c => c.Source.DerivedFromItem);
        Field<NonNullGraphType<StringGraphType>>("recordedBy").Resolve(c => c.Source.RecordedBy);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("recordedAt").Resolve(c => c.Source.RecordedAt);
        Field<StringGraphType>("errorReason").Description("Why it was marked entered-in-error.").Resolve(c => c.Source.ErrorReason);
        Field<NonNullGraphType<IntGraphType>>("version").Description("Send it back as expectedVersion when correcting.").Resolve(c => c.Source.Version);
    }
}

internal sealed class CodingType : ObjectGraphType<Coding>
{
    public CodingType()
    {
        Name = "Coding";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("system").Description("The code system's URI, e.g. http://loinc.org.").Resolve(c => c.Source.System);
        Field<NonNullGraphType<StringGraphType>>("code").Resolve(c => c.Source.Code);
        Field<StringGraphType>("display").Resolve(c => c.Source.Display);
    }
}

// The trailing underscore keeps the C# name apart from Ehr.Clinical.Observations.ObservationValueType (the enum).
internal sealed class ObservationValueType_ : ObjectGraphType<ObservationValue>
{
    public ObservationValueType_()
    {
        Name = "ObservationValue";
        this.ProjectsParent();
        Description = "Exactly one value[x] is set, the one named by type.";
        Field<NonNullGraphType<StringGraphType>>("type").Description("quantity, integer, string, boolean, coding or datetime.")
            .Resolve(c => c.Source.Type.ToString().ToLowerInvariant());
        Field<QuantityType>("valueQuantity").Resolve(c => c.Source.QuantityValue is null ? null : c.Source);
        Field<IntGraphType>("valueInteger").Resolve(c => c.Source.IntegerValue);
        Field<StringGraphType>("valueString").Resolve(c => c.Source.StringValue);
        Field<BooleanGraphType>("valueBoolean").Resolve(c => c.Source.BooleanValue);
        Field<CodingType>("valueCoding").Resolve(c => c.Source.CodingValue);
        Field<DateTimeOffsetGraphType>("valueDateTime").Resolve(c => c.Source.DateTimeValue);
    }
}

internal sealed class QuantityType : ObjectGraphType<ObservationValue>
{
    public QuantityType()
    {
        Name = "Quantity";
        this.ProjectsParent();
        Field<NonNullGraphType<DecimalGraphType>>("value").Resolve(c => c.Source.QuantityValue);
        Field<StringGraphType>("unit").Description("As shown to people, e.g. mmHg.").Resolve(c => c.Source.Unit);
        Field<StringGraphType>("code").Description("UCUM code, e.g. mm[Hg].").Resolve(c => c.Source.UnitCode);
    }
}

internal sealed class ObservationConnectionType : ObjectGraphType<ObservationPage>
{
    public ObservationConnectionType()
    {
        Name = "ObservationConnection";
        this.ProjectsParent();
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ObservationType>>>>("nodes").Resolve(c => c.Source.Nodes);
        Field<NonNullGraphType<PageInfoType>>("pageInfo").Resolve(c => new PageInfo(c.Source.HasNextPage, c.Source.EndCursor));
    }
}

internal sealed class ObservationInputType : InputObjectGraphType<ObservationInput>
{
    public ObservationInputType()
    {
        Name = "ObservationInput";
        Description = "Checked completely on the server; every problem comes back as VALIDATION_FAILED with its field path.";
        Field<IdGraphType>("patientId").Description("Required.");
        Field<CodingInputType>("code").Description("Required: system (a URI) and code.");
        Field<ObservationValueInputType>("value").Description("Required: exactly one value[x].");
        Field<DateTimeOffsetGraphType>("effectiveAt").Description("When it was true of the patient; defaults to now, never in the future.");
    }
}

internal sealed class CodingInputType : InputObjectGraphType<CodingInput>
{
    public CodingInputType()
    {
        Name = "CodingInput";
        Field<StringGraphType>("system");
        Field<StringGraphType>("code");
        Field<StringGraphType>("display");
    }
}

internal sealed class ObservationValueInputType : InputObjectGraphType<ObservationValueInput>
{
    public ObservationValueInputType()
    {
        Name = "ObservationValueInput";
        Field<QuantityInputType>("valueQuantity");
        Field<IntGraphType>("valueInteger");
        Field<StringGraphType>("valueString");
        Field<BooleanGraphType>("valueBoolean");
        Field<CodingInputType>("valueCoding");
        Field<DateTimeOffsetGraphType>("valueDateTime");
    }
}

internal sealed class QuantityInputType : InputObjectGraphType<QuantityInput>
{
    public QuantityInputType()
    {
        Name = "QuantityInput";
        Field<DecimalGraphType>("value");
        Field<StringGraphType>("unit");
        Field<StringGraphType>("code").Description("UCUM code.");
    }
}
