using Ehr.Forms.Definitions;
using Ehr.Platform.Identity;

namespace Ehr.Forms.Library;

/// <summary>One form of the library as a tenant admin picks it: its file, the key it imports under, and whether it imports cleanly.</summary>
public sealed record LibraryEntry(string File, string Key, string Title, string? Version, string? Description, string Content, IReadOnlyList<FormProblem> Problems)
{
    public bool Importable => Problems.Count == 0;
}

/// <summary>
/// The form library (<c>form-definitions/</c>) for importing (form.manage). Read once per process: the files travel
/// with the host and do not change while it runs.
/// </summary>
public sealed class ListLibraryForms(ActorContext actors)
{
    private static readonly Lazy<IReadOnlyList<LibraryEntry>> Entries = new(Load);

    public IReadOnlyList<LibraryEntry> Handle()
    {
        actors.Demand(Permissions.FormManage);
        return Entries.Value;
    }

    /// <summary>The entry named by its file (<c>phq-9.json</c>) or its key (<c>phq-9</c>), or null.</summary>
    internal static LibraryEntry? Find(string? fileOrKey) =>
        fileOrKey is null ? null : Entries.Value.FirstOrDefault(e => e.File == fileOrKey || e.Key == fileOrKey);

    private static IReadOnlyList<LibraryEntry> Load()
    {
        var directory = FormLibrary.Locate();
        return FormLibrary.Load(directory, new DefinitionValidator())
            .Select(f => new LibraryEntry(
                f.FileName,
                CreateFormDraft.KeyFrom(f.Questionnaire?.Id) ?? CreateFormDraft.KeyFrom(Path.GetFileNameWithoutExtension(f.FileName)) ?? f.FileName,
                f.Questionnaire?.Title ?? f.Questionnaire?.Name ?? f.FileName,
                f.Questionnaire?.Version,
                f.Questionnaire?.Description,
                File.ReadAllText(Path.Combine(directory, f.FileName)),
                f.Problems))
            .ToList();
    }
}
