namespace Ehr.Platform.Contracts;

/// <summary>
/// The kinds of clinical note, shared by the notes (Ehr.Clinical, whose table checks the same list) and the
/// documentation templates (Ehr.Forms), so a template can only name a type a note can have.
/// </summary>
public static class NoteTypes
{
    public static readonly IReadOnlyList<string> All =
        ["progress", "soap", "history-and-physical", "procedure", "telehealth", "consult", "discharge", "other"];

    public static bool IsKnown(string? type) => type is not null && All.Contains(type);
}
