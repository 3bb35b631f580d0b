"""What a coordinator names comes in the reader's language: the organisation, the service units
and the round's title, on public, team and jury pages; and the site settings refuse colours
that would make pages unreadable and a logo that cannot be read."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.images.models import Image
from wagtail.models import Locale, Site

from home.models import SiteSettings
from ideas.models import CompetitionPage, Idea, IdeaStatus, Profile
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_round,
    make_team,
    make_unit,
    round_dates,
)

pytestmark = pytest.mark.django_db

ENGLISH = {
    "organisation": "City Service Centre",
    "unit": "Child health clinic",
    "round": "Innovation competition 2027",
}
FINNISH = {
    "organisation": "Kaupungin palvelukeskus",
    "unit": "Lastenneuvola",
    "round": "Innovaatiokilpailu 2027",
}


@pytest.fixture
def named():
    settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    settings.organisation_name_en = ENGLISH["organisation"]
    settings.organisation_name_fi = FINNISH["organisation"]
    settings.save()
    unit = make_unit(ENGLISH["unit"])
    unit.name_fi = FINNISH["unit"]
    unit.save()
    competition = make_round(phase="open", title=ENGLISH["round"], blind_judging=False)
    finnish = competition.copy_for_translation(
        Locale.objects.get(language_code="fi"), copy_parents=True
    )
    finnish.title = FINNISH["round"]
    finnish.save_revision().publish()
    for ancestor in finnish.get_ancestors().filter(depth__gt=1):
        if not ancestor.live:
            ancestor.specific.save_revision().publish()
    lead = UserFactory()
    Profile.objects.create(user=lead, language="fi", service_unit=unit)
    team = make_team(lead=lead, units=[unit], name="Neuvolatiimi")
    idea = make_idea(team=team, competition=competition, title="Yhteinen vastaanotto")
    return competition, finnish, lead, idea


def text_of(response) -> str:
    body = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", body, re.S).group(1)
    return title + " " + re.sub(r"<[^>]+>", " ", body.split("<body", 1)[1])


def assert_finnish(response, *, expect: tuple[str, ...]) -> None:
    assert response.status_code == 200
    text = text_of(response)
    for key in expect:
        assert FINNISH[key] in text, (key, response.request["PATH_INFO"])
    for key in ENGLISH:
        assert ENGLISH[key] not in text, (key, response.request["PATH_INFO"])


def test_public_finnish_pages_name_nothing_in_english(client, named):
    _competition, finnish, _lead, _idea = named

    assert_finnish(client.get("/fi/"), expect=("organisation", "round"))
    assert_finnish(client.get(finnish.url), expect=("organisation", "round"))


def test_team_pages_in_finnish_name_the_unit_and_round_in_finnish(client, named):
    competition, _finnish, lead, idea = named
    client.force_login(lead)

    assert_finnish(client.get("/fi/my/ideas/"), expect=("organisation", "round"))
    assert_finnish(client.get(f"/fi/my/ideas/{idea.pk}/"), expect=("round",))
    assert_finnish(client.get(f"/fi/my/teams/{idea.team_id}/"), expect=("unit",))
    assert_finnish(client.get(f"/fi/my/ideas/start/{competition.pk}/"), expect=("round",))
    assert_finnish(client.get("/fi/my/profile/"), expect=("unit",))
    assert_finnish(client.get("/fi/my/teams/new/"), expect=("unit",))


def test_the_same_team_pages_in_english_name_it_all_in_english(client, named):
    _competition, _finnish, lead, idea = named
    client.force_login(lead)

    for path in ("/en/my/ideas/", f"/en/my/teams/{idea.team_id}/"):
        text = text_of(client.get(path))
        assert ENGLISH["organisation"] in text
        assert FINNISH["organisation"] not in text
    assert ENGLISH["round"] in text_of(client.get("/en/my/ideas/"))
    assert ENGLISH["unit"] in text_of(client.get(f"/en/my/teams/{idea.team_id}/"))
    with pytest.raises(AssertionError):
        assert_finnish(client.get("/en/my/ideas/"), expect=("round",))


def test_jury_pages_in_finnish_name_the_round_and_units_in_finnish(client, named):
    competition, _finnish, _lead, idea = named
    juror = UserFactory()
    make_juror(competition, juror)
    make_assignment(juror, idea)
    client.force_login(juror)
    CompetitionPage.objects.filter(pk=competition.pk).update(**round_dates("judging"))
    Idea.objects.filter(pk=idea.pk).update(status=IdeaStatus.SUBMITTED)

    assert_finnish(client.get(f"/fi/jury/{competition.pk}/"), expect=("round",))
    assert_finnish(client.get(f"/fi/jury/ideas/{idea.pk}/"), expect=("round", "unit"))


# --- site settings refuse what would make pages unreadable ----------------------------------


def settings_url() -> str:
    return f"/admin/settings/home/sitesettings/{Site.objects.get(is_default_site=True).pk}/"


def settings_form(**changes) -> dict:
    return {
        "organisation_name_en": "City Service Centre",
        "organisation_name_fi": "",
        "organisation_name_sv": "",
        "logo": "",
        "primary_colour": "",
        "highlight_colour": "",
        "contact_email": "",
        "contact_phone": "",
        "accessibility_statement": "",
        "results_workflow": "",
    } | changes


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("primary_colour", "blue", "Write the colour as # and six hexadecimal digits"),
        ("primary_colour", "#ffe977", "Too light: its contrast with white is 1.2:1"),
        ("highlight_colour", "#00005e", "Too dark: its contrast with black text is"),
    ],
)
def test_site_settings_refuse_an_unreadable_colour_on_the_field(
    client, coordinator, field, value, message
):
    coordinator.is_superuser = True
    coordinator.save()
    client.force_login(coordinator)

    response = client.post(settings_url(), settings_form(**{field: value}))

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert f'value="{value}"' in html
    assert SiteSettings.for_site(Site.objects.get(is_default_site=True)).primary_colour == ""


def test_site_settings_accept_readable_colours_and_pages_use_them(client, coordinator):
    coordinator.is_superuser = True
    coordinator.save()
    client.force_login(coordinator)

    response = client.post(
        settings_url(), settings_form(primary_colour="#005799", highlight_colour="#fff9db")
    )

    assert response.status_code == 302
    page = client.get("/en/").content.decode()
    # The colours are a stylesheet whose address changes with them (no inline style).
    assert '<link rel="stylesheet" href="/site-colours.css?v=005799fff9db">' in page
    colours = client.get("/site-colours.css?v=005799fff9db").content.decode()
    assert "--ideatori-primary: #005799;" in colours
    assert "--ideatori-highlight: #fff9db;" in colours


def test_site_settings_refuse_a_logo_that_cannot_be_read(client, coordinator, tmp_path):
    from PIL import Image as PILImage

    coordinator.is_superuser = True
    coordinator.save()
    client.force_login(coordinator)
    png = tmp_path / "logo.png"
    PILImage.new("RGB", (40, 20), "navy").save(png)
    logo = Image.objects.create(
        title="Logo", file=SimpleUploadedFile("logo.png", png.read_bytes()), width=40, height=20
    )
    logo.file.storage.delete(logo.file.name)  # gone from storage since it was uploaded

    response = client.post(settings_url(), settings_form(logo=logo.pk))

    assert response.status_code == 200
    assert "This image cannot be read." in response.content.decode()
    assert SiteSettings.for_site(Site.objects.get(is_default_site=True)).logo_id is None
