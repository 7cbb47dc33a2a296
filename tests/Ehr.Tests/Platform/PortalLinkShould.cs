using Ehr.Platform.Identity.Portal;

namespace Ehr.Tests.Platform;

public sealed class PortalLinkShould
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void WaitForItsInvitationThenApplyUntilItExpires()
    {
        var link = PortalLink.Create(Guid.NewGuid(), Guid.NewGuid(), null, Guid.NewGuid(), "parent", Now.AddDays(1), "front.desk", Now);

        Assert.Equal(PortalLinkStatus.Pending, link.StatusAt(Now));
        link.AttachTo(Guid.NewGuid());
        Assert.Equal(PortalLinkStatus.Active, link.StatusAt(Now.AddHours(23)));
        Assert.Equal(PortalLinkStatus.Expired, link.StatusAt(Now.AddDays(1)));
        Assert.False(link.IsLiveAt(Now.AddDays(1)));
        Assert.Throws<InvalidOperationException>(() => link.AttachTo(Guid.NewGuid()));
    }

    [Fact]
    public void StayRevokedAndKeepWhoRevokedItFirst()
    {
        var link = PortalLink.Create(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), null, "self", null, "front.desk", Now);

        link.Revoke("admin.one", Now.AddMinutes(1));
        link.Revoke("admin.two", Now.AddMinutes(2));

        Assert.Equal(PortalLinkStatus.Revoked, link.StatusAt(Now.AddMinutes(3)));
        Assert.Equal(("admin.one", Now.AddMinutes(1)), (link.RevokedBy, link.RevokedAt));
        Assert.Equal(2, link.Version);
    }

    [Fact]
    public void BelongToSomeone() =>
        Assert.Throws<ArgumentException>(() => PortalLink.Create(Guid.NewGuid(), Guid.NewGuid(), null, null, "self", null, "x", Now));
}
