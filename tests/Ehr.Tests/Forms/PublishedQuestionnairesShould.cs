using System.Text;
using Ehr.Forms.Definitions;
using Ehr.Forms.Responses;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Ehr.Tests.Forms;

/// <summary>
/// Questionnaires written by others: every Questionnaire (and QuestionnaireResponse) shipped in published FHIR packages
/// (`tests/fhir-packages/packages.tsv`, fetched by `./ehr test` and pinned by integrity). Each must either import
/// cleanly or be reported feature by feature, never crash the importer or the response engine; what each one comes to
/// is a reviewed snapshot (`published-questionnaires.txt`), so a change in what we accept fails here until reviewed.
/// Run with UPDATE_PUBLISHED_QUESTIONNAIRES=1 to rewrite the snapshot, then read its diff.
/// </summary>
public sealed class PublishedQuestionnairesShould
{
    private static readonly DefinitionValidator Validator = new();
    private static readonly string Root = Repository.Root;

    [Fact]
    public void ImportEachPublishedQuestionnaireOrNameWhatItDoesNotSupport()
    {
        var report = new StringBuilder();
        var forms = 0;
        foreach (var (package, file) in Files("Questionnaire-"))
        {
            forms++;
            var inspected = FormImport.Inspect(File.ReadAllText(file), Validator);
            report.Append(package).Append('/').Append(Path.GetFileName(file)).Append(": ").AppendLine(Describe(inspected));
            if (inspected.Questionnaire is null)
            {
                // Unreadable: every problem says where (a path into the resource), so an admin can find it.
                Assert.All(inspected.Problems, p => Assert.False(string.IsNullOrEmpty(p.Path), $"{file}: {p.Message}"));
            }
            else
            {
                // Every problem is attributed: an item's link id, or a path for the form as a whole.
                Assert.All(inspected.Problems, p => Assert.True(p.LinkId is not null || !string.IsNullOrEmpty(p.Path), $"{file}: {p.Code} {p.Message}"));
                Assert.Equal(inspected.UnsupportedFeatures.Count > 0, inspected.Problems.Any(p => p.Code == FormProblemCodes.Unsupported));
            }
        }

        foreach (var (package, file) in Files("QuestionnaireResponse-"))
        {
            report.Append(package).Append('/').Append(Path.GetFileName(file)).Append(": ").AppendLine(Answer(package, file));
        }

        // Both packages together ship 43 forms; far fewer means the files are not where the test looks.
        Assert.True(forms >= 40, $"only {forms} published Questionnaires found under tests/fhir-packages; run ./ehr test, which fetches them");
        Snapshot(report.ToString());
    }

    [Theory]
    // Expected values worked out apart from the engine, from the published coefficients (Python, double precision).
    [InlineData("LA2-8", 55, "Y", 140, 213, 50, "N", 0.15284677799572166, "15.28%")]
    [InlineData("LA3-6", 62, "N", 130, 180, 60, "Y", 0.0241440069563279, "2.41%")]
    public void CalculateThePublishedFraminghamRiskAsItsFormulasSay(string sex, int age, string smokes, int systolic, int cholesterol, int hdl,
        string antihypertensive, double risk, string percentage)
    {
        // LHC-Forms' Framingham hard-CHD form (shipped in the SDC guide): fifteen form-level variables, ln/exp/power and
        // nested iif, computed on the server.
        var file = Files("Questionnaire-").Single(f => Path.GetFileName(f.File) == "Questionnaire-questionnaire-sdc-profile-example-framingham-hchd-lhc.json").File;
        var inspected = FormImport.Inspect(File.ReadAllText(file), Validator);
        Assert.True(inspected.ImportsCleanly, Describe(inspected));
        var q = inspected.Questionnaire!;
        DataType Option(string linkId, string code) =>
            Questions(q.Item).Single(i => i.LinkId == linkId).AnswerOption.Select(o => o.Value).OfType<Coding>().Single(c => c.Code == code);

        var outcome = new ResponseEngine().Process(q, Forms.R(q,
            Forms.A("/age", new FhirDecimal(age)), Forms.A("/46098-0", Option("/46098-0", sex)), Forms.A("/smokes", Option("/smokes", smokes)),
            Forms.A("/8480-6", new FhirDecimal(systolic)), Forms.A("/2093-3", new FhirDecimal(cholesterol)), Forms.A("/2085-9", new FhirDecimal(hdl)),
            Forms.A("/antihypertensive", Option("/antihypertensive", antihypertensive)),
            Forms.A("riskPercentage", new FhirString("0%"))));

        Assert.Empty(outcome.Problems);
        var computed = (double)((FhirDecimal)Assert.Single(Forms.Answers(outcome.Response, "riskDecimal"))).Value!.Value;
        Assert.Equal(risk, computed, 1e-9);
        Assert.Equal(percentage, ((FhirString)Assert.Single(Forms.Answers(outcome.Response, "riskPercentage"))).Value);
    }

