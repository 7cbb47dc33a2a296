using Ehr.Platform.Identity;
using Ehr.Platform.Identity.Accounts;
using Ehr.Platform.Persistence;
using Ehr.Platform.Tenancy;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Ehr.Web.Components.Layout;

public sealed record NavItem(string Title, string Href, string Icon, string Permission);

/// <summary>The console's menu: each entry shows only to people holding the permission its page needs.</summary>
public static class ConsoleNavigation
{
    /// <summary>
    /// What building and changing forms asks for (the builder, the forms pages' actions): the forms module's own
    /// permission, which its use cases demand. Listing forms asks for <c>location.read</c>, as reading them does.
    /// </summary>
    public const string FormBuilderPermission = Permissions.FormManage;

    /// <summary>What changing documentation templates asks for (the template editor and the template pages' actions).</summary>
    public const string TemplateEditorPermission = Permissions.TemplateManage;

    public static IReadOnlyList<NavItem> Items { get; } =
    [
        new("Patients", "/console/patients", Icons.Material.Filled.PersonSearch, Permissions.PatientRead),
        new("Tasks", "/console/tasks", Icons.Material.Filled.Inbox, Permissions.WorkflowTask),
        new("Users", "/console/members", Icons.Material.Filled.People, Permissions.UserRead),
        new("Portal access", "/console/portal-access", Icons.Material.Filled.FamilyRestroom, Permissions.PortalManage),
        new("Locations", "/console/locations", Icons.Material.Filled.Place, Permissions.LocationRead),
        new("Roles", "/console/roles", Icons.Material.Filled.Badge, Permissions.RoleManage),
        new("Forms", "/console/forms", Icons.Material.Filled.DynamicForm, Permissions.LocationRead),
        new("Note templates", "/console/note-templates", Icons.Material.Filled.Description, Permissions.LocationRead),
        new("Workflows", "/console/workflows", Icons.Material.Filled.AccountTree, Permissions.WorkflowRead),
        new("Workflow instances", "/console/workflow-instances", Icons.Material.Filled.AccountTree, Permissions.WorkflowRead),
        new("Security", "/console/security", Icons.Material.Filled.Security, Permissions.SecurityManage),
        new("Audit log", "/console/audit", Icons.Material.Filled.FactCheck, Permissions.AuditRead),
        new("API clients", "/console/api-clients", Icons.Material.Filled.Key, Permissions.ApiClientManage),
        new("Tenants", "/console/platform/tenants", Icons.Material.Filled.Domain, Permissions.PlatformAdmin),
    ];

    public static IEnumerable<NavItem> For(ConsoleUser user) => Items.Where(i => user.Can(i.Permission));

    /// <summary>The tenant's idle time-out, after which the browser signs the person out.</summary>
    public static async Task<int> IdleMinutesAsync(IServiceProvider services, Tenant tenant) =>
        (await SecurityPolicies.ForTenantAsync(services.GetRequiredService<PlatformDbContext>(), tenant.Id, default)).IdleTimeoutMinutes;
}
