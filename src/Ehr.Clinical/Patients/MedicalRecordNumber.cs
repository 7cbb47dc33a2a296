namespace Ehr.Clinical.Patients;

/// <summary>
/// Medical record numbers: a tenant-wide sequence (starting at 1,000,000) followed by a Luhn check digit, so a
/// mistyped MRN is recognised as invalid instead of finding another patient.
/// </summary>
internal static class MedicalRecordNumber
{
    public static string FromSequence(long sequence)
    {
        var body = sequence.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return body + CheckDigit(body);
    }

    public static bool IsWellFormed(string mrn) =>
        mrn.Length is >= 2 and <= 20 && mrn.All(char.IsAsciiDigit) && CheckDigit(mrn[..^1]) == mrn[^1] - '0';

    private static int CheckDigit(string digits)
    {
        var sum = 0;
        var doubleIt = true;
        for (var i = digits.Length - 1; i >= 0; i--)
        {
            var d = digits[i] - '0';
            if (doubleIt)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            doubleIt = !doubleIt;
        }

        return (10 - (sum % 10)) % 10;
    }
}
