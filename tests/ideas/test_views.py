"""The team's pages. Every denied case seeds another team's idea and file and checks that
neither its page, its file, nor its title in any list is reachable."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ideas import services
from ideas.models import Attachment, Idea, IdeaStatus, Invitation, Membership
from tests.factories import UserFactory, make_idea, make_round, make_team, make_unit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def pdf(name: str = "plan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def ours():
    lead, member = UserFactory(), UserFactory()
    team = make_team(lead=lead, members=[member], name="Clinic and psychologists")
    idea = make_idea(team=team, competition=make_round(phase="open"), title="Our idea")
    return idea, lead, member


@pytest.fixture
def theirs():
    """Another team's idea with a file: what must never leak."""
    stranger = UserFactory()
    team = make_team(members=[stranger], name="Secret team name")
    idea = make_idea(team=team, title="Secret idea title", problem="Secret problem text")
    attachment = services.add_attachment(
        idea=idea,
        upload=pdf("secret.pdf"),
        content_type="application/pdf",
        by=team.memberships.get(role="lead").user,
    )
    return idea, attachment, stranger


def close_round(competition) -> None:
    """Put the round's deadline a minute in the past."""
    competition.opens_at -= timedelta(days=30)
    competition.closes_at = timezone.now() - timedelta(minutes=1)
    competition.save()


def url(name: str, idea: Idea, **kwargs) -> str:
    from django.urls import reverse

    return reverse(f"ideas:{name}", kwargs={"pk": idea.pk, **kwargs})


def assert_nothing_of(response, theirs) -> None:
    html = response.content.decode()
    for secret in ("Secret idea title", "Secret problem text", "Secret team name", "secret.pdf"):
        assert secret not in html


# --- my ideas ---------------------------------------------------------------------------------


def test_my_ideas_lists_the_teams_ideas_with_status_and_deadline(client, ours, theirs):
    idea, _lead, member = ours
    client.force_login(member)

    response = client.get("/en/my/ideas/")

    html = response.content.decode()
    assert "Our idea" in html and "Draft" in html and "Clinic and psychologists" in html
    assert f'datetime="{timezone.localtime(idea.competition.closes_at).isoformat()}"' in html
    assert_nothing_of(response, theirs)


def test_my_ideas_needs_sign_in(client, theirs):
    response = client.get("/en/my/ideas/")

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_my_ideas_query_count_is_the_same_for_1_and_10_ideas(client, count_queries, ours):
    idea, lead, _member = ours
    client.force_login(lead)
    client.get("/en/my/ideas/")
    with_one = count_queries(lambda: client.get("/en/my/ideas/"))
    for _ in range(9):
        make_idea(team=idea.team, competition=idea.competition)

    with_ten = count_queries(lambda: client.get("/en/my/ideas/"))

    assert with_one == with_ten
    assert client.get("/en/my/ideas/").content.decode().count("/en/my/ideas/") >= 10


# --- the idea page ----------------------------------------------------------------------------


def test_member_reads_and_saves_the_draft(client, ours):
    idea, _lead, member = ours
    client.force_login(member)
    assert 'value="Our idea"' in client.get(url("idea", idea)).content.decode()

    response = client.post(
        url("idea", idea), idea.text() | {"title": "Renamed", "version": 1, "action": "save"}
    )

    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.title, idea.version) == ("Renamed", 2)


@pytest.mark.parametrize("who", ["stranger", "outsider", "anonymous"])
def test_foreign_idea_page_is_404_and_unchanged(client, theirs, who):
    idea, _attachment, stranger = theirs
    user = {
        "stranger": make_team(members=[UserFactory()]).memberships.first().user,
        "outsider": UserFactory(),
        "anonymous": None,
    }[who]
    if user:
        client.force_login(user)

    pages = [
        client.get(url("idea", idea)),
        client.get(url("history", idea)),
        client.post(url("idea", idea), idea.text() | {"title": "Hijacked", "version": 1}),
    ]

    expected = 404 if user else 302
    assert [page.status_code for page in pages] == [expected] * 3
    for page in pages:
        assert_nothing_of(page, theirs)
    idea.refresh_from_db()
    assert (idea.title, idea.version) == ("Secret idea title", 1)


