using System.Globalization;
using Ehr.Forms.Definitions;
using Fluid;
using Fluid.Values;
using Hl7.Fhir.Model;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;

namespace Ehr.Forms.Templates;

/// <summary>The link ids of a template's questionnaire by what a narrative may do with them.</summary>
internal sealed class TemplateItems
{
    private TemplateItems(ItemIndex index)
    {
        foreach (var node in index.All.Where(n => n.LinkId.Length > 0))
        {
            if (node.IsQuestion)
            {
                Questions.Add(node.LinkId);
                if (Sdc.ExpressionOf(node.Item, Sdc.CalculatedExpression) is not null)
                {
                    Calculated.Add(node.LinkId);
                }
            }
            else if (node.Type == ItemType.Group)
            {
                Groups[node.LinkId] = Descendants(node).Where(d => d.IsQuestion).Select(d => d.LinkId).ToHashSet(StringComparer.Ordinal);
            }
        }
    }

    public HashSet<string> Questions { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Calculated { get; } = new(StringComparer.Ordinal);

    /// <summary>Each group with the questions anywhere under it.</summary>
    public Dictionary<string, HashSet<string>> Groups { get; } = new(StringComparer.Ordinal);

    public static TemplateItems Of(Questionnaire questionnaire) => new(ItemIndex.Of(questionnaire));

    private static IEnumerable<ItemNode> Descendants(ItemNode node) => node.Children.SelectMany(c => Descendants(c).Prepend(c));
}

/// <summary>
/// What a narrative sees, built only of Fluid's own values (no CLR object is reachable from a template):
/// <list type="bullet">
/// <item><c>answers.&lt;linkId&gt;</c>: each answered question (every occurrence's values together) with <c>text</c>
/// (the question), <c>value</c> (the first value: text, number, true/false, a date as written, a coding's display),
/// <c>values</c>, <c>display</c> (every value as text, joined with ", "), <c>code</c>/<c>codes</c> (codings),
/// <c>unit</c> (quantities) and <c>link_id</c>. Unanswered questions are absent (nil).</item>
/// <item><c>scores.&lt;linkId&gt;</c>: calculated items' numbers, as the server computed them.</item>
/// <item><c>groups.&lt;linkId&gt;</c>: a group's occurrences (one per repetition), each with the answers under it by link id.</item>
/// <item><c>items</c>: the response in order: <c>link_id</c>, <c>text</c>, <c>display</c>, <c>values</c>, <c>items</c>.</item>
/// <item><c>patient</c>: <c>name</c>, <c>given</c>, <c>family</c>, <c>preferred</c>, <c>birth_date</c>, <c>age</c>,
/// <c>gender</c>, <c>mrn</c>, when a patient is given.</item>
/// <item><c>free_text</c>: the clinician's own text; a template that places it is not followed by it.</item>
/// </list>
/// </summary>
internal sealed class NarrativeModel
{
    public const string Answers = "answers";
    public const string Scores = "scores";
    public const string Groups = "groups";
    public const string Items = "items";
    public const string Patient = "patient";
    public const string FreeText = "free_text";

    public static readonly IReadOnlyList<string> AnswerFields = ["text", "value", "values", "display", "code", "codes", "unit", "link_id"];

    public static readonly IReadOnlyList<string> PatientFields = ["name", "given", "family", "preferred", "birth_date", "age", "gender", "mrn"];

    private readonly Dictionary<string, FluidValue> _values = new(StringComparer.Ordinal);

    private NarrativeModel(DateTimeOffset now) => Now = now;

    public DateTimeOffset Now { get; }

    /// <param name="valueSets">Where an item's <c>answerValueSet</c> is looked up for a coded answer's display (the tenant's, loaded).</param>
    public static NarrativeModel Of(Questionnaire questionnaire, QuestionnaireResponse response, Hl7.Fhir.Model.Patient? patient, string? freeText,
        DateTimeOffset now, IAnswerValueSets? valueSets = null)
    {
        var model = new NarrativeModel(now);
        var index = ItemIndex.Of(questionnaire);
        var answers = new Dictionary<string, List<Answered>>(StringComparer.Ordinal);
        var groups = new Dictionary<string, List<FluidValue>>(StringComparer.Ordinal);
        var items = Walk(response.Item, index, answers, groups, valueSets ?? InMemoryAnswerValueSets.Empty);

        model._values[Answers] = Dictionary(answers.ToDictionary(a => a.Key, a => Answer(a.Value), StringComparer.Ordinal));
        model._values[Scores] = Dictionary(answers
            .Where(a => index.ByLinkId.TryGetValue(a.Key, out var node) && Sdc.ExpressionOf(node.Item, Sdc.CalculatedExpression) is not null)
            .ToDictionary(a => a.Key, a => a.Value.SelectMany(x => x.Values).Select(v => v.Value).FirstOrDefault() ?? NilValue.Instance, StringComparer.Ordinal));
        model._values[Groups] = Dictionary(groups.ToDictionary(g => g.Key, g => (FluidValue)new ArrayValue(g.Value), StringComparer.Ordinal));
        model._values[Items] = new ArrayValue(items);
        model._values[Patient] = patient is null ? NilValue.Instance : PatientValue(patient, now);
        model._values[FreeText] = string.IsNullOrWhiteSpace(freeText) ? NilValue.Instance : new StringValue(freeText);
        return model;
    }

