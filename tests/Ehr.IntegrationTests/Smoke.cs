namespace Ehr.IntegrationTests; public class SmokeShould { [Fact] public void Build() => Assert.True(true); }