def test_coordinator_reads_every_idea_but_cannot_edit(client, coordinator, theirs):
    idea, _attachment, _stranger = theirs
    client.force_login(coordinator)

    lead = idea.team.memberships.get(role="lead").user
    services.save_idea(
        idea=idea, text=idea.text() | {"pilot_plan": "Spring"}, base_version=1, by=lead
    )
    services.save_idea(
        idea=idea, text=idea.text() | {"pilot_plan": "Autumn"}, base_version=2, by=lead
    )
    page = client.get(url("idea", idea))
    history = client.get(url("history", idea))
    edit = client.post(url("idea", idea), idea.text() | {"title": "Edited", "version": 3})

    assert "Secret problem text" in page.content.decode()
    assert "History of changes" in history.content.decode()
    assert "<td>pilot plan</td>" in history.content.decode()
    assert "Restore version" not in history.content.decode()
    assert 'name="title"' not in page.content.decode()
    assert edit.status_code == 404
    idea.refresh_from_db()
    assert idea.title == "Secret idea title"


def test_submit_with_missing_fields_keeps_the_text_and_marks_each_field(client, ours):
    idea, lead, _member = ours
    client.force_login(lead)
    typed = idea.text() | {"title": "<script>alert(1)</script>", "problem": "", "version": 1}

    response = client.post(url("idea", idea), typed | {"action": "submit"})

    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("This field is required to submit the idea.") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    idea.refresh_from_db()
    assert (idea.status, idea.title, idea.problem) == (
        IdeaStatus.DRAFT,
        "<script>alert(1)</script>",
        "",
    )


def test_submit_sends_every_member_a_receipt_with_the_text(client, ours):
    idea, lead, member = ours
    client.force_login(lead)

    response = client.post(url("idea", idea), idea.text() | {"version": 1, "action": "submit"})

    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.SUBMITTED
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead.email, member.email])
    assert "Worried parents wait weeks." in mail.outbox[0].body
    assert "Received: Our idea" == mail.outbox[0].subject


def test_concurrent_edit_shows_both_versions_and_overwrites_nothing(client, ours):
    idea, lead, member = ours
    services.save_idea(
        idea=idea, text=idea.text() | {"impact": "Colleague's impact"}, base_version=1, by=lead
    )
    client.force_login(member)

    response = client.post(
        url("idea", idea), idea.text() | {"impact": "My impact", "version": 1, "action": "save"}
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "Colleague&#x27;s impact" in html and "My impact" in html
    assert 'name="version" value="2"' in html
    idea.refresh_from_db()
    assert idea.impact == "Colleague's impact"
    merged = client.post(
        url("idea", idea), idea.text() | {"impact": "Both impacts", "version": 2, "action": "save"}
    )
    assert merged.status_code == 302
    idea.refresh_from_db()
    assert (idea.impact, idea.version) == ("Both impacts", 3)


def test_late_submit_is_refused_with_the_reason_and_the_draft_kept(client, ours):
    idea, lead, _member = ours
    close_round(idea.competition)
    client.force_login(lead)

    response = client.post(
        url("idea", idea), idea.text() | {"title": "Late title", "version": 1, "action": "submit"}
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "deadline has passed" in html
    assert "Late title" in html
    idea.refresh_from_db()
    assert (idea.status, idea.title) == (IdeaStatus.DRAFT, "Our idea")


def test_after_the_deadline_the_idea_is_read_only(client, ours):
    idea, lead, _member = ours
    close_round(idea.competition)
    client.force_login(lead)

    html = client.get(url("idea", idea)).content.decode()

    assert 'name="title"' not in html
    assert "Worried parents wait weeks." in html
    assert "Submit the idea" not in html


def test_autosave_saves_and_reports_conflicts(client, ours):
    idea, lead, member = ours
    client.force_login(member)

    saved = client.post(
        url("autosave", idea), idea.text() | {"pilot_plan": "Autumn pilot", "version": 1}
    )
    stale = client.post(url("autosave", idea), idea.text() | {"pilot_plan": "Spring", "version": 1})

    assert saved.json()["saved"] is True and saved.json()["version"] == 2
    assert stale.status_code == 409 and stale.json()["conflict"] is True
    idea.refresh_from_db()
    assert idea.pilot_plan == "Autumn pilot"


def test_withdraw_and_reopen(client, ours):
    idea, lead, member = ours
    client.force_login(member)

    client.post(url("status", idea), {"action": "withdraw"})
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.WITHDRAWN
    assert any("Withdrawn: Our idea" == m.subject for m in mail.outbox)
    client.post(url("status", idea), {"action": "reopen"})
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.DRAFT


def test_status_change_of_a_foreign_idea_is_404(client, theirs):
    idea, _attachment, _stranger = theirs
    client.force_login(UserFactory())

    response = client.post(url("status", idea), {"action": "withdraw"})

    assert response.status_code == 404
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.DRAFT


def test_history_lists_changes_and_restores(client, ours):
    idea, lead, _member = ours
    services.save_idea(idea=idea, text=idea.text() | {"title": "Second"}, base_version=1, by=lead)
    services.save_idea(idea=idea, text=idea.text() | {"title": "Third"}, base_version=2, by=lead)
    client.force_login(lead)

    html = client.get(url("history", idea)).content.decode()
    assert "<td>title</td>" in html and lead.email in html
    response = client.post(url("restore", idea, version=2), {"version": 3})

    assert response.status_code == 302
    idea.refresh_from_db()
    assert (idea.title, idea.version) == ("Second", 4)


# --- attachments ------------------------------------------------------------------------------


def test_member_attaches_and_downloads_a_pdf(client, ours):
    idea, lead, member = ours
    client.force_login(lead)

    response = client.post(url("upload", idea), {"file": pdf()})

    assert response.status_code == 302
    attachment = idea.attachments.get()
    assert attachment.original_name == "plan.pdf"
    assert "plan" not in attachment.file.name
    client.force_login(member)
    download = client.get(url("attachment", idea, attachment_pk=attachment.pk))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="plan.pdf"')
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.pdf", b"<html><script>alert(1)</script></html>", "not a valid PDF file"),
        ("drawing.pdf", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "not a valid PDF file"),
        ("notes.docx", None, "not a valid DOCX file"),
        ("run.exe", b"MZ\x90\x00", "Only PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, PNG and JPG"),
    ],
)
def test_file_whose_content_does_not_match_is_refused(client, ours, name, content, message):
    import zipfile

    idea, lead, _member = ours
    services.add_attachment(
        idea=idea, upload=pdf("kept.pdf"), content_type="application/pdf", by=lead
    )
    if content is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("readme.txt", "a zip, not a document")
        content = buffer.getvalue()
    client.force_login(lead)

    response = client.post(url("upload", idea), {"file": SimpleUploadedFile(name, content)})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(idea.attachments.values_list("original_name", flat=True)) == ["kept.pdf"]
    idea.refresh_from_db()
    assert idea.title == "Our idea"


