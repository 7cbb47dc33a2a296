using Ehr.IntegrationTests.Infrastructure;
using Ehr.IntegrationTests.Patients;
using static Ehr.IntegrationTests.Forms.FormGraph;

namespace Ehr.IntegrationTests.Forms;

/// <summary>Starter packs' forms: a new tenant starts with its specialty's library forms published as tenant standards.</summary>
public sealed class FormPacksShould
{
    [Theory]
    [InlineData("primary-care", "audit-c,consent-to-treatment,fall-risk-morse,gad-7,medical-history,pain-assessment,patient-intake,phq-9,review-of-systems")]
    [InlineData("behavioral-health", "audit-c,consent-to-treatment,gad-7,medical-history,patient-intake,phq-9")]
    [InlineData("dermatology", "consent-to-treatment,medical-history,pain-assessment,patient-intake,review-of-systems")]
    public async Task PublishAPacksFormsAsTheNewTenantsStandards(string pack, string keys)
    {
        var host = await TestHost.SharedAsync();
        var tenant = await host.CreateTenantAsync("form-pack", pack);
        using var nurse = host.Client(host.Token(tenant.Slug, "nurse.packs", "nurse"));

        var forms = (await nurse.DataAsync(List, "formDefinitions", new { standard = true })).AsArray();

        Assert.Equal(keys.Split(','), forms.Select(f => f!["key"]!.GetValue<string>()));
        Assert.All(forms, f => Assert.Equal(("published", 1, $"pack:{pack}", $"From the {pack} starter pack."),
            (f!["status"]!.GetValue<string>(), f["version"]!.GetValue<int>(), f["source"]!.GetValue<string>(), f["note"]!.GetValue<string>())));
        var library = await File.ReadAllTextAsync(Path.Combine(TestDatabase.RepoRoot, "form-definitions", "patient-intake.json"));
        Assert.Equal(library, forms.Single(f => f!["key"]!.GetValue<string>() == "patient-intake")!["content"]!.GetValue<string>());

        var patient = (await nurse.RegisterAsync(PatientGraph.Input("Pack", "Patient")))["id"]!.GetValue<string>();
        var started = await nurse.DataAsync(Start, "startFormResponse", new { input = new { patientId = patient, formKey = "patient-intake" } });
        Assert.Equal(forms.Single(f => f!["key"]!.GetValue<string>() == "patient-intake")!["id"]!.GetValue<string>(), started["formId"]!.GetValue<string>());
    }
}
