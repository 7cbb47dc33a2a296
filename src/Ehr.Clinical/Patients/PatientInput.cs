namespace Ehr.Clinical.Patients;

/// <summary>A patient's demographics as a client sends them (register, or replace on update). Everything is checked by <see cref="PatientValidator"/>.</summary>
public sealed record PatientInput(
    NameInput? Name,
    string? BirthDate,
    string? AdministrativeSex,
    string? GenderIdentity = null,
    IReadOnlyList<ContactPointInput>? Telecom = null,
    AddressInput? Address = null,
    IReadOnlyList<IdentifierInput>? Identifiers = null,
    Guid? HomeLocationId = null,
    bool? Active = null);

public sealed record NameInput(string? Given, string? Family, string? Preferred = null);

/// <summary><c>System</c> is <c>phone</c> or <c>email</c>; <c>Use</c> is <c>home</c>, <c>work</c> or <c>mobile</c>.</summary>
public sealed record ContactPointInput(string? System, string? Value, string? Use = null);

public sealed record AddressInput(string? Line1, string? Line2, string? City, string? State, string? PostalCode, string? Country);

public sealed record IdentifierInput(string? System, string? Value);
