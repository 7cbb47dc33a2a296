using System.Globalization;
using Ehr.Clinical.Patients;
using Ehr.Platform.Errors;
using R4 = Hl7.Fhir.Model;

namespace Ehr.Interop.Fhir.Patients;

/// <summary>A FHIR Patient as our input (every check stays in the use case); our patient as FHIR is <see cref="PatientFhir"/>, shared with launch contexts.</summary>
internal static class PatientMapping
{
    /// <summary>The medical record number's identifier system.</summary>
    public const string MrnSystem = PatientFhir.MrnSystem;

    /// <summary>Extension naming the patient's home location (a Location id of the tenant).</summary>
    public const string HomeLocationExtension = PatientFhir.HomeLocationExtension;

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
