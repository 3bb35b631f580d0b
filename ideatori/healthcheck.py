"""The container's health check: ``python -m ideatori.healthcheck`` (the Dockerfile's HEALTHCHECK).

Asks ``/healthz`` of the gunicorn in this container at the address ``GUNICORN_BIND`` gives
(``0.0.0.0`` and ``::`` are asked on loopback, ``unix:PATH`` through the socket) and exits 0
only for a 200. Any Host header will do: the site answers ``/healthz`` before it checks the
host (``ideatori.middleware.HealthCheckMiddleware``), so ``DJANGO_ALLOWED_HOSTS`` need not name
the container. Needs neither Django nor the settings, so that it is quick every 30 seconds.
"""

import http.client
import os
import socket
import sys

DEFAULT_BIND = "0.0.0.0:8000"
TIMEOUT = 4


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.path)


def target(bind: str) -> tuple[str, str | int]:
    """Where to ask, from gunicorn's first bind: ``("unix", path)`` or ``(host, port)``."""
    bind = (bind.split(",")[0] or DEFAULT_BIND).strip()
    if bind.startswith("unix:"):
        return "unix", bind[len("unix:") :]
    if bind.startswith("["):
        host, _, rest = bind[1:].partition("]")
        port = rest.lstrip(":")
    else:
        host, _, port = bind.rpartition(":") if ":" in bind else (bind, "", "")
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return host, int(port or 8000)


def check(bind: str, timeout: float = TIMEOUT) -> tuple[bool, str]:
    """``(healthy, what the server said or why it could not be asked)``."""
    host, port = target(bind)
    if host == "unix":
        connection = UnixHTTPConnection(str(port), timeout=timeout)
    else:
        connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request("GET", "/healthz", headers={"Host": "localhost"})
        response = connection.getresponse()
        body = response.read(1000).decode(errors="replace")
    except OSError as error:
        return False, f"{bind}: {error}"
    finally:
        connection.close()
    return response.status == 200, f"{response.status} {body}"


def main() -> int:
    healthy, said = check(os.environ.get("GUNICORN_BIND", DEFAULT_BIND))
    print(said)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
