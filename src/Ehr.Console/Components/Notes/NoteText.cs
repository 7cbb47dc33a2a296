using Ehr.Clinical.Notes;
using Ehr.Forms.Templates;

namespace Ehr.Web.Components.Notes;

/// <summary>How the chart and the portal word a note's state, its revisions and the templates notes start from.</summary>
public static class NoteText
{
    public static string Status(Note note)
    {
        ArgumentNullException.ThrowIfNull(note);
        return note.Status switch
        {
            NoteStatus.Draft => "draft",
            NoteStatus.Signed => "signed",
            NoteStatus.Amended => note.CurrentRevision == 2 ? "amended" : $"amended ({note.CurrentRevision - 1}×)",
            NoteStatus.EnteredInError => "entered in error",
            var other => other,
        };
    }

    /// <summary>"Original" or "Amendment 2": revision 1 is what was drafted and signed; each later one an amendment.</summary>
    public static string Revision(NoteRevision revision)
    {
        ArgumentNullException.ThrowIfNull(revision);
        return revision.Revision == 1 ? "Original" : $"Amendment {revision.Revision - 1}";
    }

    /// <summary>A template version as a chooser shows it: "SOAP progress note, version 2 (Northside Clinic's own)".</summary>
    public static string Template(NoteTemplateVersion template, Func<Guid, string?> locationName)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(locationName);
        var artifact = template.Artifact;
        return $"{artifact.Title}, version {artifact.Version} ({Scope(artifact.LocationId, locationName)})";
    }

    public static string Scope(Guid? locationId, Func<Guid, string?> locationName)
    {
        ArgumentNullException.ThrowIfNull(locationName);
        return locationId is { } id ? $"{locationName(id) ?? "a location"}'s own" : "the organisation's standard";
    }

    /// <summary>
    /// Where a note from a template is written, unless the clinician picks another: their own location when their
    /// membership names exactly one, else the patient's home location, else the first the clinician may use; none when the
    /// organisation has no locations. The start then names it, so the version shown is the version pinned.
    /// </summary>
    public static Guid? DefaultLocation(IReadOnlyList<Guid> own, Guid? patientHome, IReadOnlyList<Guid> usable)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(usable);
        if (own is [var only] && usable.Contains(only))
        {
            return only;
        }

        if (patientHome is { } home && usable.Contains(home))
        {
            return home;
        }

        return usable.Count > 0 ? usable[0] : null;
    }
}
