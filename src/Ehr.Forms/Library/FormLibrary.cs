using Ehr.Forms.Definitions;
using Hl7.Fhir.Model;

namespace Ehr.Forms.Library;

/// <summary>One Questionnaire file of the form library, read and checked.</summary>
public sealed record LibraryForm(string FileName, Questionnaire? Questionnaire, IReadOnlyList<FormProblem> Problems);

/// <summary>
/// The form library (<c>form-definitions/*.json</c>): FHIR R4 Questionnaires that starter packs and tenants import.
/// Each file is parsed and validated the way an upload is; nothing is imported with problems.
/// </summary>
public static class FormLibrary
{
    /// <summary>The <c>form-definitions</c> folder: beside the host, else the nearest one above the working directory.</summary>
    public static string Locate()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "form-definitions");
        if (Directory.Exists(beside)) return beside;
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "form-definitions");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("No form-definitions folder found beside the host or above the working directory.");
    }

    public static IReadOnlyList<LibraryForm> Load(string directory, DefinitionValidator validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        return Directory.EnumerateFiles(directory, "*.json")
            .Order(StringComparer.Ordinal)
            .Select(file =>
            {
                var parsed = QuestionnaireJson.ParseQuestionnaire(File.ReadAllText(file));
                var problems = parsed.Resource is null ? parsed.Problems : validator.Validate(parsed.Resource);
                return new LibraryForm(Path.GetFileName(file), parsed.Resource, problems);
            })
            .ToList();
    }
}