def test_file_over_10_mb_is_refused_before_it_is_read(client, ours):
    from ideas import attachments

    class Unreadable(SimpleUploadedFile):
        def read(self, *args, **kwargs):
            raise AssertionError("the file was read")

        def seek(self, *args, **kwargs):
            raise AssertionError("the file was read")

    idea, lead, _member = ours
    big = Unreadable("big.pdf", PDF)
    big.size = attachments.MAX_SIZE + 1

    with pytest.raises(Exception) as refused:
        attachments.validate_attachment(big)

    assert "the largest allowed is 10.0" in str(refused.value)
    client.force_login(lead)
    response = client.post(
        url("upload", idea),
        {"file": SimpleUploadedFile("big.pdf", PDF + b"0" * attachments.MAX_SIZE)},
    )
    assert response.status_code == 400
    assert not idea.attachments.exists()


def test_sixth_file_is_refused(client, ours):
    idea, lead, _member = ours
    for number in range(5):
        services.add_attachment(
            idea=idea, upload=pdf(f"{number}.pdf"), content_type="application/pdf", by=lead
        )
    client.force_login(lead)

    response = client.post(url("upload", idea), {"file": pdf("six.pdf")})

    assert "at most 5 files" in response.content.decode()
    assert idea.attachments.count() == 5


@pytest.mark.parametrize("who", ["stranger", "outsider", "anonymous"])
def test_foreign_file_is_unreachable(client, ours, theirs, who):
    idea, attachment, _stranger = theirs
    own_idea = ours[0]
    user = {"stranger": ours[1], "outsider": UserFactory(), "anonymous": None}[who]
    if user:
        client.force_login(user)

    direct = client.get(url("attachment", idea, attachment_pk=attachment.pk))
    via_own_idea = client.get(url("attachment", own_idea, attachment_pk=attachment.pk))
    removed = client.post(url("remove_attachment", idea, attachment_pk=attachment.pk))

    expected = 404 if user else 302
    assert [direct.status_code, via_own_idea.status_code, removed.status_code] == [expected] * 3
    assert Attachment.objects.filter(pk=attachment.pk).exists()


# --- teams and invitations --------------------------------------------------------------------


