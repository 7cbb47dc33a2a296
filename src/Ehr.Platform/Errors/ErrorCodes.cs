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

    /// <summary>The token is genuine but its person, membership or API client has been deactivated or revoked since (401).</summary>
    public const string AccessRevoked = "ACCESS_REVOKED";

    /// <summary>Too many requests for this API client; wait for <c>Retry-After</c> seconds (429).</summary>
    public const string RateLimited = "RATE_LIMITED";

    // Accounts: sign-in, MFA, invitations, memberships.
    public const string LockedOut = "LOCKED_OUT";
    public const string AccountDeactivated = "ACCOUNT_DEACTIVATED";
    public const string MfaAlreadyEnabled = "MFA_ALREADY_ENABLED";
    public const string MfaNotEnrolled = "MFA_NOT_ENROLLED";
    public const string InvitationInvalid = "INVITATION_INVALID";
    public const string InvitationExpired = "INVITATION_EXPIRED";
    public const string InvitationRevoked = "INVITATION_REVOKED";
    public const string InvitationUsed = "INVITATION_USED";
    public const string LastTenantAdmin = "LAST_TENANT_ADMIN";

    /// <summary>
    /// The e-mail belongs to a staff member of this tenant: a portal account needs an address of its own (one
    /// membership per person and tenant, and the patient role would narrow the staff member's access). Also a field
    /// code on <c>input.email</c>.
    /// </summary>
    public const string StaffMember = "STAFF_MEMBER";
    /// <summary>The caller tried to give someone a role with permissions the caller does not hold (403; fields name the roles).</summary>
    public const string RoleNotGrantable = "ROLE_NOT_GRANTABLE";

    // Workflows: the inbox and the admin acts on instances.
    /// <summary>The caller is not one of the task's assignees (its user, or a holder of its role at its location) (403).</summary>
    public const string TaskNotAssigned = "TASK_NOT_ASSIGNED";

    /// <summary>Someone else has claimed the task: only they decide it until they release it (409).</summary>
    public const string TaskClaimed = "TASK_CLAIMED";

    /// <summary>The task was completed or withdrawn already (409).</summary>
    public const string TaskClosed = "TASK_CLOSED";

    /// <summary>The caller already decided another approver slot of this task (409).</summary>
    public const string AlreadyDecided = "ALREADY_DECIDED";

    /// <summary>The workflow instance has completed or was cancelled (409).</summary>
    public const string InstanceClosed = "INSTANCE_CLOSED";

    /// <summary>The incident was resolved already (retried or its instance cancelled) (409).</summary>
    public const string IncidentResolved = "INCIDENT_RESOLVED";

    /// <summary>The instance cannot move to that version now; <c>extensions.fields</c> gives every reason with its node id (409).</summary>
    public const string MigrationRefused = "MIGRATION_REFUSED";

    // Field-level codes used inside VALIDATION_FAILED.
    public const string Required = "REQUIRED";
    public const string TooLong = "TOO_LONG";
    public const string InvalidFormat = "INVALID_FORMAT";
    public const string OutOfRange = "OUT_OF_RANGE";
    public const string UnknownReference = "UNKNOWN_REFERENCE";
    public const string Reserved = "RESERVED";
    public const string Duplicate = "DUPLICATE";
    public const string TooShort = "TOO_SHORT";
    public const string CommonPassword = "COMMON_PASSWORD";
    public const string ContainsEmail = "CONTAINS_EMAIL";
    public const string InvalidCredentials = "INVALID_CREDENTIALS";
    public const string InvalidCode = "INVALID_CODE";
}
