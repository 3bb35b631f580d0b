"""Starting and stopping the test identity provider (see the package's docstring)."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
PROVIDER_ID = "organisation"
CLIENT_ID = "ideatori"
CLIENT_SECRET = "a-secret-the-provider-and-the-site-share"  # noqa: S105


@dataclass
class IdentityProvider:
    url: str
    mode_file: Path
    log_file: Path
    people: dict = field(default_factory=dict)

    @property
    def server_url(self) -> str:
        return f"{self.url}/o"

    def issue(self, mode: str) -> None:
        """How the next ID tokens are made: signed, mfa (signed, amr naming a second factor),
        unsigned (alg none), expired, other-audience, foreign-key (signed by another key)."""
        self.mode_file.write_text(mode)

    def app_settings(self, name: str = "City sign-in", **environment: str) -> dict:
        """Ideatori's SOCIALACCOUNT_PROVIDERS for this provider, made from the environment
        variables a deployment would set."""
        from ideatori.settings.sso import sso_providers

        return sso_providers(
            {
                "IDEATORI_OIDC_SERVER_URL": self.server_url,
                "IDEATORI_OIDC_CLIENT_ID": CLIENT_ID,
                "IDEATORI_OIDC_CLIENT_SECRET": CLIENT_SECRET,
                "IDEATORI_OIDC_NAME": name,
            }
            | environment
        )

    def log(self) -> str:
        return self.log_file.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@contextlib.contextmanager
def running_identity_provider(*, redirect_uris: list[str], people: list[dict]):
    """A provider process on 127.0.0.1 with a new RSA key, for the redirect URIs given and
    these people (username, email, password, first_name, last_name, verified)."""
    with tempfile.TemporaryDirectory(prefix="ideatori-idp-") as folder:
        folder = Path(folder)
        port = _free_port()
        mode_file = folder / "mode"
        mode_file.write_text("signed")
        log_file = folder / "provider.log"
        env = os.environ | {
            "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
            "PYTHONPATH": str(ROOT),
            "IDP_DATABASE": str(folder / "idp.sqlite3"),
            "IDP_RSA_PRIVATE_KEY": _private_key_pem(),
            "IDP_MODE_FILE": str(mode_file),
            "IDP_UNVERIFIED_EMAILS": json.dumps(
                [p["email"] for p in people if not p.get("verified", True)]
            ),
            "IDP_CLIENT": json.dumps(
                {
                    "client_id": CLIENT_ID,
                    "client_secret": CLIENT_SECRET,
                    "redirect_uris": redirect_uris,
                }
            ),
            "IDP_PEOPLE": json.dumps(people),
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        with log_file.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "tests.oidc_provider.serve", str(port)],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        provider = IdentityProvider(
            url=f"http://127.0.0.1:{port}",
            mode_file=mode_file,
            log_file=log_file,
            people={p["email"]: p for p in people},
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    answer = requests.get(
                        f"{provider.server_url}/.well-known/openid-configuration", timeout=2
                    )
                    if answer.ok:
                        break
                except requests.ConnectionError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"The identity provider did not start:\n{provider.log()}")
                time.sleep(0.2)
            yield provider
        finally:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()


def sign_in_at_provider(provider: IdentityProvider, authorize_url: str, email: str) -> str:
    """What a browser does at the provider: follow the authorisation request to its sign-in
    form, sign in as ``email``, and return where the provider sends the person back (the
    site's callback address with the code and state)."""
    import re

    session = requests.Session()
    answer = session.get(authorize_url, allow_redirects=True, timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', answer.text).group(1)
    person = provider.people[email]
    answer = session.post(
        answer.url,
        data={
            "csrfmiddlewaretoken": token,
            "username": person["username"],
            "password": person["password"],
            "next": re.search(r'name="next" value="([^"]*)"', answer.text)
            .group(1)
            .replace("&amp;", "&"),
        },
        headers={"Referer": answer.url},
        allow_redirects=False,
        timeout=10,
    )
    while answer.is_redirect and answer.headers["Location"].startswith(("/", provider.url)):
        location = answer.headers["Location"]
        if location.startswith("/"):
            location = provider.url + location
        answer = session.get(location, allow_redirects=False, timeout=10)
    assert answer.is_redirect, f"The provider did not send the person back:\n{answer.text[:2000]}"
    return answer.headers["Location"]
