using Ehr.Platform.Errors;

namespace Ehr.Clinical.Patients;

/// <summary>FHIR AdministrativeGender: the sex used for administration, not gender identity.</summary>
public enum AdministrativeSex
{
    Male,
    Female,
    Other,
    Unknown,
}

public sealed record ContactPoint(string System, string Value, string? Use);

public sealed record PostalAddress(string? Line1, string? Line2, string? City, string? State, string? PostalCode, string? Country);

public sealed record ExternalIdentifier(string System, string Value);

/// <summary>
/// A person whose chart this tenant keeps. Shared by all the tenant's locations; identified inside the tenant by a
/// medical record number the system assigns. Changes go through <see cref="Revise"/>, which checks the version the
/// caller saw, so a stale edit is refused rather than silently overwriting someone else's.
/// </summary>
public sealed class Patient
{
    private Patient()
    {
    }

    public Guid Id { get; private set; }

    public string Mrn { get; private set; } = "";

    public string GivenNames { get; private set; } = "";

    public string FamilyName { get; private set; } = "";

    public string? PreferredName { get; private set; }

    public DateOnly BirthDate { get; private set; }

    public AdministrativeSex AdministrativeSex { get; private set; }

    public string? GenderIdentity { get; private set; }

    public IReadOnlyList<ContactPoint> Telecom { get; private set; } = [];

    public PostalAddress? Address { get; private set; }

    public IReadOnlyList<ExternalIdentifier> Identifiers { get; private set; } = [];

    public Guid? HomeLocationId { get; private set; }

    public bool Active { get; private set; }

    /// <summary><c>vip</c>, <c>employee</c> or <c>sensitive</c>: only the care team may read the record (others break the glass); null for none.</summary>
    public string? Restriction { get; private set; }

    /// <summary>User ids who may read the record when it is restricted.</summary>
    public string[] CareTeam { get; private set; } = [];

    /// <summary>Starts at 1 and grows by one with every change; updates must name the version they were based on.</summary>
    public int Version { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>Lowercased " family given preferred", with a leading space so word prefixes match <c>'% smi%'</c>.</summary>
    public string SearchName { get; private set; } = "";

    /// <summary>Family then given names, lowercased: the stable sort order of search results.</summary>
    public string SortKey { get; private set; } = "";

    /// <summary>The phone numbers in E.164, for exact search.</summary>
    public string[] PhoneNumbers { get; private set; } = [];

    internal static Patient Register(string mrn, ValidPatient data, DateTimeOffset now)
    {
        var patient = new Patient { Id = Guid.CreateVersion7(), Mrn = mrn, Version = 1, CreatedAt = now };
        patient.Apply(data, now);
        return patient;
    }

    /// <summary>Replaces the demographics; refuses with <c>VERSION_CONFLICT</c> unless <paramref name="expectedVersion"/> is current.</summary>
    internal IReadOnlyList<string> Revise(int expectedVersion, ValidPatient data, DateTimeOffset now)
    {
        if (expectedVersion != Version)
        {
            throw EhrException.VersionConflict("Patient " + Mrn, expectedVersion, Version);
        }

        var changed = ChangedFields(data);
        if (changed.Count > 0)
        {
            Apply(data, now);
            Version++;
        }

        return changed;
    }

    public static readonly IReadOnlyList<string> Restrictions = ["vip", "employee", "sensitive"];

    /// <summary>Sets the restriction and the care team; refuses with <c>VERSION_CONFLICT</c> unless <paramref name="expectedVersion"/> is current.</summary>
    internal bool Restrict(int expectedVersion, string? restriction, string[] careTeam, DateTimeOffset now)
    {
        if (expectedVersion != Version)
        {
            throw EhrException.VersionConflict("Patient " + Mrn, expectedVersion, Version);
        }

        if (Restriction == restriction && CareTeam.SequenceEqual(careTeam))
        {
            return false;
        }

        Restriction = restriction;
        CareTeam = careTeam;
        Version++;
        UpdatedAt = now;
        return true;
    }

    private List<string> ChangedFields(ValidPatient d)
    {
        var changed = new List<string>();
        void Check(string name, bool same)
        {
            if (!same)
            {
                changed.Add(name);
            }
        }

        Check("name.given", GivenNames == d.GivenNames);
        Check("name.family", FamilyName == d.FamilyName);
        Check("name.preferred", PreferredName == d.PreferredName);
        Check("birthDate", BirthDate == d.BirthDate);
        Check("administrativeSex", AdministrativeSex == d.AdministrativeSex);
        Check("genderIdentity", GenderIdentity == d.GenderIdentity);
        Check("telecom", Telecom.SequenceEqual(d.Telecom));
        Check("address", Address == d.Address);
        Check("identifiers", Identifiers.SequenceEqual(d.Identifiers));
        Check("homeLocationId", HomeLocationId == d.HomeLocationId);
        Check("active", Active == d.Active);
        return changed;
    }

    private void Apply(ValidPatient d, DateTimeOffset now)
    {
        GivenNames = d.GivenNames;
        FamilyName = d.FamilyName;
        PreferredName = d.PreferredName;
        BirthDate = d.BirthDate;
        AdministrativeSex = d.AdministrativeSex;
        GenderIdentity = d.GenderIdentity;
        Telecom = d.Telecom;
        Address = d.Address;
        Identifiers = d.Identifiers;
        HomeLocationId = d.HomeLocationId;
        Active = d.Active;
        UpdatedAt = now;
        SearchName = PatientNames.SearchText(FamilyName, GivenNames, PreferredName);
        SortKey = PatientNames.Normalize(FamilyName + " " + GivenNames);
        PhoneNumbers = Telecom.Where(t => t.System == "phone").Select(t => t.Value).Distinct().ToArray();
    }
}

/// <summary>Demographics that passed validation, normalised (trimmed, phones in E.164).</summary>
internal sealed record ValidPatient(
    string GivenNames,
    string FamilyName,
    string? PreferredName,
    DateOnly BirthDate,
    AdministrativeSex AdministrativeSex,
    string? GenderIdentity,
    IReadOnlyList<ContactPoint> Telecom,
    PostalAddress? Address,
    IReadOnlyList<ExternalIdentifier> Identifiers,
    Guid? HomeLocationId,
    bool Active);

internal static class PatientNames
{
    public static string Normalize(string text) =>
        string.Join(' ', text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    public static string SearchText(string family, string given, string? preferred) =>
        " " + Normalize($"{family} {given} {preferred}");
}