def test_create_team_invite_and_accept(client):
    nurse, psychologist = UserFactory(), UserFactory(email="psy@example.org")
    clinic, mental = make_unit("Child health clinic"), make_unit("Mental health services")
    client.force_login(nurse)

    response = client.post(
        "/en/my/teams/new/",
        {"name": "Worried parents", "service_units": [clinic.pk, mental.pk], "profession": "Nurse"},
    )
    team = nurse.memberships.get().team
    assert response["Location"] == f"/en/my/teams/{team.pk}/"
    client.post(f"/en/my/teams/{team.pk}/", {"email": "psy@example.org"})

    link = next(line for line in mail.outbox[-1].body.splitlines() if "/invitations/" in line)
    client.force_login(psychologist)
    assert link.startswith("http://localhost/en/invitations/")
    path = link.removeprefix("http://localhost")
    assert "Worried parents" in client.get(path).content.decode()
    client.post(path, {"action": "accept"})

    assert Membership.objects.get(team=team, user=psychologist).role == "member"
    used = client.get(path)
    assert used.status_code == 410
    assert "It has been used already" in used.content.decode()
    client.post(path, {"action": "accept"})
    assert Membership.objects.filter(team=team).count() == 2


@pytest.mark.parametrize("token", ["guessed-token", "x" * 43])
def test_guessed_invitation_token_is_404(client, token):
    lead = UserFactory()
    team = make_team(lead=lead)
    services.invite_member(team=team, email="a@example.org", by=lead)
    client.force_login(UserFactory())

    assert client.get(f"/en/invitations/{token}/").status_code == 404
    assert client.post(f"/en/invitations/{token}/", {"action": "accept"}).status_code == 404
    assert Invitation.objects.get().accepted_at is None


def test_foreign_team_page_is_404(client, theirs):
    idea, _attachment, _stranger = theirs
    client.force_login(UserFactory())

    page = client.get(f"/en/my/teams/{idea.team_id}/")
    invite = client.post(f"/en/my/teams/{idea.team_id}/", {"email": "spy@example.org"})

    assert (page.status_code, invite.status_code) == (404, 404)
    assert_nothing_of(page, theirs)
    assert not Invitation.objects.filter(email="spy@example.org").exists()


def test_member_cannot_invite_or_remove(client, ours):
    idea, lead, member = ours
    client.force_login(member)
    lead_membership = idea.team.memberships.get(user=lead)

    invite = client.post(f"/en/my/teams/{idea.team_id}/", {"email": "x@example.org"})
    client.post(f"/en/my/teams/{idea.team_id}/members/{lead_membership.pk}/", {"action": "remove"})

    assert invite.status_code == 404
    assert idea.team.memberships.filter(user=lead, role="lead").exists()


# --- the round's submit route -----------------------------------------------------------------


def test_submit_route_leads_a_member_to_a_new_draft(client, ours):
    idea, lead, _member = ours
    client.force_login(lead)

    start = client.get(f"{idea.competition.url}submit/")
    assert start["Location"] == f"/en/my/ideas/start/{idea.competition.pk}/"
    response = client.post(start["Location"], {"team": idea.team.pk})

    new = Idea.objects.exclude(pk=idea.pk).get()
    assert response["Location"] == f"/en/my/ideas/{new.pk}/"
    assert (new.team, new.status) == (idea.team, IdeaStatus.DRAFT)


def test_submit_route_of_a_closed_round_says_so(client, ours):
    _idea, lead, _member = ours
    closed = make_round(phase="judging")
    client.force_login(lead)

    response = client.get(f"{closed.url}submit/")

    assert response.status_code == 200
    assert "This round is not open for ideas." in response.content.decode()


def test_cannot_start_an_idea_for_someone_elses_team(client, ours, theirs):
    idea, lead, _member = ours
    foreign_team = theirs[0].team
    client.force_login(lead)

    response = client.post(f"/en/my/ideas/start/{idea.competition.pk}/", {"team": foreign_team.pk})

    assert response.status_code == 200
    assert not Idea.objects.filter(team=foreign_team, competition=idea.competition).exists()
    assert_nothing_of(response, theirs)


def test_profile_is_the_persons_own(client):
    user, other = UserFactory(), UserFactory()
    clinic = make_unit("Child health clinic")
    client.force_login(user)

    response = client.post(
        "/en/my/profile/",
        {"name": "Aino Nurse", "service_unit": clinic.pk, "profession": "Nurse", "language": "fi"},
    )

    assert response.status_code == 302
    assert (user.profile.name, user.profile.service_unit, user.profile.language) == (
        "Aino Nurse",
        clinic,
        "fi",
    )
    assert not hasattr(other, "profile") or other.profile.name == ""


