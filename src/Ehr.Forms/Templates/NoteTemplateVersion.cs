using System.Text.Json;
using Ehr.Platform.Artifacts;

namespace Ehr.Forms.Templates;

/// <summary>
/// One version of a note template as the APIs show it: the artifact (key, scope, version, status, title ...) and its
/// content's parts, read leniently (a draft may lack some, or hold them in the wrong shape: those read as null, the
/// raw content is still there).
/// </summary>
public sealed record NoteTemplateVersion(Artifact Artifact, string? NoteType, string? Description, string? CodeSystem, string? Code,
    string? CodeDisplay, string? Questionnaire, string? Narrative)
{
    public static NoteTemplateVersion Of(Artifact artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        try
        {
            using var document = JsonDocument.Parse(artifact.Content);
            var root = document.RootElement;
            string? Text(JsonElement e, string name) =>
                e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
            var code = root.TryGetProperty("code", out var c) ? c : default;
            return new NoteTemplateVersion(artifact, Text(root, "noteType"), Text(root, "description"), Text(code, "system"), Text(code, "code"),
                Text(code, "display"),
                root.TryGetProperty("questionnaire", out var q) && q.ValueKind == JsonValueKind.Object ? q.GetRawText() : null,
                Text(root, "narrative"));
        }
        catch (JsonException)
        {
            return new NoteTemplateVersion(artifact, null, null, null, null, null, null, null);
        }
    }
}
