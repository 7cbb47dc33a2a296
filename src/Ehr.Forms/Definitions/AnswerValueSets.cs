using System.Collections.Concurrent;
using Hl7.Fhir.Model;

namespace Ehr.Forms.Definitions;

/// <summary>One permitted answer of a value set, with its score when it has one.</summary>
public sealed record AnswerConcept(string? System, string Code, string? Display = null, decimal? Ordinal = null);

/// <summary>An answer value set as the engine needs it: its canonical URL and its (expanded) concepts.</summary>
public sealed record AnswerValueSet(string Url, IReadOnlyList<AnswerConcept> Concepts)
{
    public AnswerConcept? Find(Coding coding) =>
        Concepts.FirstOrDefault(c => c.Code == coding.Code && (coding.System is null || c.System is null || c.System == coding.System));
}

/// <summary>
/// The value sets held in the tenant, by canonical URL (<c>answerValueSet</c>). The persistence step implements this
/// over the tenant's schema; <see cref="InMemoryAnswerValueSets"/> serves tests and the form library.
/// </summary>
public interface IAnswerValueSets
{
    /// <summary>The value set with this canonical URL (optionally <c>url|version</c>), or null when the tenant has none.</summary>
    AnswerValueSet? Find(string canonical);
}

/// <summary>Value sets kept in memory.</summary>
public sealed class InMemoryAnswerValueSets : IAnswerValueSets
{
    private readonly ConcurrentDictionary<string, AnswerValueSet> _sets = new(StringComparer.Ordinal);

    public static InMemoryAnswerValueSets Empty => new();

    public InMemoryAnswerValueSets Add(AnswerValueSet set)
    {
        _sets[set.Url] = set;
        return this;
    }

    public AnswerValueSet? Find(string canonical)
    {
        if (_sets.TryGetValue(canonical, out var set)) return set;
        var bar = canonical.IndexOf('|', StringComparison.Ordinal);
        return bar > 0 && _sets.TryGetValue(canonical[..bar], out set) ? set : null;
    }
}

internal static class ContainedValueSets
{
    /// <summary>A value set contained in the questionnaire (<c>#id</c>), flattened (see <see cref="AnswerValueSetExpansion.Flatten"/>).</summary>
    public static AnswerValueSet? Resolve(Questionnaire questionnaire, string reference)
    {
        if (!reference.StartsWith('#')) return null;
        var id = reference[1..];
        return questionnaire.Contained.FirstOrDefault(r => r.Id == id) is ValueSet vs ? AnswerValueSetExpansion.Flatten(vs, reference) : null;
    }
}

/// <summary>What the engine can read of a FHIR ValueSet: its concepts, listed.</summary>
public static class AnswerValueSetExpansion
{
    /// <summary>
    /// The value set's concepts from its expansion or, failing that, from the concepts listed in its compose; null when
    /// it cannot be enumerated here (a filter, another value set, a whole code system) or lists nothing.
    /// </summary>
    public static AnswerValueSet? Flatten(ValueSet vs, string url)
    {
        ArgumentNullException.ThrowIfNull(vs);
        var concepts = new List<AnswerConcept>();
        if (vs.Expansion?.Contains is { Count: > 0 } contains)
        {
            void Add(IEnumerable<ValueSet.ContainsComponent> items)
            {
                foreach (var c in items)
                {
                    if (c.Code is not null) concepts.Add(new AnswerConcept(c.System, c.Code, c.Display, Sdc.OrdinalOf(c)));
                    Add(c.Contains);
                }
            }
            Add(contains);
            return new AnswerValueSet(url, concepts);
        }
        foreach (var include in vs.Compose?.Include ?? [])
        {
            if (include.Filter.Count > 0 || include.ValueSet.Any() || include.Concept.Count == 0) return null;
            concepts.AddRange(include.Concept.Where(c => c.Code is not null).Select(c => new AnswerConcept(include.System, c.Code!, c.Display, Sdc.OrdinalOf(c))));
        }
        return concepts.Count > 0 ? new AnswerValueSet(url, concepts) : null;
    }
}
