namespace Ehr.Platform.Errors;

/// <summary>The stable error codes of every API. Clients switch on these; never rename one.</summary>
public static class ErrorCodes
{
    public const string ValidationFailed = "VALIDATION_FAILED";
    public const string VersionConflict = "VERSION_CONFLICT";
    public const string NotFound = "NOT_FOUND";
    public const string Unauthenticated = "UNAUTHENTICATED";
    public const string Forbidden = "FORBIDDEN";
    public const string TenantNotFound = "TENANT_NOT_FOUND";
    public const string TenantSuspended = "TENANT_SUSPENDED";
    public const string TenantMismatch = "TENANT_MISMATCH";
    public const string TenantRequired = "TENANT_REQUIRED";
    public const string Conflict = "CONFLICT";

    /// <summary>The patient's record is restricted (vip, employee, sensitive) and the caller is not on its care team: break the glass.</summary>
    public const string RestrictedRecord = "RESTRICTED_RECORD";
    public const string Internal = "INTERNAL";

    // Field-level codes used inside VALIDATION_FAILED.
    public const string Required = "REQUIRED";
    public const string TooLong = "TOO_LONG";
    public const string InvalidFormat = "INVALID_FORMAT";
    public const string OutOfRange = "OUT_OF_RANGE";
    public const string UnknownReference = "UNKNOWN_REFERENCE";
    public const string Reserved = "RESERVED";
    public const string Duplicate = "DUPLICATE";
}
