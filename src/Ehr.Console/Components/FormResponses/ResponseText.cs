using System.Globalization;
using Ehr.Forms.Responses;

namespace Ehr.Web.Components.FormResponses;

/// <summary>How the chart and the portal word a response's state and times (UTC, as the rest of the console).</summary>
internal static class ResponseText
{
    public static string Status(FormResponse response) => response.Status switch
    {
        FormResponseStatus.InProgress when response.ForPatient => "in progress, sent to the patient",
        FormResponseStatus.InProgress => "in progress",
        FormResponseStatus.Completed => "completed",
        FormResponseStatus.Amended => $"amended ({response.CurrentRevision - 1}×)",
        FormResponseStatus.EnteredInError => "entered in error",
        var other => other,
    };

    /// <summary>Who did something: "you" for the person reading, else the account's id (names need user.read, which most staff lack).</summary>
    public static string Who(string? actorId, ConsoleUser user) => actorId is null ? "" : actorId == user.Id ? "you" : actorId;

    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
}
