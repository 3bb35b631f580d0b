"""Who the client is when requests arrive through proxies we run (the load balancer).

Only a proxy named in ``IDEATORI_TRUSTED_PROXIES`` (``DJANGO_TRUSTED_PROXIES``) is believed:
its ``X-Forwarded-For`` says who the client is and its ``X-Forwarded-Proto`` whether the
client spoke HTTPS. From anyone else those headers are removed before Django reads them.

The client is found as a load balancer's own documentation says: walk ``X-Forwarded-For``
from the right (the entry the nearest proxy appended) past every trusted proxy; the first
address that is not a trusted proxy is the client. Whatever a client wrote further left is
never read, and an entry that is not an address stops the walk at the last address known,
so a malformed header leaves the proxy's own address rather than an error.
"""

import ipaddress
import re
from collections.abc import Iterable
from functools import lru_cache

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Every X-Forwarded-* header a proxy may set, as Django's request.META names them.
FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PROTOCOL",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_FORWARDED",
)


_BRACKETED = re.compile(r"\[([0-9A-Fa-f:.]+)\](?::[0-9]{1,5})?")
_WITH_PORT = re.compile(r"([0-9.]+):[0-9]{1,5}")

# A proxy on the same machine, as gunicorn's own forwarded_allow_ips assumes.
DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1"


def trusted_proxies(value: str | None) -> list[str]:
    """``DJANGO_TRUSTED_PROXIES`` read: comma-separated addresses or networks, normalised
    (``10.0.0.0/8``); ``DEFAULT_TRUSTED_PROXIES`` when unset. ValueError names a bad item."""
    if value is None:
        value = DEFAULT_TRUSTED_PROXIES
    return [str(network) for network in parse_networks(i for i in value.split(",") if i.strip())]


def parse_networks(items: Iterable[str]) -> tuple[Network, ...]:
    """Addresses or networks (``10.0.0.5``, ``10.0.0.0/8``, ``fd00::/8``); ValueError names a
    bad one."""
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError as error:
            raise ValueError(f"{item!r} is not an IP address or network") from error
    return tuple(networks)


@lru_cache(maxsize=8)
def _networks(items: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(items)


def parse_address(text: str) -> Address | None:
    """One address as proxies write it, or None: an IPv6 address may come in brackets, and
    a port after an IPv4 address or a bracketed IPv6 address is dropped."""
    text = text.strip()
    match = _BRACKETED.fullmatch(text) or _WITH_PORT.fullmatch(text)
    try:
        return ipaddress.ip_address(match.group(1) if match else text)
    except ValueError:
        return None


def is_trusted(address: Address | None, trusted: Iterable[str]) -> bool:
    if address is None:
        return False
    address = getattr(address, "ipv4_mapped", None) or address
    return any(address in network for network in _networks(tuple(trusted)))


def client_address(peer: str, forwarded_for: str, trusted: Iterable[str]) -> str:
    """The client's address, given the connection's peer and the ``X-Forwarded-For`` header.

    ``peer`` is returned unchanged when it is not a trusted proxy.
    """
    trusted = tuple(trusted)
    current = parse_address(peer)
    if not is_trusted(current, trusted):
        return peer
    for entry in reversed(forwarded_for.split(",") if forwarded_for else []):
        address = parse_address(entry)
        if address is None:
            break
        current = address
        if not is_trusted(current, trusted):
            break
    return str(current)