    public void Bind(TemplateContext context)
    {
        foreach (var (name, value) in _values)
        {
            context.SetValue(name, value);
        }
    }

    /// <summary>One answered occurrence of a question: its question text and its values.</summary>
    private sealed record Answered(string LinkId, string? Text, List<(FluidValue Value, string Display, string? Code, string? Unit)> Values);

    private static List<FluidValue> Walk(IList<QuestionnaireResponse.ItemComponent> responseItems, ItemIndex index,
        Dictionary<string, List<Answered>> answers, Dictionary<string, List<FluidValue>> groups, IAnswerValueSets valueSets)
    {
        var result = new List<FluidValue>();
        foreach (var item in responseItems)
        {
            var linkId = item.LinkId ?? "";
            index.ByLinkId.TryGetValue(linkId, out var node);
            var text = node?.Item.Text ?? item.Text;
            var values = item.Answer.Select(a => a.Value).OfType<DataType>().Select(v => Convert(Displayed(v, node, index, valueSets))).ToList();
            if (values.Count > 0)
            {
                var list = answers.TryGetValue(linkId, out var found) ? found : answers[linkId] = [];
                list.Add(new Answered(linkId, text, values));
            }

            // Nested items: under a group in item, under a question in its answers (R4), leniently in item too.
            var nestedAnswers = new Dictionary<string, List<Answered>>(StringComparer.Ordinal);
            var children = Walk(item.Item.Concat(item.Answer.SelectMany(a => a.Item)).ToList(), index, nestedAnswers, groups, valueSets);
            foreach (var (childLink, childAnswers) in nestedAnswers)
            {
                var list = answers.TryGetValue(childLink, out var found) ? found : answers[childLink] = [];
                list.AddRange(childAnswers);
            }

            if (node?.Type == ItemType.Group)
            {
                var occurrences = groups.TryGetValue(linkId, out var g) ? g : groups[linkId] = [];
                occurrences.Add(Dictionary(nestedAnswers.ToDictionary(a => a.Key, a => Answer(a.Value), StringComparer.Ordinal)));
            }

            result.Add(Dictionary(new Dictionary<string, FluidValue>(StringComparer.Ordinal)
            {
                ["link_id"] = new StringValue(linkId),
                ["text"] = text is null ? NilValue.Instance : new StringValue(text),
                ["display"] = new StringValue(string.Join(", ", values.Select(v => v.Display))),
                ["values"] = new ArrayValue(values.Select(v => v.Value).ToList()),
                ["items"] = new ArrayValue(children),
            }));
        }

        return result;
    }

    private static FluidValue Answer(List<Answered> occurrences)
    {
        var values = occurrences.SelectMany(o => o.Values).ToList();
        var first = occurrences[0];
        return Dictionary(new Dictionary<string, FluidValue>(StringComparer.Ordinal)
        {
            ["link_id"] = new StringValue(first.LinkId),
            ["text"] = first.Text is null ? NilValue.Instance : new StringValue(first.Text),
            ["value"] = values.Count > 0 ? values[0].Value : NilValue.Instance,
            ["values"] = new ArrayValue(values.Select(v => v.Value).ToList()),
            ["display"] = new StringValue(string.Join(", ", values.Select(v => v.Display))),
            ["code"] = values.FirstOrDefault(v => v.Code is not null).Code is { } code ? new StringValue(code) : NilValue.Instance,
            ["codes"] = new ArrayValue(values.Where(v => v.Code is not null).Select(v => (FluidValue)new StringValue(v.Code!)).ToList()),
            ["unit"] = values.FirstOrDefault(v => v.Unit is not null).Unit is { } unit ? new StringValue(unit) : NilValue.Instance,
        });
    }