    private static string Describe(ImportReport report)
    {
        if (report.ImportsCleanly) return "clean";
        if (report.Questionnaire is null) return "unreadable: " + string.Join("; ", report.Problems.Select(p => $"{p.Code} at {p.Path}"));
        var parts = new List<string>();
        if (report.UnsupportedFeatures.Count > 0) parts.Add("unsupported " + string.Join(", ", report.UnsupportedFeatures));
        var other = report.Problems.Where(p => p.Code != FormProblemCodes.Unsupported)
            .Select(p => $"{p.Code}@{p.LinkId ?? p.Path}").Distinct().Order(StringComparer.Ordinal).ToList();
        if (other.Count > 0) parts.Add("problems " + string.Join(", ", other));
        return string.Join("; ", parts);
    }

    // A published response processed against the questionnaire it names, when that one is in the same package: the
    // engine must finish (recomputing what it calculates) and say what it finds, whatever the response holds.
    private static string Answer(string package, string file)
    {
        QuestionnaireResponse response;
        try
        {
            response = new FhirJsonDeserializer().Deserialize<QuestionnaireResponse>(File.ReadAllText(file));
        }
        catch (DeserializationFailedException e)
        {
            return "unreadable response (" + e.Exceptions.Count + " problems)";
        }

        var canonical = response.Questionnaire?.Split('|')[0];
        var target = Files("Questionnaire-").Where(f => f.Package == package)
            .Select(f => FormImport.Inspect(File.ReadAllText(f.File), Validator).Questionnaire)
            .FirstOrDefault(q => q is not null && canonical is not null && (q.Url == canonical || canonical.EndsWith("/" + q.Id, StringComparison.Ordinal)));
        if (target is null) return $"answers {canonical ?? "(no questionnaire)"}, not in this package";
        var outcome = new ResponseEngine().Process(target, response, ResponseCheck.Save);
        var codes = outcome.Problems.Select(p => p.Code).Distinct().Order(StringComparer.Ordinal).ToList();
        return $"against {target.Id}: " + (codes.Count == 0 ? "no problems" : string.Join(", ", codes));
    }

    private static IEnumerable<Questionnaire.ItemComponent> Questions(IEnumerable<Questionnaire.ItemComponent> items) =>
        items.SelectMany(i => Questions(i.Item).Prepend(i));

    private static IEnumerable<(string Package, string File)> Files(string prefix)
    {
        var list = Path.Combine(Root, "tests", "fhir-packages", "packages.tsv");
        foreach (var line in File.ReadLines(list).Where(l => l.Length > 0 && !l.StartsWith('#')))
        {
            var columns = line.Split('\t');
            var package = columns[0] + "-" + columns[1];
            var dir = Path.Combine(Root, "tests", "fhir-packages", package);
            Assert.True(Directory.Exists(dir), $"{dir} is missing: ./ehr test fetches the published FHIR packages before running the tests.");
            foreach (var file in Directory.EnumerateFiles(dir, prefix + "*.json").Order(StringComparer.Ordinal))
            {
                yield return (package, file);
            }
        }
    }

    private static void Snapshot(string actual)
    {
        var path = Path.Combine(Root, "tests", "Ehr.Tests", "Forms", "published-questionnaires.txt");
        if (Environment.GetEnvironmentVariable("UPDATE_PUBLISHED_QUESTIONNAIRES") == "1")
        {
            File.WriteAllText(path, actual);
            return;
        }

        Assert.True(File.Exists(path), "published-questionnaires.txt is missing: run with UPDATE_PUBLISHED_QUESTIONNAIRES=1 and review it.");
        Assert.Equal(File.ReadAllText(path).ReplaceLineEndings(), actual.ReplaceLineEndings());
    }

}
