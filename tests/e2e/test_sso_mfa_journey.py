"""Staff sign-in in a real browser: a juror signs in through the organisation's identity
provider (a real OpenID Connect provider the test starts, tests.oidc_provider) and lands on
their jury page; a coordinator is made to set up an authenticator app before the admin, then
signs out and in again with a code. axe on every page of ours; screenshots of the new ones."""

import os
import time
from pathlib import Path

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import Group

from tests.e2e.accounts import PASSWORD, account, sign_in
from tests.factories import make_idea, make_juror, make_round
from tests.oidc_provider.fixture import PROVIDER_ID, running_identity_provider

SHOTS = Path(
    os.environ.get("IDEATORI_SCREENSHOT_DIR")
    or Path(__file__).resolve().parents[2] / "artefacts" / "screenshots"
)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"sso-mfa-{name}.png"), full_page=True)


def totp_code(secret: str, *, after: int | None = None) -> tuple[str, int]:
    """The app's code now, or in the first 30-second window after ``after`` (allauth takes a
    code once)."""
    counter = int(time.time()) // 30
    while after is not None and counter <= after:
        time.sleep(1)
        counter = int(time.time()) // 30
    return format_hotp_value(hotp_value(secret, counter)), counter


def test_staff_sign_in_with_the_organisation_and_a_second_factor(
    page, axe_check, live_server, settings
):
    settings.IDEATORI_ADMIN_REQUIRES_MFA = True
    competition = make_round(phase="judging")
    make_idea(competition=competition, title="Psychologist within reach")
    juror = account("maija.juror@city.example", first_name="Maija")
    juror.groups.add(Group.objects.get(name="Jurors"))
    make_juror(competition, juror)
    coordinator = account("kaisa.coordinator@city.example")
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    callback = f"{live_server.url}/en/accounts/oidc/{PROVIDER_ID}/login/callback/"
    people = [
        {
            "username": "maija",
            "email": "maija.juror@city.example",
            "password": "city-password-1",
            "first_name": "Maija",
        }
    ]

    with running_identity_provider(redirect_uris=[callback], people=people) as provider:
        settings.SOCIALACCOUNT_PROVIDERS = provider.app_settings(name="City sign-in")

        # The juror: the jury page asks them to sign in; they choose the city's sign-in.
        page.goto("/en/jury/")
        assert "/en/accounts/login/" in page.url
        axe_check(page)
        shot(page, "sign-in-with-organisation")
        with page.expect_navigation():
            page.get_by_role("link", name="Sign in with City sign-in").click()
        axe_check(page)
        with page.expect_navigation(url=f"{provider.url}/**"):
            page.get_by_role("button", name="Continue").click()
        page.fill("input[name=username]", "maija")
        page.fill("input[name=password]", "city-password-1")
        page.get_by_role("button", name="Sign in to the city").click()
        page.wait_for_url(f"{live_server.url}/en/jury/{competition.pk}/")
        assert competition.title in page.locator("main").inner_text()
        axe_check(page)
        assert SocialAccount.objects.get(provider=PROVIDER_ID).user == juror
        page.goto("/en/accounts/logout/")
        with page.expect_navigation():
            page.locator("main button[type=submit]").first.click()

    # The coordinator: signing in with a password, the admin first wants a second factor.
    sign_in(page, coordinator.email)
    page.goto("/admin/")
    assert "/en/accounts/" in page.url
    # allauth asks for the password again before a factor is added.
    assert "/en/accounts/reauthenticate/" in page.url
    axe_check(page)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    assert "/en/accounts/2fa/totp/activate/" in page.url
    axe_check(page)
    shot(page, "set-up-authenticator-app")
    secret = page.locator("#authenticator-secret").inner_text().strip()
    code, used = totp_code(secret)
    page.get_by_label("Authenticator code").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on").click()
    assert "/en/accounts/2fa/recovery-codes/" in page.url
    axe_check(page)
    shot(page, "recovery-codes")
    page.goto("/admin/")
    assert page.url == f"{live_server.url}/admin/"
    assert page.get_by_role("heading", name="Dashboard").count() or "Dashboard" in page.title()

    # Signed out and in again: the password, then a code from the app.
    page.goto("/en/accounts/logout/")
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    page.goto("/en/accounts/login/?next=/admin/")
    page.fill("input[name=login]", coordinator.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    assert "/en/accounts/2fa/authenticate/" in page.url
    axe_check(page)
    shot(page, "sign-in-code")
    code, _ = totp_code(secret, after=used)
    page.get_by_label("Code").fill(code)
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    assert page.url == f"{live_server.url}/admin/"
    assert "Dashboard" in page.content()

    page.goto("/en/accounts/2fa/")
    axe_check(page)
    shot(page, "two-factor-index")


def test_team_member_adds_and_removes_a_second_factor_from_their_profile(page, axe_check, settings):
    """Optional for everyone else: an authenticator app, then a security key (Chromium's
    virtual authenticator), every two-factor page they meet axe clean."""
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the live server speaks plain HTTP
    member = account("nurse@example.org")
    sign_in(page, member.email)
    page.goto("/en/my/profile/")
    with page.expect_navigation():
        page.get_by_role("link", name="Two-factor authentication").click()
    assert "An authenticator app is not active." in page.locator("main").inner_text()
    axe_check(page)

    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Activate").click()
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    secret = page.locator("#authenticator-secret").inner_text().strip()
    code, _ = totp_code(secret)
    page.get_by_label("Authenticator code").fill(code)
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on").click()

    # A security key: Chromium's virtual authenticator answers the browser's WebAuthn call.
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    page.goto("/en/accounts/2fa/webauthn/add/")
    axe_check(page)
    page.get_by_label("Name").fill("Work key")
    with page.expect_navigation():
        page.locator("#mfa_webauthn_add").click()
    assert Authenticator.objects.filter(user=member, type="webauthn").count() == 1
    page.goto("/en/accounts/2fa/")
    assert "You have added 1 security key." in page.locator("main").inner_text()

    for path in (
        "/en/accounts/2fa/webauthn/",
        "/en/accounts/2fa/reauthenticate/",
        "/en/accounts/2fa/recovery-codes/generate/",
        "/en/accounts/2fa/webauthn/add/",
        "/en/accounts/2fa/totp/deactivate/",
    ):
        page.goto(path)
        assert page.locator("main h1").count() == 1, path
        axe_check(page)
    shot(page, "turn-off-authenticator-app")
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    assert "An authenticator app is not active." in page.locator("main").inner_text()
