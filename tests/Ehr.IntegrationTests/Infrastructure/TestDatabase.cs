using System.Diagnostics;

namespace Ehr.IntegrationTests.Infrastructure;

/// <summary>
/// The PostgreSQL cluster the tests use: <c>EHR_TEST_DATABASE_URL</c> when <c>./ehr test</c> started one, otherwise a
/// throwaway cluster started (and removed at exit) through <c>./ehr pg-start --test</c>, so cluster handling lives in
/// one place. Never a stand-in: tests run against the real database.
/// </summary>
public static class TestDatabase
{
    private static readonly Lazy<string> LazyUrl = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Url => LazyUrl.Value;

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>
    /// The certificate that encrypts the Data Protection key ring, one per cluster: every host of every test process
    /// (integration and browser tests run side by side on one cluster) must read the keys the others wrote.
    /// </summary>
    public static string KeyRingCertificate => LazyKeyRingCertificate.Value;

    private static readonly Lazy<string> LazyKeyRingCertificate = new(() =>
    {
        var name = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Url)))[..16];
        var path = Path.Combine(Path.GetTempPath(), $"ehr-test-keyring-{name}.pfx");
        Ehr.Platform.Identity.KeyEncryptionCertificate.LoadOrCreate(path).Dispose();
        return path;
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    private static string Start()
    {
        var url = Environment.GetEnvironmentVariable("EHR_TEST_DATABASE_URL");
        if (!string.IsNullOrEmpty(url))
        {
            return url;
        }

        var script = Path.Combine(RepoRoot, "ehr");
        var psi = new ProcessStartInfo("bash", [script, "pg-start", "--test"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoRoot,
        };
        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (process.ExitCode != 0 || lines.Length < 2 || !lines[^1].StartsWith("postgres://", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Could not start a test PostgreSQL cluster (./ehr pg-start --test, exit {process.ExitCode}):\n{output}\n{errors}");
        }

        var dir = lines.Last(l => l.StartsWith("DIR=", StringComparison.Ordinal))[4..];
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            using var stop = Process.Start(new ProcessStartInfo("bash", [script, "pg-stop", dir]) { RedirectStandardOutput = true, RedirectStandardError = true });
            stop?.WaitForExit(30_000);
        };
        return lines[^1];
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Ehr.Saas.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Ehr.Saas.sln not found above the test binaries.");
    }
}
