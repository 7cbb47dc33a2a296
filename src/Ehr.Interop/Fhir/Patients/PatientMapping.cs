using System.Globalization;
using Ehr.Clinical.Patients;
using Ehr.Platform.Errors;
using R4 = Hl7.Fhir.Model;

namespace Ehr.Interop.Fhir.Patients;

/// <summary>Our patient as a FHIR R4 Patient, and a FHIR Patient as our input (every check stays in the use case).</summary>
internal static class PatientMapping
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

    /// <summary>Runs a patient use case, naming its field problems as FHIR elements (<c>input.birthDate</c> becomes <c>Patient.birthDate</c>).</summary>
    public static async Task<T> InFhirTerms<T>(Func<Task<T>> useCase)
    {
        try
        {
            return await useCase();
        }
        catch (EhrException e) when (e.FieldErrors.Count > 0)
        {
            throw new EhrException(e.Code, e.Message, e.HttpStatus, e.FieldErrors.Select(f => f with { Path = Element(f.Path) }).ToList());
        }
    }

    private static string Element(string path)
    {
        if (!path.StartsWith("input", StringComparison.Ordinal))
        {
            return path;
        }

        var element = "Patient" + path["input".Length..];
        return element
            .Replace("Patient.administrativeSex", "Patient.gender", StringComparison.Ordinal)
            .Replace("Patient.name.preferred", "Patient.name.where(use='usual').given", StringComparison.Ordinal)
            .Replace("Patient.name.", "Patient.name.where(use='official').", StringComparison.Ordinal)
            .Replace("Patient.address.line1", "Patient.address.line[0]", StringComparison.Ordinal)
            .Replace("Patient.address.line2", "Patient.address.line[1]", StringComparison.Ordinal)
            .Replace("Patient.homeLocationId", "Patient.extension", StringComparison.Ordinal);
    }

    /// <summary>The parts of a FHIR Patient we keep; anything we cannot keep is refused by name, never dropped silently.</summary>
    public static PatientInput ToInput(R4.Patient resource)
    {
        var errors = new List<FieldError>();
        var official = resource.Name.FirstOrDefault(n => n.Use is null or R4.HumanName.NameUse.Official);
        var usual = resource.Name.FirstOrDefault(n => n.Use == R4.HumanName.NameUse.Usual);
        if (resource.Address.Count > 1)
        {
            errors.Add(new FieldError("Patient.address", ErrorCodes.OutOfRange, "One address is kept per patient."));
        }

        if (resource.Address.FirstOrDefault() is { } first && first.Line.Count() > 2)
        {
            errors.Add(new FieldError("Patient.address[0].line", ErrorCodes.OutOfRange, "At most two address lines."));
        }

        var unsupported = resource.Extension.Where(e => e.Url != HomeLocationExtension).Select(e => e.Url)
            .Concat(resource.ModifierExtension.Select(e => e.Url)).ToList();
        if (unsupported.Count > 0)
        {
            errors.Add(new FieldError("Patient.extension", ErrorCodes.InvalidFormat, "Not supported here: " + string.Join(", ", unsupported)));
        }

        Guid? home = null;
        if (resource.Extension.FirstOrDefault(e => e.Url == HomeLocationExtension)?.Value is R4.ResourceReference { Reference: { } reference })
        {
            home = reference.StartsWith("Location/", StringComparison.Ordinal) && Guid.TryParse(reference["Location/".Length..], out var id)
                ? id
                : null;
            if (home is null)
            {
                errors.Add(new FieldError("Patient.extension", ErrorCodes.InvalidFormat, "The home location is a reference Location/<id>."));
            }
        }

        if (errors.Count > 0)
        {
            throw EhrException.Validation(errors);
        }

        var address = resource.Address.FirstOrDefault();
        return new PatientInput(
            official is null ? null : new NameInput(string.Join(' ', official.Given), official.Family, usual?.Given.FirstOrDefault()),
            resource.BirthDate,
            resource.Gender?.ToString().ToLowerInvariant(),
            Telecom: resource.Telecom.Select(t => new ContactPointInput(
                t.System?.ToString().ToLowerInvariant(), t.Value, t.Use?.ToString().ToLowerInvariant())).ToList(),
            Address: address is null ? null : new AddressInput(address.Line.ElementAtOrDefault(0), address.Line.ElementAtOrDefault(1),
                address.City, address.State, address.PostalCode, address.Country),
            Identifiers: resource.Identifier.Where(i => i.System != PatientMapping.MrnSystem).Select(i => new IdentifierInput(i.System, i.Value)).ToList(),
            HomeLocationId: home,
            Active: resource.Active);
    }
}
