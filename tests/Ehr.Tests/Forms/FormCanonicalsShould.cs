using Ehr.Forms.Definitions;

namespace Ehr.Tests.Forms;

/// <summary>Canonical references name exactly one form version, and never change meaning when another is published.</summary>
public sealed class FormCanonicalsShould
{
    private static readonly DateTimeOffset Noon = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void LeaveThePlainCanonicalToTheFirstPublishedAndQualifyTheLaterOnes()
    {
        var first = Row("published", Noon, "1.0.0");
        var retiredLater = Row("retired", Noon.AddDays(1), "1.0.0");
        var override_ = Row("published", Noon.AddDays(2), "1.0.0");
        var other = Row("published", Noon.AddDays(3), "2.0.0");

        var canonicals = FormCanonicals.Assign([override_, other, retiredLater, first]).ToDictionary(c => c.Id, c => c.Reference);

        Assert.Equal("https://forms.example.org/q|1.0.0", canonicals[first.Id]);
        Assert.Equal($"https://forms.example.org/q|1.0.0+{retiredLater.Id}", canonicals[retiredLater.Id]);
        Assert.Equal($"https://forms.example.org/q|1.0.0+{override_.Id}", canonicals[override_.Id]);
        Assert.Equal("https://forms.example.org/q|2.0.0", canonicals[other.Id]);
        Assert.Equal(4, canonicals.Values.Distinct().Count());
    }

    [Fact]
    public void UseTheArtifactsNumberWithoutAVersionAndTheIdWithoutAUrl()
    {
        var unversioned = Row("published", Noon, null) with { Version = 3 };
        var noUrl = Row("published", Noon, "1") with { Url = "" };
        var draft = Row("draft", null, "1.0.0");

        var canonicals = FormCanonicals.Assign([unversioned, noUrl, draft, Row("published", Noon.AddHours(-1), "1.0.0")]).ToDictionary(c => c.Id);

        Assert.Equal("https://forms.example.org/q|3", canonicals[unversioned.Id].Reference);
        Assert.Equal($"Questionnaire/{noUrl.Id}", canonicals[noUrl.Id].Reference);
        // A draft has no standing: it shows its own version, even one a published version holds.
        Assert.Equal("https://forms.example.org/q|1.0.0", canonicals[draft.Id].Reference);
    }

    [Theory]
    [InlineData("Questionnaire/0193c1e0-0000-7000-8000-000000000001", true)]
    [InlineData("https://ehr.example.org/fhir/Questionnaire/0193c1e0-0000-7000-8000-000000000001", true)]
    [InlineData("https://forms.example.org/Questionnaire/phq-9|1.0.0", false)]
    [InlineData("https://forms.example.org/MyQuestionnaire/0193c1e0-0000-7000-8000-000000000001", false)]
    [InlineData("Questionnaire/phq-9", false)]
    public void ReadAQuestionnaireReferenceByIdOnlyWhenItIsOne(string reference, bool isId) =>
        Assert.Equal(isId, FormCanonicals.IdOf(reference) is not null);

    private static FormCanonicals.Row Row(string status, DateTimeOffset? published, string? version) =>
        new(Guid.CreateVersion7(), "q", null, 1, status, "Q", published, "https://forms.example.org/q", version, "Q", "Q");
}
