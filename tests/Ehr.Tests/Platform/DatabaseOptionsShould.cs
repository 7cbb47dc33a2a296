using Ehr.Platform.Database;
using Npgsql;

namespace Ehr.Tests.Platform;

public sealed class DatabaseOptionsShould
{
    [Fact]
    public void ReadAPostgresUrlWithAnEncodedPassword()
    {
        var built = new NpgsqlConnectionStringBuilder(
            new DatabaseOptions { Url = "postgres://ehr:p%40ss%2Fword@127.0.0.1:55432/ehr?sslmode=disable" }.BuildConnectionString());

        Assert.Equal(("127.0.0.1", 55432, "ehr", "ehr", "p@ss/word"), (built.Host, built.Port, built.Database, built.Username, built.Password));
        Assert.Equal(SslMode.Disable, built.SslMode);
    }

    [Fact]
    public void AlwaysResetSessionStateWhenAConnectionReturnsToThePool()
    {
        var built = new NpgsqlConnectionStringBuilder(
            new DatabaseOptions { Url = "Host=db;Database=ehr;Username=ehr;No Reset On Close=true;Search Path=public" }.BuildConnectionString());

        Assert.False(built.NoResetOnClose);
        Assert.Null(built.SearchPath);
    }

    [Fact]
    public void ReachTheClusterThroughItsUnixSocketWhenTheUrlNamesItsDirectory()
    {
        var built = new NpgsqlConnectionStringBuilder(
            new DatabaseOptions { Url = "postgres://ehr:secret@127.0.0.1:55433/ehr?host=/tmp/ehr-pg-abc/data" }.BuildConnectionString());

        // Npgsql takes a host that starts with a slash as the directory of the socket .s.PGSQL.<port>.
        Assert.Equal(("/tmp/ehr-pg-abc/data", 55433, "ehr"), (built.Host, built.Port, built.Database));
    }

    [Fact]
    public void PrepareRepeatedStatementsUnlessTurnedOff()
    {
        var on = new NpgsqlConnectionStringBuilder(new DatabaseOptions { Url = "Host=db;Database=ehr;Username=ehr" }.BuildConnectionString());
        var off = new NpgsqlConnectionStringBuilder(
            new DatabaseOptions { Url = "Host=db;Database=ehr;Username=ehr", MaxAutoPrepare = 0 }.BuildConnectionString());

        Assert.Equal((128, 2), (on.MaxAutoPrepare, on.AutoPrepareMinUsages));
        Assert.Equal(0, off.MaxAutoPrepare);
    }

    [Fact]
    public void RefuseToStartWithoutADatabase() =>
        Assert.Throws<InvalidOperationException>(() => new DatabaseOptions().BuildConnectionString());
}
