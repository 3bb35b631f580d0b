"""The Content-Security-Policy and Permissions-Policy every response carries, read from the
headers as a browser reads them. That the pages also run under them with nothing refused is
shown in Chromium by tests/e2e/test_security_headers.py."""

import json
import re
import urllib.request

import pytest
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import URLPattern, resolve, reverse
from wagtail.models import Site

from home.models import SiteSettings
from ideas import urls as ideas_urls
from ideas.services import invite_member
from judging import urls as judging_urls
from judging.services import add_juror_by_email
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_innovation,
    make_juror,
    make_round,
    make_showcase,
    make_standard_page,
    make_team,
)
from tests.home.test_production_settings import printed_setting, run_manage
from tests.ideatori.servers import gunicorn

# Routes of the team's and the juror's apps that answer only POST (their GET is 405), or
# hand over a file or a feed rather than a page; every other route must be in PAGES' reach.
NOT_PAGES = {
    "ideas:autosave",
    "ideas:status",
    "ideas:restore",
    "ideas:upload",
    "ideas:attachment",
    "ideas:remove_attachment",
    "ideas:resend_invitation",
    "ideas:cancel_invitation",
    "ideas:membership",
    "ideas:feed",
    "judging:attachment",
    "judging:packet",
    "judging:document",
}


def directives(header: str) -> dict[str, list[str]]:
    """A policy as a browser splits it: directive name → its sources."""
    parsed = {}
    for part in header.split(";"):
        name, *sources = part.split()
        parsed.setdefault(name.lower(), sources)
    return parsed


def script_sources(policy: dict[str, list[str]]) -> list[str]:
    """Every source a script may come from: script-src and its -elem and -attr refinements,
    or default-src where script-src is missing."""
    found = []
    for name in ("script-src", "script-src-elem", "script-src-attr"):
        found += policy.get(name, [])
    return found or policy.get("default-src", [])


@pytest.fixture
def world(db):
    competition = make_round(phase="judging", title="Autumn round", slug="autumn")
    lead = UserFactory()
    draft = make_idea(
        team=make_team(lead=lead), competition=make_round(phase="open"), title="Shared desk"
    )
    submitted = make_idea(competition=competition, status="submitted")
    juror = make_juror(competition)
    make_assignment(juror, submitted)
    # A round whose judging has closed: its jury meets.
    deliberating = make_round(phase="deliberation", title="Spring round", slug="spring")
    make_juror(deliberating, juror, role="chair")
    make_assignment(juror, make_idea(competition=deliberating, status="submitted"))
    innovation = make_innovation(make_round(phase="results"))
    make_showcase()
    about = make_standard_page(title="About", slug="about")
    coordinator = UserFactory()
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    _, team_token = invite_member(team=draft.team, email="new@example.org", by=lead)
    jury_token = add_juror_by_email(
        competition=competition,
        name="New",
        email="new.juror@example.org",
        language="en",
        by=coordinator,
    ).token
    return {
        "public": [
            "/en/",
            "/fi/",
            competition.url,
            innovation.url,
            "/en/innovations/",
            about.url,
            "/en/accounts/login/",
            "/en/accounts/signup/",
            "/en/accounts/password/reset/",
            "/en/no-such-page/",
            "/en/invitations/no-such-link/",
            "/en/jury/invitations/no-such-link/",
            f"/en/invitations/{team_token}/",
            f"/en/jury/invitations/{jury_token}/",
        ],
        "team": (
            lead,
            [
                reverse("ideas:profile"),
                reverse("ideas:my_ideas"),
                reverse("ideas:start", args=[draft.competition_id]),
                reverse("ideas:idea", args=[draft.pk]),
                reverse("ideas:history", args=[draft.pk]),
                reverse("ideas:new_team"),
                reverse("ideas:team", args=[draft.team_id]),
                reverse("ideas:edit_team", args=[draft.team_id]),
                "/en/accounts/email/",
                "/en/accounts/password/change/",
                "/en/accounts/logout/",
            ],
        ),
        "juror": (
            juror,
            [
                reverse("judging:home"),
                reverse("judging:assigned", args=[competition.pk]),
                reverse("judging:declare_any_conflict", args=[competition.pk]),
                reverse("judging:review", args=[submitted.pk]),
                reverse("judging:declare_conflict", args=[submitted.pk]),
                reverse("judging:meeting", args=[deliberating.pk]),
            ],
        ),
        "coordinator": coordinator,
        "innovation": innovation,
    }


