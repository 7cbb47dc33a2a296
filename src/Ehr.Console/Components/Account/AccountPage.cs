using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Ehr.Web.Components.Account;

/// <summary>
/// What the sign-in pages share: the request, the local return URL (never another site: no open redirect) and the
/// redirect that static server rendering turns into a 302.
/// </summary>
public abstract class AccountPage : ComponentBase
{
    [CascadingParameter]
    protected HttpContext HttpContext { get; set; } = default!;

    [Inject]
    protected NavigationManager Navigation { get; set; } = default!;

    [SupplyParameterFromQuery(Name = "returnUrl")]
    protected string? ReturnUrl { get; set; }

    protected string SafeReturnUrl => IsLocal(ReturnUrl) ? ReturnUrl! : "/console";

    protected string? ClientAddress => HttpContext.Connection.RemoteIpAddress?.ToString();

    protected CancellationToken Aborted => HttpContext.RequestAborted;

    protected void RedirectTo(string url) => Navigation.NavigateTo(url, forceLoad: true);

    protected string WithReturnUrl(string path) => path + "?returnUrl=" + Uri.EscapeDataString(SafeReturnUrl);

    /// <summary>A path on this site: starts with one slash, not two, and no backslash tricks.</summary>
    public static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || url[1] is not ('/' or '\\')) &&
        !url.Contains('\\', StringComparison.Ordinal) && !url.Contains("://", StringComparison.Ordinal);
}
