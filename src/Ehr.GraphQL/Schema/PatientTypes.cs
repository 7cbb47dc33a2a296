using Ehr.Clinical.Patients;
using GraphQL.Types;

namespace Ehr.GraphQL.Schema;

internal sealed class PatientType : ObjectGraphType<Patient>
{
    public PatientType()
    {
        Name = "Patient";
        this.ProjectsParent();
        Description = "A person whose chart this tenant keeps, shared by all its locations.";
        Field<NonNullGraphType<IdGraphType>>("id").Resolve(c => c.Source.Id);
        Field<NonNullGraphType<StringGraphType>>("mrn").Description("Medical record number, unique in the tenant.").Resolve(c => c.Source.Mrn);
        Field<NonNullGraphType<HumanNameType>>("name").Resolve(c => c.Source);
        Field<NonNullGraphType<StringGraphType>>("birthDate").Description("YYYY-MM-DD.")
            .Resolve(c => c.Source.BirthDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Field<NonNullGraphType<StringGraphType>>("administrativeSex").Description("male, female, other or unknown (FHIR AdministrativeGender).")
            .Resolve(c => c.Source.AdministrativeSex.ToString().ToLowerInvariant());
        Field<StringGraphType>("genderIdentity").Resolve(c => c.Source.GenderIdentity);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<ContactPointType>>>>("telecom").Resolve(c => c.Source.Telecom);
        Field<AddressType>("address").Resolve(c => c.Source.Address);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdentifierType>>>>("identifiers")
            .Description("External identifiers (the MRN is in mrn).").Resolve(c => c.Source.Identifiers);
        Field<IdGraphType>("homeLocationId").Resolve(c => c.Source.HomeLocationId);
        Field<NonNullGraphType<BooleanGraphType>>("active").Resolve(c => c.Source.Active);
        Field<StringGraphType>("restriction").Description("vip, employee or sensitive: only the care team reads this record (others break the glass); null for none.")
            .Resolve(c => c.Source.Restriction);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("careTeam").Description("User ids who may read the record when it is restricted.")
            .Resolve(c => c.Source.CareTeam);
        Field<NonNullGraphType<IntGraphType>>("version").Description("Send it back as expectedVersion when updating.").Resolve(c => c.Source.Version);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("createdAt").Resolve(c => c.Source.CreatedAt);
        Field<NonNullGraphType<DateTimeOffsetGraphType>>("updatedAt").Resolve(c => c.Source.UpdatedAt);
    }
}

internal sealed class HumanNameType : ObjectGraphType<Patient>
{
    public HumanNameType()
    {
        Name = "HumanName";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("given").Resolve(c => c.Source.GivenNames);
        Field<NonNullGraphType<StringGraphType>>("family").Resolve(c => c.Source.FamilyName);
        Field<StringGraphType>("preferred").Resolve(c => c.Source.PreferredName);
    }
}

internal sealed class ContactPointType : ObjectGraphType<ContactPoint>
{
    public ContactPointType()
    {
        Name = "ContactPoint";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("system").Description("phone or email.").Resolve(c => c.Source.System);
        Field<NonNullGraphType<StringGraphType>>("value").Description("Phones in E.164.").Resolve(c => c.Source.Value);
        Field<StringGraphType>("use").Description("home, work or mobile.").Resolve(c => c.Source.Use);
    }
}

internal sealed class AddressType : ObjectGraphType<PostalAddress>
{
    public AddressType()
    {
        Name = "Address";
        this.ProjectsParent();
        Field<StringGraphType>("line1").Resolve(c => c.Source.Line1);
        Field<StringGraphType>("line2").Resolve(c => c.Source.Line2);
        Field<StringGraphType>("city").Resolve(c => c.Source.City);
        Field<StringGraphType>("state").Resolve(c => c.Source.State);
        Field<StringGraphType>("postalCode").Resolve(c => c.Source.PostalCode);
        Field<StringGraphType>("country").Resolve(c => c.Source.Country);
    }
}

internal sealed class IdentifierType : ObjectGraphType<ExternalIdentifier>
{
    public IdentifierType()
    {
        Name = "Identifier";
        this.ProjectsParent();
        Field<NonNullGraphType<StringGraphType>>("system").Resolve(c => c.Source.System);
        Field<NonNullGraphType<StringGraphType>>("value").Resolve(c => c.Source.Value);
    }
}

internal sealed class PatientEdgeType : ObjectGraphType<PatientEdge>
{
    public PatientEdgeType()
    {
        Name = "PatientEdge";
        this.ProjectsParent();
        Field<NonNullGraphType<PatientType>>("node").Resolve(c => c.Source.Node);
        Field<NonNullGraphType<StringGraphType>>("cursor").Resolve(c => c.Source.Cursor);
    }
}

internal sealed class PatientConnectionType : ObjectGraphType<PatientPage>
{
    public PatientConnectionType()
    {
        Name = "PatientConnection";
        this.ProjectsParent();
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PatientEdgeType>>>>("edges").Resolve(c => c.Source.Edges);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<PatientType>>>>("nodes").Resolve(c => c.Source.Edges.Select(e => e.Node));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>>("restrictedMatches")
            .Description("Restricted patients that matched but that you may not read: ids only, never details. Break the glass (breakGlass) to open one.")
            .Resolve(c => c.Source.RestrictedMatches);
        Field<NonNullGraphType<PageInfoType>>("pageInfo").Resolve(c => new PageInfo(c.Source.HasNextPage, c.Source.EndCursor));
    }
}

internal sealed record PageInfo(bool HasNextPage, string? EndCursor);

internal sealed class PageInfoType : ObjectGraphType<PageInfo>
{
    public PageInfoType()
    {
        Name = "PageInfo";
        this.ProjectsParent();
        Field<NonNullGraphType<BooleanGraphType>>("hasNextPage").Resolve(c => c.Source.HasNextPage);
        Field<StringGraphType>("endCursor").Description("Pass as after to get the next page.").Resolve(c => c.Source.EndCursor);
    }
}

internal sealed class PatientInputType : InputObjectGraphType<PatientInput>
{
    public PatientInputType()
    {
        Name = "PatientInput";
        Description = "Demographics. Dates and codes are strings so every problem comes back as VALIDATION_FAILED with its field path.";
        Field<NameInputType>("name").Description("Required: given and family.");
        Field<StringGraphType>("birthDate").Description("Required: YYYY-MM-DD, not in the future.");
        Field<StringGraphType>("administrativeSex").Description("Required: male, female, other or unknown.");
        Field<StringGraphType>("genderIdentity");
        Field<ListGraphType<NonNullGraphType<ContactPointInputType>>>("telecom");
        Field<AddressInputType>("address");
        Field<ListGraphType<NonNullGraphType<IdentifierInputType>>>("identifiers");
        Field<IdGraphType>("homeLocationId");
        Field<BooleanGraphType>("active").Description("Defaults to true.");
    }
}

internal sealed class NameInputType : InputObjectGraphType<NameInput>
{
    public NameInputType()
    {
        Name = "NameInput";
        Field<StringGraphType>("given");
        Field<StringGraphType>("family");
        Field<StringGraphType>("preferred");
    }
}

internal sealed class ContactPointInputType : InputObjectGraphType<ContactPointInput>
{
    public ContactPointInputType()
    {
        Name = "ContactPointInput";
        Field<StringGraphType>("system").Description("Required: phone or email.");
        Field<StringGraphType>("value").Description("Required.");
        Field<StringGraphType>("use");
    }
}

internal sealed class AddressInputType : InputObjectGraphType<AddressInput>
{
    public AddressInputType()
    {
        Name = "AddressInput";
        Field<StringGraphType>("line1");
        Field<StringGraphType>("line2");
        Field<StringGraphType>("city");
        Field<StringGraphType>("state");
        Field<StringGraphType>("postalCode");
        Field<StringGraphType>("country");
    }
}

internal sealed class IdentifierInputType : InputObjectGraphType<IdentifierInput>
{
    public IdentifierInputType()
    {
        Name = "IdentifierInput";
        Field<StringGraphType>("system").Description("Required: the issuer's URI or name.");
        Field<StringGraphType>("value").Description("Required.");
    }
}