def pages_of(world) -> list[tuple[object, str]]:
    return (
        [(None, path) for path in world["public"]]
        + [(world["team"][0], path) for path in world["team"][1]]
        + [(world["juror"][0], path) for path in world["juror"][1]]
    )


def test_every_page_route_of_the_team_and_the_jury_is_checked(world):
    routes = {
        f"{module.app_name}:{pattern.name}"
        for module in (ideas_urls, judging_urls)
        for pattern in module.urlpatterns
        if isinstance(pattern, URLPattern)
    }
    checked = {
        path
        for _, path in pages_of(world)
        if path.startswith(("/en/my/", "/en/jury/", "/en/invitations/"))
        and "no-such-link" not in path
    }
    reached = {
        f"{match.namespace}:{match.url_name}"
        for match in (resolve(path) for path in checked)
        if match.namespace
    }

    assert routes - NOT_PAGES - reached == set()


def test_public_team_and_juror_pages_allow_no_inline_script(client, world):
    for user, path in pages_of(world):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(path, follow=True)
        assert response.status_code in (200, 404), (path, response.status_code)
        assert response["Content-Type"].startswith("text/html"), path
        policy = directives(response["Content-Security-Policy"])
        scripts = script_sources(policy)

        assert scripts, path
        assert not {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:"} & set(
            scripts
        ), (path, scripts)
        assert policy["object-src"] == ["'none'"], path
        assert policy["base-uri"] == ["'self'"], path
        assert policy["frame-ancestors"] == ["'none'"], path
        assert "'unsafe-inline'" not in policy["style-src"], path
        assert policy["report-uri"] == ["/csp-report/"], path
        assert policy["report-to"] == ["csp"], path
        assert response["Reporting-Endpoints"] == 'csp="/csp-report/"', path


def test_the_site_colours_come_from_a_versioned_stylesheet_and_pages_need_no_nonce(client, world):
    # The inline <style> with a per-response nonce became a stylesheet: a page kept in the
    # page cache would otherwise replay a nonce that no longer matches its header.
    site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    site_settings.primary_colour = "#0000bf"
    site_settings.save()

    page = client.get("/en/")
    link = re.search(r'<link rel="stylesheet" href="(/site-colours\.css\?v=[0-9a-f]*)">', page.text)
    stylesheet = client.get(link.group(1))

    assert "<style" not in page.text and "'nonce-" not in page["Content-Security-Policy"]
    assert link.group(1) == "/site-colours.css?v=0000bf"
    assert stylesheet["Content-Type"].startswith("text/css")
    assert "--ideatori-primary: #0000bf;" in stylesheet.content.decode()
    assert "<script>" not in page.text and " onclick=" not in page.text


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/judging/", "/admin/snippets/ideas/serviceunit/", "/admin/pages/"],
)
def test_admin_pages_get_the_admin_policy(client, world, path):
    client.force_login(world["coordinator"])

    response = client.get(path)

    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert "'unsafe-eval'" not in script_sources(policy)
    assert "'nonce-" not in response["Content-Security-Policy"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["connect-src"] == ["'self'"]
    # Nothing in the admin asks another origin: no Gravatar, no Wagtail update check.
    assert "gravatar.com" not in response.text
    assert "data-w-upgrade" not in response.text


def test_a_page_preview_in_the_admin_gets_the_admin_policy(world):
    """Wagtail renders a preview through the middleware again, with a dummy request for the
    page's own address; framed by the admin, it needs the admin's policy."""
    request = RequestFactory().get("/admin/pages/1/edit/preview/")
    request.user = world["coordinator"]

    response = world["innovation"].make_preview_request(request)

    policy = directives(response["Content-Security-Policy"])
    assert response.status_code == 200
    assert policy["frame-ancestors"] == ["'self'"]
    assert policy["script-src"] == ["'self'", "'unsafe-inline'"]


def test_every_response_denies_the_browser_features_the_site_does_not_use(client, world):
    client.force_login(world["coordinator"])
    for path in ("/en/", "/admin/", "/csp-report/"):
        response = client.get(path)
        features = dict(
            item.strip().split("=", 1) for item in response["Permissions-Policy"].split(",")
        )

        for feature in (
            "camera",
            "microphone",
            "geolocation",
            "payment",
            "usb",
            "serial",
            "display-capture",
            "hid",
            "midi",
        ):
            assert features[feature] == "()", (path, feature)
        # Security keys (WebAuthn) stay usable by the site itself, for multi-factor sign-in.
        assert features["publickey-credentials-get"] == "(self)"
        assert features["publickey-credentials-create"] == "(self)"


def test_production_names_the_identity_providers_origin_in_form_action_and_passes_deploy():
    origins = "https://login.example.org, https://idp.example.org:8443"
    printed = printed_setting(
        "' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action'])",
        DJANGO_CSP_FORM_ACTION=origins,
    )
    checked = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", DJANGO_CSP_FORM_ACTION=origins
    )

    assert printed == "'self' https://login.example.org https://idp.example.org:8443"
    assert checked.returncode == 0, checked.stderr


