"""Second-factor changes in the audit trail, made through allauth's own MFA pages: adding an
authenticator app (with the recovery codes that come with it), renewing the recovery codes,
removing the app (and its recovery codes). Runs where ``allauth.mfa`` is installed (the
sign-in work installs it)."""

import pytest
from django.apps import apps
from django.test import Client

from home import audit
from home.models import AuditEntry
from tests.home.test_accounts import PASSWORD, verified_user

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not apps.is_installed("allauth.mfa"), reason="allauth.mfa is not installed"),
]
PROXY = "10.0.0.2"
CLIENT = "203.0.113.30"


@pytest.fixture(autouse=True)
def behind_the_load_balancer(settings):
    settings.IDEATORI_TRUSTED_PROXIES = ["10.0.0.0/24"]


def current_code(secret: str) -> str:
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def test_adding_renewing_and_removing_a_second_factor_is_recorded(
    django_capture_on_commit_callbacks,
):
    from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY

    nurse = verified_user("nurse@example.org")
    browser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
    browser.post("/en/accounts/login/", {"login": "nurse@example.org", "password": PASSWORD})

    browser.post("/en/accounts/reauthenticate/", {"password": PASSWORD})  # allauth asks
    browser.get("/en/accounts/2fa/totp/activate/")
    secret = browser.session[SECRET_SESSION_KEY]
    # allauth sends its signals once the change is committed.
    with django_capture_on_commit_callbacks(execute=True):
        added = browser.post("/en/accounts/2fa/totp/activate/", {"code": current_code(secret)})
    with django_capture_on_commit_callbacks(execute=True):
        renewed = browser.post("/en/accounts/2fa/recovery-codes/generate/")
    removed = browser.post("/en/accounts/2fa/totp/deactivate/")

    assert [r.status_code for r in (added, renewed, removed)] == [302, 302, 302]
    entries = AuditEntry.objects.filter(action__startswith="ideatori.mfa_").order_by("pk")
    assert [(e.action, e.data["authenticator"]) for e in entries] == [
        (audit.MFA_ADDED, "totp"),
        (audit.MFA_ADDED, "recovery_codes"),
        (audit.MFA_RESET, "recovery_codes"),
        (audit.MFA_REMOVED, "totp"),
        (audit.MFA_REMOVED, "recovery_codes"),  # left without a second factor, they go too
    ]
    assert {(e.user_id, e.address, e.object_id) for e in entries} == {
        (nurse.pk, CLIENT, str(nurse.pk))
    }
    assert entries[0].message == "Added a second factor: authenticator app"
