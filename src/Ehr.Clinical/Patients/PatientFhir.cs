using System.Globalization;
using Hl7.Fhir.Serialization;
using R4 = Hl7.Fhir.Model;

namespace Ehr.Clinical.Patients;

/// <summary>
/// Our patient as a FHIR R4 Patient: one mapping for the FHIR API (Ehr.Interop) and for launch contexts
/// (<c>%patient</c> in forms and note templates, <see cref="PatientLaunchContext"/>). Reading a FHIR Patient into our
/// input stays with the FHIR API, which is the only place that accepts one.
/// </summary>
public static class PatientFhir
{
    /// <summary>The medical record number's identifier system.</summary>
    public const string MrnSystem = "https://ehr-saas.org/fhir/sid/mrn";

    /// <summary>Extension naming the patient's home location (a Location id of the tenant).</summary>
    public const string HomeLocationExtension = "https://ehr-saas.org/fhir/StructureDefinition/home-location";

    private const string Confidentiality = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";

    public static R4.Patient ToFhir(Patient patient)
    {
        var resource = new R4.Patient
        {
            Id = patient.Id.ToString(),
            Meta = new R4.Meta { VersionId = patient.Version.ToString(CultureInfo.InvariantCulture), LastUpdated = patient.UpdatedAt },
            Active = patient.Active,
            BirthDate = patient.BirthDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            Gender = patient.AdministrativeSex switch
            {
                AdministrativeSex.Male => R4.AdministrativeGender.Male,
                AdministrativeSex.Female => R4.AdministrativeGender.Female,
                AdministrativeSex.Other => R4.AdministrativeGender.Other,
                _ => R4.AdministrativeGender.Unknown,
            },
        };
        if (patient.Restriction is not null)
        {
            // Restricted records are labelled as such (HL7 confidentiality R), never explained.
            resource.Meta.Security.Add(new R4.Coding(Confidentiality, "R", "restricted"));
        }

        resource.Identifier.Add(new R4.Identifier(MrnSystem, patient.Mrn)
        {
            Use = R4.Identifier.IdentifierUse.Usual,
            Type = new R4.CodeableConcept("http://terminology.hl7.org/CodeSystem/v2-0203", "MR", "Medical record number"),
        });
        resource.Identifier.AddRange(patient.Identifiers.Select(i => new R4.Identifier(i.System, i.Value)));
        resource.Name.Add(new R4.HumanName
        {
            Use = R4.HumanName.NameUse.Official,
            Family = patient.FamilyName,
            Given = patient.GivenNames.Split(' ', StringSplitOptions.RemoveEmptyEntries),
        });
        if (patient.PreferredName is { } preferred)
        {
            resource.Name.Add(new R4.HumanName { Use = R4.HumanName.NameUse.Usual, Given = [preferred] });
        }

        resource.Telecom.AddRange(patient.Telecom.Select(t => new R4.ContactPoint(
            t.System == "email" ? R4.ContactPoint.ContactPointSystem.Email : R4.ContactPoint.ContactPointSystem.Phone,
            t.Use switch
            {
                "home" => R4.ContactPoint.ContactPointUse.Home,
                "work" => R4.ContactPoint.ContactPointUse.Work,
                "mobile" => R4.ContactPoint.ContactPointUse.Mobile,
                _ => null,
            },
            t.Value)));
        if (patient.Address is { } address)
        {
            resource.Address.Add(new R4.Address
            {
                Line = new[] { address.Line1, address.Line2 }.Where(l => !string.IsNullOrEmpty(l)).Select(l => l!).ToList(),
                City = address.City,
                State = address.State,
                PostalCode = address.PostalCode,
                Country = address.Country,
            });
        }

        if (patient.HomeLocationId is { } home)
        {
            resource.Extension.Add(new R4.Extension(HomeLocationExtension, new R4.ResourceReference("Location/" + home)));
        }

        return resource;
    }

    /// <summary>The FHIR R4 Patient as JSON.</summary>
    public static string ToJson(Patient patient) => Serializer.SerializeToString(ToFhir(patient));

    private static readonly FhirJsonSerializer Serializer = new();
}