    /// <summary>
    /// A coded answer shows the questionnaire's display for its code (its answer option, or the concept of its answer
    /// value set, contained or held in the tenant), never the one the client sent with it (which nothing checks): the
    /// signed text must say what the code means.
    /// </summary>
    private static DataType Displayed(DataType value, ItemNode? node, ItemIndex index, IAnswerValueSets valueSets)
    {
        if (value is not Coding coding || node is null)
        {
            return value;
        }

        var option = node.Item.AnswerOption.Select(o => o.Value).OfType<Coding>().FirstOrDefault(o => Definitions.Answers.AreEqual(o, coding));
        if (option is not null)
        {
            return new Coding(coding.System, coding.Code, option.Display ?? coding.Display);
        }

        if (node.Item.AnswerValueSet is not { Length: > 0 } canonical)
        {
            return value;
        }

        var set = canonical.StartsWith('#') ? ContainedValueSets.Resolve(index.Questionnaire, canonical) : valueSets.Find(canonical);
        return set?.Find(coding) is { } concept ? new Coding(coding.System, coding.Code, concept.Display ?? coding.Code) : value;
    }

    /// <summary>An answer value as a Fluid value (typed where Liquid can compute with it) and as text for people.</summary>
    private static (FluidValue Value, string Display, string? Code, string? Unit) Convert(DataType value)
    {
        switch (value)
        {
            case FhirBoolean { Value: { } b }:
                return (BooleanValue.Create(b), b ? "Yes" : "No", null, null);
            case Integer { Value: { } i }:
                return (NumberValue.Create(i), i.ToString(CultureInfo.InvariantCulture), null, null);
            case FhirDecimal { Value: { } d }:
                return (NumberValue.Create(d), d.ToString(CultureInfo.InvariantCulture), null, null);
            case Quantity q:
                var unit = q.Unit ?? q.Code;
                var number = q.Value?.ToString(CultureInfo.InvariantCulture) ?? "";
                return (q.Value is { } v ? NumberValue.Create(v) : NilValue.Instance, unit is null ? number : $"{number} {unit}", null, unit);
            case Coding c:
                var shown = c.Display ?? c.Code ?? "";
                return (new StringValue(shown), shown, c.Code, null);
            case ResourceReference r:
                var reference = r.Display ?? r.Reference ?? "";
                return (new StringValue(reference), reference, null, null);
            case Attachment a:
                var attachment = a.Title ?? a.Url ?? "attachment";
                return (new StringValue(attachment), attachment, null, null);
            case PrimitiveType p:
                var text = p.ToString() ?? "";
                return (new StringValue(text), text, null, null);
            default:
                return (new StringValue(value.TypeName), value.TypeName, null, null);
        }
    }

    private static FluidValue PatientValue(Hl7.Fhir.Model.Patient patient, DateTimeOffset now)
    {
        var official = patient.Name.FirstOrDefault(n => n.Use is null or HumanName.NameUse.Official) ?? patient.Name.FirstOrDefault();
        var preferred = patient.Name.FirstOrDefault(n => n.Use == HumanName.NameUse.Usual)?.Given.FirstOrDefault();
        var given = string.Join(' ', official?.Given ?? []);
        var family = official?.Family ?? "";
        var values = new Dictionary<string, FluidValue>(StringComparer.Ordinal)
        {
            ["name"] = new StringValue(string.Join(' ', new[] { given, family }.Where(s => s.Length > 0))),
            ["given"] = new StringValue(given),
            ["family"] = new StringValue(family),
            ["preferred"] = preferred is null ? NilValue.Instance : new StringValue(preferred),
            ["birth_date"] = patient.BirthDate is null ? NilValue.Instance : new StringValue(patient.BirthDate),
            ["age"] = Age(patient.BirthDate, now) is { } age ? NumberValue.Create(age) : NilValue.Instance,
            ["gender"] = patient.Gender is { } gender ? new StringValue(gender.ToString().ToLowerInvariant()) : NilValue.Instance,
            // The medical record number is the identifier typed MR (HL7 v2 table 0203), whatever its system.
            ["mrn"] = patient.Identifier.FirstOrDefault(i => i.Type?.Coding.Any(c => c.Code == "MR") == true)?.Value
                is { } mrn ? new StringValue(mrn) : NilValue.Instance,
        };
        return Dictionary(values);
    }

    private static int? Age(string? birthDate, DateTimeOffset now)
    {
        if (!DateOnly.TryParseExact(birthDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var born))
        {
            return null;
        }

        var today = DateOnly.FromDateTime(now.UtcDateTime);
        var age = today.Year - born.Year;
        return born > today.AddYears(-age) ? age - 1 : age;
    }

    private static FluidValue Dictionary(Dictionary<string, FluidValue> values) =>
        new DictionaryValue(new FluidValueDictionaryFluidIndexable(values));
}
