"""In a blind round nothing a juror can receive names a team, its members or their units."""

import io

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.urls import reverse
from openpyxl import load_workbook

from ideas.models import Attachment, IdeaStatus, Profile
from judging import services
from judging.models import JurorNotice
from judging.notifications import render_notice
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_review,
    make_round,
    make_team,
    make_unit,
    pdf_bytes,
)

pytestmark = pytest.mark.django_db

SECRETS = {
    "team": "Team Harbour Lights",
    "lead": "Aino Virtanen-Salo",
    "member": "Rasmus Öhman",
    "unit": "Kallio Maternity Clinic",
    "second unit": "Eastside Youth Services",
}


def named_team():
    lead = UserFactory(username="aino.virtanen", email="aino.virtanen@example.org")
    member = UserFactory(username="rasmus.ohman", email="rasmus.ohman@example.org")
    Profile.objects.create(user=lead, name=SECRETS["lead"])
    Profile.objects.create(user=member, name=SECRETS["member"])
    units = [make_unit(SECRETS["unit"]), make_unit(SECRETS["second unit"])]
    return make_team(lead=lead, members=[member], units=units, name=SECRETS["team"])


def leaks(text: str) -> list[str]:
    words = list(SECRETS.values()) + ["aino.virtanen", "rasmus.ohman"]
    return [word for word in words if word.lower() in text.lower()]


@pytest.fixture
def blind_round(django_capture_on_commit_callbacks, coordinator):
    competition = make_round(phase="judging", criteria=2, blind_judging=True)
    competition.jurors_see_other_scores = True
    competition.save()
    idea = make_idea(team=named_team(), competition=competition, status=IdeaStatus.SUBMITTED)
    attachment = Attachment(
        idea=idea,
        original_name=f"{SECRETS['team']} plan by {SECRETS['lead']}.pdf",
        content_type="application/pdf",
        size=9,
    )
    attachment.file.save("x.pdf", ContentFile(pdf_bytes()), save=False)
    attachment.save()
    juror = make_juror(competition)
    other = make_juror(competition)
    with django_capture_on_commit_callbacks(execute=True):
        services.sync_jury(competition=competition)
        services.open_judging(competition=competition)
    make_review(other.assignments.get(idea=idea), 4)
    return competition, idea, juror


def juror_pages(client, competition, idea, juror):
    """Every page and file the juror can reach, as text."""
    client.force_login(juror)
    review = reverse("judging:review", args=[idea.pk])
    texts = [
        client.get(reverse("judging:home"), follow=True).content.decode(),
        client.get(reverse("judging:assigned", args=[competition.pk])).content.decode(),
        client.get(review).content.decode(),
        client.get(reverse("judging:declare_conflict", args=[idea.pk])).content.decode(),
    ]
    download = client.get(reverse("judging:attachment", args=[idea.pk, 1]))
    texts.append(download["Content-Disposition"])
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    criteria = competition.criteria.order_by("sort_order")
    data = {"action": "submit", "overall_comment": ""}
    data |= {f"score_{c.pk}": "3" for c in criteria}
    client.post(review, data)
    after = client.get(review).content.decode()
    assert "Other jurors' scores" in after  # the page with others' scores was rendered
    texts.append(after)
    return texts


def exports(client, coordinator, competition):
    client.force_login(coordinator)
    texts = []
    for table in ("ranking", "reviews"):
        base = reverse("judging_admin:export", args=[competition.pk, table, "csv"])
        texts.append(client.get(base).content.decode("utf-8-sig"))
        xlsx = client.get(reverse("judging_admin:export", args=[competition.pk, table, "xlsx"]))
        sheet = load_workbook(io.BytesIO(xlsx.content)).active
        texts.append(" ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row))
    return texts


def test_blind_round_names_no_team_member_or_unit_anywhere_a_juror_looks(
    client, coordinator, blind_round
):
    competition, idea, juror = blind_round
    emails = [f"{m.subject}\n{m.body}" for m in mail.outbox if m.to == [juror.email]]
    assert len(emails) == 2  # on the jury, and judging open

    texts = juror_pages(client, competition, idea, juror) + emails
    texts += exports(client, coordinator, competition)

    assert idea.title in texts[2]  # the review page does show the idea
    for text in texts:
        assert leaks(text) == []


def test_open_round_shows_the_team_so_the_blind_test_can_fail(client, coordinator):
    competition = make_round(phase="judging", criteria=2, blind_judging=False)
    idea = make_idea(team=named_team(), competition=competition, status=IdeaStatus.SUBMITTED)
    juror = make_juror(competition)
    make_assignment(juror, idea)
    client.force_login(juror)
    html = client.get(reverse("judging:review", args=[idea.pk])).content.decode()
    assert SECRETS["team"] in html and SECRETS["unit"] in html


def test_juror_notices_render_without_names_in_each_language():
    competition = make_round(phase="judging", blind_judging=True)
    make_idea(team=named_team(), competition=competition, status=IdeaStatus.SUBMITTED)
    juror = make_juror(competition)
    for language in ("en", "fi", "sv"):
        Profile.objects.update_or_create(user=juror, defaults={"language": language})
        juror.refresh_from_db()
        for kind in (JurorNotice.JURY_SET, JurorNotice.JUDGING_OPEN):
            subject, body = render_notice(competition=competition, user=juror, kind=kind)
            assert competition.title in subject
            assert leaks(subject + body) == []
