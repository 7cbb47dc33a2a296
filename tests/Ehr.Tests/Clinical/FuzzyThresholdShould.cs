using Ehr.Clinical.Patients;

namespace Ehr.Tests.Clinical;

public sealed class FuzzyThresholdShould
{
    [Theory]
    [InlineData("smtih", 0.3)]
    [InlineData("jonhson", 0.313)]
    [InlineData("quixtoez1a2b", 0.509)]
    [InlineData("abcdefghijklmnopqrstuvwxyz", 0.6)]
    public void AdmitOneTranspositionAndNoMore(string word, double expected) =>
        Assert.Equal(expected, SearchPatients.FuzzyThreshold([word]), 3);

    [Fact]
    public void UseTheLoosestWordAndIgnoreShortOnes()
    {
        Assert.Equal(0.3, SearchPatients.FuzzyThreshold(["ab", "smtih", "jonhson"]), 2);
        Assert.Equal(0.6, SearchPatients.FuzzyThreshold(["ab"]), 2);
        Assert.Equal(0.3, SearchPatients.FuzzyThreshold(["abcd"]), 2);
    }
}
