using System.Text.RegularExpressions;

namespace Ehr.Platform.Identity;

/// <summary>
/// Fine-grained permissions checked in the module use cases, and the built-in roles as sets of them. Tenants define
/// custom roles from these permissions (<see cref="Roles.RoleResolver"/>). Never rename a permission or a role key:
/// tokens, role definitions and audit entries store them.
/// </summary>
public static partial class Permissions
{
    public const string PatientRead = "patient.read";
    public const string PatientWrite = "patient.write";
    public const string PatientRestrict = "patient.restrict";
    public const string ChartWrite = "chart.write";
    public const string NoteSign = "note.sign";
    public const string AuditRead = "audit.read";
    public const string LocationRead = "location.read";
    public const string LocationWrite = "location.write";
    public const string UserRead = "user.read";
    public const string UserManage = "user.manage";
    public const string RoleManage = "role.manage";
    public const string ApiClientManage = "apiclient.manage";
    public const string SecurityManage = "security.manage";
    public const string DisclosureRead = "disclosure.read";
    public const string TenantAdmin = "tenant.admin";
    public const string PortalManage = "portal.manage";
    public const string FormManage = "form.manage";
    public const string FormRespond = "form.respond";
    public const string TemplateManage = "template.manage";
    public const string WorkflowRead = "workflow.read";
    public const string WorkflowManage = "workflow.manage";
    public const string WorkflowTask = "workflow.task";
    public const string WorkflowStart = "workflow.start";
    public const string PlatformAdmin = "platform.admin";

    /// <summary>The platform-level role: runs tenants and jobs, holds no tenant permission.</summary>
    public const string PlatformAdminRole = "platform-admin";

    /// <summary>The role of a tenant's API clients (client credentials).</summary>
    public const string ApiClientRole = "api-client";

    /// <summary>A patient (or their proxy) in the portal: reads only the records named in <see cref="Actor.PatientIds"/>.</summary>
    public const string PatientRole = "patient";

    /// <summary>
    /// Clinicians' acts: tenant admins do not hold them (administering is not practising) but may give roles that do.
    /// </summary>
    public static IReadOnlySet<string> ClinicalActs { get; } = new HashSet<string>(StringComparer.Ordinal) { NoteSign, ChartWrite };

    /// <summary>Every tenant permission, with what it allows. Custom roles are built from these (not from platform.admin).</summary>
    public static IReadOnlyDictionary<string, string> TenantCatalog { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [PatientRead] = "Read patients' demographics and charts (search, open a record, break the glass on a restricted one).",
        [PatientWrite] = "Register patients and change their demographics.",
        [PatientRestrict] = "Mark a patient restricted (vip, employee, sensitive) and set who is on their care team.",
        [ChartWrite] = "Record and correct chart data: observations (vital signs, scores, results).",
        [NoteSign] = "Sign clinical notes.",
        [AuditRead] = "Read the audit log, verify the audit chain and read the auditors' notifications (break-the-glass alerts).",
        [LocationRead] = "See the tenant, its locations and its configuration (form definitions, answer value sets).",
        [LocationWrite] = "Create and change locations.",
        [UserRead] = "See the tenant's users and their memberships.",
        [UserManage] = "Invite users, change their roles and locations, disable them.",
        [RoleManage] = "Define, change and delete the tenant's custom roles.",
        [ApiClientManage] = "Register API clients and rotate their secrets.",
        [SecurityManage] = "Change the tenant's security settings (sign-in policy, sessions, MFA).",
        [DisclosureRead] = "Produce a patient's accounting of disclosures.",
        [TenantAdmin] = "Administer the tenant's configuration.",
        [PortalManage] = "Invite patients to the patient portal, grant and revoke proxy access to a record, and see who has portal access to it.",
        [FormManage] = "Manage form definitions and answer value sets: draft, edit, import (library or upload), publish, retire.",
        [FormRespond] = "Fill in forms for patients (start, save, complete), amend completed responses and mark them entered-in-error. Patients: their own records only, and never amend.",
        [TemplateManage] = "Draft, edit, publish and retire documentation templates (note templates), for the tenant or as a location's override.",
        [WorkflowRead] = "See workflow definitions, running and finished workflow instances with their timelines, and incidents.",
        [WorkflowManage] = "Draft, publish and retire workflow definitions (tenant standard or a location's override), configure web hook endpoints, retry or cancel instances with incidents and move instances to a newer version.",
        [WorkflowTask] = "Work on workflow tasks: see the tasks assigned to you or to your roles at your locations, claim, release, delegate and complete them (only as one of a task's assignees).",
        [WorkflowStart] = "Start workflows that are started by hand (a refill request, a referral), with their inputs.",
    };

    private static readonly string[] Clinician = [PatientRead, PatientWrite, LocationRead, FormRespond, WorkflowTask, WorkflowStart];

    private static readonly Dictionary<string, string[]> TenantRoles = new(StringComparer.Ordinal)
    {
        ["tenant-admin"] =
        [
            PatientRead, PatientWrite, PatientRestrict, AuditRead, LocationRead, LocationWrite, UserRead, UserManage,
            RoleManage, ApiClientManage, SecurityManage, DisclosureRead, TenantAdmin, PortalManage, FormManage, FormRespond,
            TemplateManage, WorkflowRead, WorkflowManage, WorkflowTask, WorkflowStart,
        ],
        ["physician"] = [.. Clinician, ChartWrite, NoteSign],
        ["nurse-practitioner"] = [.. Clinician, ChartWrite, NoteSign],
        ["nurse"] = [.. Clinician, ChartWrite],
        ["medical-assistant"] = [.. Clinician, ChartWrite],
        ["front-desk"] = [.. Clinician, PortalManage],
        ["biller"] = [PatientRead, LocationRead],
        ["auditor"] = [AuditRead, LocationRead, DisclosureRead, UserRead],
        // A patient fills in forms on their own records (intake, questionnaires): the only thing the role writes.
        [PatientRole] = [PatientRead, FormRespond],
        [ApiClientRole] = [.. Clinician, ChartWrite],
    };

    public static IReadOnlyCollection<string> BuiltInTenantRoles => TenantRoles.Keys;

    /// <summary>A built-in tenant role, or the platform role.</summary>
    public static bool IsKnownRole(string role) =>
        TenantRoles.ContainsKey(role) || role == PlatformAdminRole;

    /// <summary>Keys of built-in roles (and the platform role): a tenant cannot define a role with one of these keys.</summary>
    public static bool IsReservedRoleKey(string key) => IsKnownRole(key);

    /// <summary>Lowercase letters, digits and hyphens, 3 to 40, starting with a letter: the shape of every role key.</summary>
    public static bool IsWellFormedRoleKey(string key) => RoleKeyPattern().IsMatch(key);

    /// <summary>Every permission name, tenant and platform.</summary>
    public static IReadOnlyList<string> All { get; } =
        TenantCatalog.Keys.Append(PlatformAdmin).Order(StringComparer.Ordinal).ToList();

    /// <summary>Whether <paramref name="permission"/> is one a tenant role (or an API client) can hold.</summary>
    public static bool IsTenantPermission(string permission) => TenantCatalog.ContainsKey(permission);

    public static IReadOnlyList<string> ForBuiltInRole(string role) =>
        TenantRoles.TryGetValue(role, out var permissions) ? permissions : [];

    [GeneratedRegex("^[a-z][a-z0-9-]{2,39}$", RegexOptions.CultureInvariant)]
    private static partial Regex RoleKeyPattern();
}
