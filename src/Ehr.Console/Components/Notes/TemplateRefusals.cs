using System.Globalization;
using System.Text.RegularExpressions;
using Ehr.Forms.Definitions;
using Ehr.Platform.Errors;
using Hl7.Fhir.Model;

namespace Ehr.Web.Components.Notes;

/// <summary>One problem of a note template as the editor lists it: the field's path, its line in the narrative if it has one.</summary>
public sealed record TemplateProblem(string Path, string Code, string Message, int? Line)
{
    /// <summary>"content.narrative, line 3" or the path alone.</summary>
    public string Where => Line is { } line ? $"{Path}, line {line.ToString(CultureInfo.InvariantCulture)}" : Path;
}

/// <summary>
/// A note template's refusal (publishing, or a preview of content that does not check) sorted for the editor: every
/// problem listed with its path (<see cref="All"/>); those about the Questionnaire (<c>content.questionnaire.item[2]</c>)
/// also as the builder's problems, rooted at the Questionnaire again so they are marked on their items; those about
/// the narrative (<c>content.narrative</c>) with the line the message names, for the narrative's editor.
/// </summary>
public sealed partial record TemplateRefusal(IReadOnlyList<TemplateProblem> All, IReadOnlyList<FormProblem> Questionnaire, IReadOnlyList<TemplateProblem> Narrative)
{
    public const string QuestionnairePath = "content.questionnaire";
    public const string NarrativePath = "content.narrative";

    public static TemplateRefusal Empty { get; } = new([], [], []);

    public bool IsEmpty => All.Count == 0;

    /// <param name="errors">The use case's field errors.</param>
    /// <param name="questionnaire">The Questionnaire as it was sent: its link ids tell a message's "linkId: ..." prefix apart.</param>
    public static TemplateRefusal Of(IEnumerable<FieldError> errors, Questionnaire? questionnaire)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var linkIds = questionnaire is null ? [] : LinkIds(questionnaire.Item).ToHashSet(StringComparer.Ordinal);
        var all = new List<TemplateProblem>();
        var builder = new List<FormProblem>();
        var narrative = new List<TemplateProblem>();
        foreach (var error in errors)
        {
            var problem = new TemplateProblem(error.Path, error.Code, error.Message, Under(error.Path, NarrativePath) ? LineOf(error.Message) : null);
            all.Add(problem);
            if (Under(error.Path, NarrativePath))
            {
                narrative.Add(problem);
            }
            else if (Under(error.Path, QuestionnairePath))
            {
                // The forms module writes "linkId: message" when the problem names an item.
                var colon = error.Message.IndexOf(": ", StringComparison.Ordinal);
                var linkId = error.LinkId ?? (colon > 0 && linkIds.Contains(error.Message[..colon]) ? error.Message[..colon] : null);
                var message = linkId is not null && error.LinkId is null ? error.Message[(colon + 2)..] : error.Message;
                builder.Add(new FormProblem(linkId, error.Code, message, "Questionnaire" + error.Path[QuestionnairePath.Length..]));
            }
        }

        return new TemplateRefusal(all, builder, narrative);
    }

    /// <summary>The line a narrative problem names ("... (line 3)" from the template check, "(3:14)" from the Liquid parser).</summary>
    public static int? LineOf(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var match = LineMention().Match(message);
        if (!match.Success)
        {
            match = ParserPosition().Match(message);
        }

        return match.Success ? int.Parse(match.Groups["line"].Value, CultureInfo.InvariantCulture) : null;
    }

    private static bool Under(string path, string root) =>
        path == root || path.StartsWith(root + ".", StringComparison.Ordinal) || path.StartsWith(root + "[", StringComparison.Ordinal);

    private static IEnumerable<string> LinkIds(IEnumerable<Questionnaire.ItemComponent> items) =>
        items.SelectMany(i => LinkIds(i.Item).Prepend(i.LinkId ?? ""));

    [GeneratedRegex(@"\(line (?<line>[0-9]+)\)")]
    private static partial Regex LineMention();

    [GeneratedRegex(@"\((?<line>[0-9]+):[0-9]+\)")]
    private static partial Regex ParserPosition();
}