def test_profile_needs_sign_in(client):
    response = client.post("/en/my/profile/", {"name": "Nobody", "language": "en"})

    assert response["Location"].startswith("/en/accounts/login/")
    from ideas.models import Profile

    assert not Profile.objects.exists()


def test_idea_started_from_a_translated_round_belongs_to_the_round_itself(client):
    import io as _io

    from django.core.management import call_command

    from ideas.models import CompetitionPage

    call_command("load_demo", stdout=_io.StringIO())
    finnish = CompetitionPage.objects.get(locale__language_code="fi", slug="2026")
    english = CompetitionPage.objects.get(locale__language_code="en", slug="2026")
    lead = UserFactory()
    team = make_team(lead=lead)
    client.force_login(lead)

    start = client.get(f"{finnish.url}submit/")
    client.post(start["Location"], {"team": team.pk})

    assert start["Location"] == f"/fi/my/ideas/start/{english.pk}/"
    assert Idea.objects.get(team=team).competition == english


@pytest.mark.parametrize("who", ["stranger", "outsider"])
def test_foreign_idea_cannot_be_autosaved_restored_or_given_files(client, ours, theirs, who):
    idea, attachment, _stranger = theirs
    user = ours[1] if who == "stranger" else UserFactory()
    services.save_idea(
        idea=idea,
        text=idea.text() | {"title": "Second secret"},
        base_version=1,
        by=idea.team.memberships.get(role="lead").user,
    )
    client.force_login(user)

    responses = [
        client.post(url("autosave", idea), idea.text() | {"title": "Hijacked", "version": 2}),
        client.post(url("restore", idea, version=2), {"version": 2}),
        client.post(url("upload", idea), {"file": pdf("planted.pdf")}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]
    for response in responses:
        assert_nothing_of(response, theirs)
    idea.refresh_from_db()
    assert (idea.title, idea.version) == ("Second secret", 2)
    assert list(idea.attachments.values_list("original_name", flat=True)) == ["secret.pdf"]


def test_lead_removes_a_member_and_hands_over_the_lead(client, ours):
    idea, lead, member = ours
    third = UserFactory()
    Membership.objects.create(team=idea.team, user=third)
    client.force_login(lead)

    client.post(
        f"/en/my/teams/{idea.team_id}/members/{idea.team.memberships.get(user=third).pk}/",
        {"action": "remove"},
    )
    client.post(
        f"/en/my/teams/{idea.team_id}/members/{idea.team.memberships.get(user=member).pk}/",
        {"action": "hand_over"},
    )

    assert not idea.team.memberships.filter(user=third).exists()
    assert idea.team.memberships.get(role="lead").user == member


def test_lead_cannot_touch_another_teams_membership(client, ours, theirs):
    _idea, lead, _member = ours
    foreign, _attachment, stranger = theirs
    membership = foreign.team.memberships.get(user=stranger)
    client.force_login(lead)

    response = client.post(
        f"/en/my/teams/{foreign.team_id}/members/{membership.pk}/", {"action": "remove"}
    )

    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_creating_a_team_needs_sign_in(client):
    unit = make_unit()

    response = client.post(
        "/en/my/teams/new/", {"name": "Anonymous team", "service_units": [unit.pk]}
    )

    assert response["Location"].startswith("/en/accounts/login/")
    from ideas.models import Team

    assert not Team.objects.filter(name="Anonymous team").exists()


def test_team_form_keeps_what_was_typed_and_marks_the_missing_field(client):
    client.force_login(UserFactory())

    response = client.post("/en/my/teams/new/", {"name": "Half a team", "profession": "Nurse"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Half a team"' in html and 'value="Nurse"' in html
    assert "This field is required." in html


def test_markup_in_an_idea_is_text_in_lists_and_the_admin(client, coordinator, ours):
    idea, lead, _member = ours
    Idea.objects.filter(pk=idea.pk).update(title='<img src=x onerror="alert(1)">')

    client.force_login(lead)
    mine = client.get("/en/my/ideas/").content.decode()
    client.force_login(coordinator)
    admin = client.get("/admin/idea/").content.decode()

    for html in (mine, admin):
        assert '<img src=x onerror="alert(1)">' not in html
        assert "&lt;img src=x onerror=" in html


def test_member_removes_an_own_file(client, ours):
    idea, lead, member = ours
    attachment = services.add_attachment(
        idea=idea, upload=pdf("old.pdf"), content_type="application/pdf", by=lead
    )
    client.force_login(member)

    response = client.post(url("remove_attachment", idea, attachment_pk=attachment.pk))

    assert response.status_code == 302
    assert not idea.attachments.exists()
