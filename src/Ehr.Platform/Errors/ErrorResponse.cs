using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Ehr.Platform.Errors;

/// <summary>
/// Refusals that happen before an API's own pipeline (tenancy, authentication) use the GraphQL error shape, so a
/// client reads <c>errors[0].extensions.code</c> whatever refused it.
/// </summary>
public static class ErrorResponse
{
    public static async Task WriteAsync(HttpContext http, EhrException error)
    {
        http.Response.StatusCode = error.HttpStatus;
        if (error.HttpStatus == StatusCodes.Status401Unauthorized)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
        }

        http.Response.ContentType = "application/json; charset=utf-8";
        var body = new
        {
            errors = new[]
            {
                new { message = error.Message, extensions = new { code = error.Code } },
            },
        };
        await JsonSerializer.SerializeAsync(http.Response.Body, body, cancellationToken: http.RequestAborted);
    }
}
