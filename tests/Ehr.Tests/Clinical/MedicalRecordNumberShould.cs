using Ehr.Clinical.Patients;

namespace Ehr.Tests.Clinical;

public sealed class MedicalRecordNumberShould
{
    [Fact]
    public void AppendALuhnCheckDigit()
    {
        Assert.Equal("10000008", MedicalRecordNumber.FromSequence(1000000));
        Assert.Equal("10000016", MedicalRecordNumber.FromSequence(1000001));
    }

    [Fact]
    public void RecogniseEverySingleDigitTypo()
    {
        var mrn = MedicalRecordNumber.FromSequence(1234567);
        Assert.True(MedicalRecordNumber.IsWellFormed(mrn));
        for (var i = 0; i < mrn.Length; i++)
        {
            for (var d = '0'; d <= '9'; d++)
            {
                if (d != mrn[i])
                {
                    var typo = mrn[..i] + d + mrn[(i + 1)..];
                    Assert.False(MedicalRecordNumber.IsWellFormed(typo), typo);
                }
            }
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("1000000A")]
    [InlineData("123456789012345678901")]
    public void RejectMalformedNumbers(string text) => Assert.False(MedicalRecordNumber.IsWellFormed(text));
}
