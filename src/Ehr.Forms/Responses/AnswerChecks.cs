using System.Globalization;
using Ehr.Forms.Definitions;
using Hl7.Fhir.Model;
using static Ehr.Forms.Definitions.FormProblemCodes;
using ItemType = Hl7.Fhir.Model.Questionnaire.QuestionnaireItemType;

namespace Ehr.Forms.Responses;

/// <summary>The checks of one response item's answers against its definition.</summary>
internal sealed class AnswerChecks(ItemInstance instance, Evaluation evaluation, List<FormProblem> problems)
{
    private readonly Questionnaire.ItemComponent _item = instance.Definition!.Item;

    private void Add(string code, string message, int? answer = null) =>
        problems.Add(new FormProblem(instance.Item.LinkId, code, message, answer is null ? instance.Path : $"{instance.Path}.answer[{answer}]"));

    public void Check()
    {
        var type = _item.Type;
        if (type is null) return;
        var answers = instance.Item.Answer;
        if (type is ItemType.Group or ItemType.Display)
        {
            if (answers.Any(a => a.Value is not null))
                Add(AnswerNotAllowed, $"A {(type == ItemType.Group ? "group" : "display item")} takes no answer.");
            return;
        }
        if (_item.Repeats != true && answers.Count(a => a.Value is not null) > 1)
            Add(NotRepeating, "This question takes one answer.");
        for (var i = 0; i < answers.Count; i++)
        {
            var value = answers[i].Value;
            // An answer with only nested items is how R4 nests items under a question (empty ones were pruned).
            if (value is null) continue;
            CheckValue(type.Value, value, i);
        }
    }

    private void CheckValue(ItemType type, DataType value, int i)
    {
        if (!Answers.TypeFits(type, value) || (type == ItemType.Choice && _item.AnswerOption.Count > 0 && !_item.AnswerOption.Any(o => o.Value?.GetType() == value.GetType())))
        {
            Add(AnswerType, $"The answer must be a {Answers.ExpectedType(type)}, not a {value.TypeName}.", i);
            return;
        }
        CheckOptions(type, value, i);
        switch (value)
        {
            case FhirString s: CheckLength(s.Value, i); break;
            case FhirUri u: CheckLength(u.Value, i); break;
            case FhirDecimal d: CheckDecimalPlaces(d.Value, i); CheckRange(value, i); CheckLength(d.Value?.ToString(CultureInfo.InvariantCulture), i); break;
            case Integer n: CheckRange(value, i); CheckLength(n.Value?.ToString(CultureInfo.InvariantCulture), i); break;
            case Date or FhirDateTime or Time: CheckRange(value, i); break;
            case Quantity q: CheckUnit(q, i); CheckDecimalPlaces(q.Value, i); CheckRange(value, i); break;
            case Coding c when string.IsNullOrEmpty(c.Code): Add(AnswerEmpty, "A coded answer needs a code.", i); break;
        }
    }

    private void CheckOptions(ItemType type, DataType value, int i)
    {
        if (_item.AnswerOption.Count > 0)
        {
            var listed = _item.AnswerOption.Any(o => o.Value is not null && Answers.AreEqual(o.Value, value));
            // open-choice: free text is allowed besides the options; a coding must still be one of them.
            if (!listed && !(type == ItemType.OpenChoice && value is FhirString))
                Add(AnswerNotInOptions, $"{Answers.Describe(value)} is not one of this question's options.", i);
            return;
        }
        if (_item.AnswerValueSet is not { } canonical || value is not Coding coding) return;
        var set = evaluation.ValueSet(canonical);
        if (set is null)
            Add(ValueSetUnavailable, $"The answer value set {canonical} is not available, so the answer cannot be checked.", i);
        else if (set.Find(coding) is null && !(type == ItemType.OpenChoice && coding.System is null && coding.Code is null))
            Add(AnswerNotInOptions, $"{Answers.Describe(coding)} is not in the value set {canonical}.", i);
    }

    private void CheckLength(string? text, int i)
    {
        if (text is null) return;
        if (_item.MaxLength is { } max && text.Length > max)
            Add(TooLong, $"The answer is {text.Length} characters long; at most {max} are allowed.", i);
        if (Sdc.ValueOf(_item, Sdc.MinLength) is Integer { Value: { } min } && text.Length < min)
            Add(TooShort, $"The answer is {text.Length} characters long; at least {min} are needed.", i);
    }

    private void CheckDecimalPlaces(decimal? value, int i)
    {
        if (value is not { } v || Sdc.ValueOf(_item, Sdc.MaxDecimalPlaces) is not Integer { Value: { } places }) return;
        var scale = (v.Scale > 0 ? v / 1.000000000000000000000000000000000m : v).Scale; // trailing zeros do not count
        if (scale > places)
            Add(TooManyDecimalPlaces, $"The answer has {scale} decimal places; at most {places} are allowed.", i);
    }

    private void CheckRange(DataType value, int i)
    {
        if (Sdc.ValueOf(_item, Sdc.MinValue) is { } min && Compare(value, min) is < 0)
            Add(BelowMinimum, $"The answer {Answers.Describe(value)} is below the minimum {Answers.Describe(min)}.", i);
        if (Sdc.ValueOf(_item, Sdc.MaxValue) is { } max && Compare(value, max) is > 0)
            Add(AboveMaximum, $"The answer {Answers.Describe(value)} is above the maximum {Answers.Describe(max)}.", i);
    }

    // A quantity's bound may be a plain number (in the item's unit).
    private static int? Compare(DataType value, DataType bound) =>
        value is Quantity q && bound is FhirDecimal or Integer ? Answers.Compare(new FhirDecimal(q.Value), bound) : Answers.Compare(value, bound);

    private void CheckUnit(Quantity quantity, int i)
    {
        if (quantity.Value is null) Add(AnswerEmpty, "A quantity needs a value.", i);
        var allowed = _item.Extension.Where(e => e.Url is Sdc.UnitOption or Sdc.Unit).Select(e => e.Value).OfType<Coding>().ToList();
        if (allowed.Count == 0) return;
        if (quantity.Code is null && quantity.Unit is null)
        {
            Add(UnitMissing, $"The quantity needs a unit ({string.Join(", ", allowed.Select(a => a.Code))}).", i);
            return;
        }
        var fits = allowed.Any(a => quantity.Code is not null
            ? a.Code == quantity.Code && (a.System is null || quantity.System is null || a.System == quantity.System)
            : a.Code == quantity.Unit || a.Display == quantity.Unit);
        if (!fits)
            Add(UnitNotAllowed, $"The unit '{quantity.Code ?? quantity.Unit}' is not one of {string.Join(", ", allowed.Select(a => a.Code))}.", i);
    }
}