def test_a_configured_identity_providers_origin_may_receive_the_sign_in_form(db, client, settings):
    """Browsers hold a form's redirect to form-action: the sign-in's redirect to the
    organisation's provider must be allowed without the operator naming its origin twice."""
    page = reverse("privacy:download")  # any page: its policy is the site's
    before = directives(client.get(page)["Content-Security-Policy"])
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "APPS": [{"settings": {"server_url": "https://login.example.org/tenant/v2.0"}}]
        },
        "saml": {"APPS": [{"settings": {"idp": {"sso_url": "https://idp.example.net:8443/sso"}}}]},
    }

    after = directives(client.get(page)["Content-Security-Policy"])

    assert "https://login.example.org" not in before["form-action"]
    assert after["form-action"] == [
        "'self'",
        "https://idp.example.net:8443",
        "https://login.example.org",
    ]
    assert after["script-src"] == before["script-src"]


@pytest.mark.parametrize("value", ["*", "'unsafe-inline'", "https:", "login.example.org"])
def test_production_refuses_a_form_action_that_is_not_an_origin(value):
    result = run_manage("check", DJANGO_CSP_FORM_ACTION=value)

    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_CSP_FORM_ACTION: " in result.stderr


def test_production_sends_the_headers_and_logs_a_report_as_one_json_line(
    tmp_path, static_root, production_database
):
    log = tmp_path / "gunicorn.log"
    through_the_proxy = {
        "Host": "ideas.example.org",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "203.0.113.7",
    }
    report = json.dumps(
        {
            "csp-report": {
                "document-uri": "https://ideas.example.org/en/",
                "effective-directive": "script-src-elem",
                "blocked-uri": "https://evil.example.com/x.js",
            }
        }
    ).encode()
    with gunicorn(
        log,
        DJANGO_LOG_FORMAT="json",
        DJANGO_STATIC_ROOT=static_root,
        DATABASE_URL=production_database,
    ) as url:
        page = urllib.request.urlopen(
            urllib.request.Request(f"{url}/en/accounts/login/", headers=through_the_proxy),
            timeout=30,
        )
        posted = urllib.request.urlopen(
            urllib.request.Request(
                f"{url}/csp-report/",
                data=report,
                headers=through_the_proxy | {"Content-Type": "application/csp-report"},
            ),
            timeout=30,
        )

    records = [json.loads(line) for line in log.read_text().splitlines()]
    [violation] = [r for r in records if r["logger"] == "ideatori.csp"]
    policy = directives(page.headers["Content-Security-Policy"])
    assert page.status == 200
    assert "'unsafe-inline'" not in script_sources(policy)
    assert "camera=()" in page.headers["Permissions-Policy"]
    assert posted.status == 204
    assert violation["level"] == "WARNING"
    assert violation["client"] == "203.0.113.7"
    assert violation["csp"]["directive"] == "script-src-elem"
    assert violation["csp"]["blocked"] == "https://evil.example.com/x.js"
