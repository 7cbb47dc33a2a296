namespace Ehr.Tests; public class SmokeShould { [Fact] public void Build() => Assert.True(true); }
