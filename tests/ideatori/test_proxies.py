import pytest

from ideatori.proxies import client_address, trusted_proxies

TRUSTED = ("10.0.0.0/24", "fd00::/8")


@pytest.mark.parametrize(
    ("peer", "forwarded_for", "client"),
    [
        ("198.51.100.9", "203.0.113.7", "198.51.100.9"),  # not from a proxy: header ignored
        ("10.0.0.2", "203.0.113.7", "203.0.113.7"),
        ("10.0.0.2", "203.0.113.7, 10.0.0.3", "203.0.113.7"),  # two proxies of ours
        ("10.0.0.2", "1.1.1.1, 203.0.113.7", "203.0.113.7"),  # what the client wrote is skipped
        ("10.0.0.2", "garbage, 203.0.113.7", "203.0.113.7"),
        ("10.0.0.2", "203.0.113.7:4711", "203.0.113.7"),
        ("10.0.0.2", "[2001:db8::1]:4711", "2001:db8::1"),
        ("10.0.0.2", "2001:db8::1", "2001:db8::1"),
        ("fd00::2", "203.0.113.7", "203.0.113.7"),
        ("::ffff:10.0.0.2", "203.0.113.7", "203.0.113.7"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "garbage", "10.0.0.2"),
        ("10.0.0.2", " , ,", "10.0.0.2"),
        ("10.0.0.2", "300.1.2.3", "10.0.0.2"),
        ("10.0.0.2", "203.0.113.7, garbage", "10.0.0.2"),
        ("10.0.0.2", "203.0.113.7, 10.0.0.3, [::1", "10.0.0.2"),
        ("", "203.0.113.7", ""),
        ("not-an-address", "203.0.113.7", "not-an-address"),
    ],
)
def test_client_address_walks_forwarded_for_past_trusted_proxies_only(peer, forwarded_for, client):
    assert client_address(peer, forwarded_for, TRUSTED) == client


def test_trusted_proxies_reads_addresses_and_networks():
    assert trusted_proxies(" 10.0.0.7/8, 192.0.2.10 ,fd00::/8,") == [
        "10.0.0.0/8",
        "192.0.2.10/32",
        "fd00::/8",
    ]
    assert trusted_proxies("") == []
    assert trusted_proxies(None) == ["127.0.0.1/32", "::1/128"]


@pytest.mark.parametrize("value", ["10.0.0.300", "loadbalancer", "10.0.0.0/33", "*"])
def test_trusted_proxies_refuses_what_is_not_an_address(value):
    with pytest.raises(ValueError, match="is not an IP address or network"):
        trusted_proxies(value)
