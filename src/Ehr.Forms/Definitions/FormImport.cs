using System.Text.RegularExpressions;
using Hl7.Fhir.Model;

namespace Ehr.Forms.Definitions;

/// <summary>
/// What importing a Questionnaire written elsewhere comes to: the definition when it reads, every problem, and the
/// features the engine does not implement named once each (an extension URL, an expression language ...), so a
/// tenant admin sees at a glance what would not work before deciding to adapt the form.
/// </summary>
public sealed record ImportReport(Questionnaire? Questionnaire, IReadOnlyList<FormProblem> Problems, IReadOnlyList<string> UnsupportedFeatures)
{
    /// <summary>Readable and free of problems: it can be saved as a draft and published as it is.</summary>
    public bool ImportsCleanly => Questionnaire is not null && Problems.Count == 0;
}

/// <summary>Reads and checks an uploaded or library Questionnaire in one step.</summary>
public static partial class FormImport
{
    public static ImportReport Inspect(string json, DefinitionValidator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        var parsed = QuestionnaireJson.ParseQuestionnaire(json);
        if (parsed.Resource is null) return new ImportReport(null, parsed.Problems, []);
        var problems = validator.Validate(parsed.Resource);
        var unsupported = problems
            .Where(p => p.Code == FormProblemCodes.Unsupported)
            .Select(p => Feature(p.Message))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
        return new ImportReport(parsed.Resource, problems, unsupported);
    }

    // The validator names the feature in each UNSUPPORTED message: an extension or modifier URL, an expression
    // language, or a sentence for the rest.
    private static string Feature(string message)
    {
        var url = Url().Match(message);
        if (url.Success) return url.Value.TrimEnd('.', ',', ';', ')');
        var language = Language().Match(message);
        return language.Success ? $"expression language {language.Groups[1].Value}" : message;
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Url();

    [GeneratedRegex(@"expression language '([^']+)'")]
    private static partial Regex Language();
}
