"""The round's own questions: each kind's check, answers kept as typed in a draft and refused on
submit next to their field, revisioned and restored with the idea, shown to each reader only as
its rule allows, and a question with answers kept by the round's editor."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.models import Locale
from wagtail.test.utils.form_data import inline_formset, streamfield

from ideas import services
from ideas.mentions import warnings_for_team
from ideas.models import Attachment, IdeaStatus, QuestionKind, RoundQuestion
from ideas.permissions import answer_shown_to, file_shown_to
from ideas.questions import (
    Question,
    check_answers,
    field_name,
    file_answers,
    idea_answers,
    round_questions,
)
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_question,
    make_review,
    make_round,
    make_showcase,
    make_team,
    pdf_bytes,
)
from tests.ideas.test_competition_page import round_form_data

pytestmark = pytest.mark.django_db


def question(kind: str, **fields) -> Question:
    values = {
        "key": "q1",
        "kind": kind,
        "label": "Q",
        "help_text": "",
        "required": False,
        "word_limit": None,
        "min_value": None,
        "max_value": None,
        "unit": "",
        "choices": (),
        "visible_to_jurors": True,
        "identifying": False,
        "public": False,
        "retired": False,
    }
    return Question(**(values | fields))


CHOICES = ("Health", "Library", "Youth")

# (question, what was typed, the refusal on submit or None)
CASES = [
    (question("short_text"), "Shared waiting room", None),
    (question("short_text"), "x" * 256, "At most 255 characters; this answer has 256."),
    (question("long_text", word_limit=5), "one two three four five", None),
    (question("long_text", word_limit=5), "one two three four five six", "this answer has 6"),
    (question("long_text"), " ".join(["word"] * 5000), None),
    (question("number", min_value=Decimal(0), max_value=Decimal(100)), "12,5", None),
    (question("number", min_value=Decimal(0), max_value=Decimal(100)), "1 00", None),
    (question("number"), "twelve", "Enter a number"),
    (question("number", min_value=Decimal(10)), "9", "no smaller than 10"),
    (question("number", max_value=Decimal(100)), "100.5", "no larger than 100"),
    (question("single_choice", choices=CHOICES), "2", None),
    (question("single_choice", choices=CHOICES), "3", "Choose one of the choices."),
    (question("multiple_choice", choices=CHOICES), ["0", "2"], None),
    (question("multiple_choice", choices=CHOICES), ["0", "7"], "Choose among the choices"),
    (question("yes_no"), "yes", None),
    (question("yes_no"), "maybe", "Answer yes or no."),
    (question("date"), "2027-02-28", None),
    (question("date"), "2027-02-30", "Enter a date"),
    (question("short_text", required=True), "", "required to submit"),
    (question("multiple_choice", required=True, choices=CHOICES), [], "required to submit"),
    (question("short_text"), "", None),
    # A file question's answer: the names of the files tied to it (``file_answers``).
    (question("file", required=True), ["plan.pdf"], None),
    (question("file", required=True), [], "required to submit"),
]


@pytest.mark.parametrize(("asked", "typed", "refusal"), CASES)
def test_each_kind_is_checked_on_submit_and_kept_as_typed_in_a_draft(asked, typed, refusal):
    kept, lenient = check_answers([asked], {"q1": typed}, strict=False)
    stored, errors = check_answers([asked], {"q1": typed}, strict=True)

    assert lenient == {}
    assert kept == stored == ({"q1": typed} if typed else {})
    if refusal is None:
        assert errors == {}
    else:
        assert refusal in errors[field_name("q1")]


@pytest.mark.parametrize(
    ("audience", "visible_to_jurors", "identifying", "public", "blind", "shown"),
    [
        ("team", False, True, False, True, True),
        ("coordinator", False, True, False, True, True),
        ("juror", True, False, False, True, True),
        ("juror", True, True, False, True, False),
        ("juror", True, True, False, False, True),
        ("juror", False, False, True, False, False),
        ("public", True, False, False, False, False),
        ("public", False, True, True, True, True),
    ],
)
def test_answer_shown_to_truth_table(
    audience, visible_to_jurors, identifying, public, blind, shown
):
    asked = question(
        "short_text", visible_to_jurors=visible_to_jurors, identifying=identifying, public=public
    )
    assert answer_shown_to(audience, asked, blind=blind) is shown


@pytest.mark.parametrize(
    ("audience", "tied", "asked", "identifying", "blind", "shown"),
    [
        ("juror", False, False, False, True, True),  # a file of the idea as a whole
        ("juror", True, True, False, True, True),
        ("juror", True, True, True, True, False),  # identifying, in a blind round
        ("juror", True, True, True, False, True),
        ("juror", True, False, False, False, False),  # its question is gone
        ("team", True, True, True, True, True),
        ("coordinator", True, True, True, True, True),
        ("public", True, True, False, False, False),
    ],
)
def test_file_shown_to_truth_table(audience, tied, asked, identifying, blind, shown):
    attachment = Attachment(question_key="q1" if tied else "")
    row = question("file", identifying=identifying) if asked else None
    assert file_shown_to(audience, attachment, row, blind=blind) is shown


# --- the team's editor ------------------------------------------------------------------------


@pytest.fixture
def asked():
    """An open round asking three questions, and a team's draft in it."""
    competition = make_round(phase="open")
    premises = make_question(competition, label="How are the shared premises used?", required=True)
    story = make_question(
        competition, label="Tell a client's story", kind=QuestionKind.LONG_TEXT, word_limit=5
    )
    clients = make_question(
        competition,
        label="Clients reached a year",
        kind=QuestionKind.NUMBER,
        unit="clients",
        min_value=Decimal(1),
    )
    lead = UserFactory()
    idea = make_idea(team=make_team(lead=lead), competition=competition)
    return idea, lead, premises, story, clients


def edit_data(idea, **answers) -> dict:
    data = {name: getattr(idea, name) for name in services.EDITABLE_FIELDS}
    data["version"] = idea.version
    for row, value in answers.items():
        data[row] = value
    return data


def test_submit_is_refused_next_to_the_field_and_the_draft_keeps_the_text(client, asked):
    idea, lead, premises, story, clients = asked
    client.force_login(lead)
    long_story = "She waited six weeks for help"
    data = edit_data(
        idea,
        **{
            field_name(premises.key): "The family room on floor 2",
            field_name(story.key): long_story,
            field_name(clients.key): "zero",
        },
    )

    response = client.post(reverse("ideas:idea", args=[idea.pk]), data | {"action": "submit"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "At most 5 words; this answer has 6." in html
    assert "Enter a number, for example 1200 or 12,5." in html
    assert long_story in html  # the field keeps what was typed
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.DRAFT
    assert idea.answers[story.key] == long_story
    assert idea.answers[clients.key] == "zero"

    data = edit_data(
        idea,
        **{
            field_name(premises.key): "The family room on floor 2",
            field_name(story.key): "She waited six weeks",
            field_name(clients.key): "120",
        },
    )
    response = client.post(reverse("ideas:idea", args=[idea.pk]), data | {"action": "submit"})

    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.SUBMITTED
    assert idea.answers[clients.key] == "120"


def test_a_required_answer_missing_is_refused_on_submit(client, asked):
    idea, lead, premises, _story, _clients = asked
    client.force_login(lead)

    response = client.post(
        reverse("ideas:idea", args=[idea.pk]), edit_data(idea) | {"action": "submit"}
    )

    assert response.status_code == 400
    assert "This field is required to submit the idea." in response.content.decode()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.DRAFT


def test_autosave_keeps_an_answer_over_the_limit_as_typed(client, asked):
    idea, lead, _premises, story, _clients = asked
    client.force_login(lead)
    typed = "one two three four five six seven"

    response = client.post(
        reverse("ideas:autosave", args=[idea.pk]), edit_data(idea, **{field_name(story.key): typed})
    )

    assert response.json()["saved"] is True
    idea.refresh_from_db()
    assert idea.answers == {story.key: typed}


def test_the_editor_words_the_questions_in_the_readers_language(client, asked):
    idea, lead, premises, _story, _clients = asked
    finnish = idea.competition.copy_for_translation(
        Locale.objects.get(language_code="fi"), copy_parents=True
    )
    finnish.save_revision().publish()
    row = RoundQuestion.objects.get(
        translation_key=premises.translation_key, locale__language_code="fi"
    )
    row.label = "Miten yhteisiä tiloja käytetään?"
    row.save()
    client.force_login(lead)

    html = client.get(f"/fi/my/ideas/{idea.pk}/").content.decode()

    assert "Miten yhteisiä tiloja käytetään?" in html
    assert "How are the shared premises used?" not in html


def test_answers_are_revisioned_and_restored_with_the_idea(client, asked):
    idea, lead, premises, _story, _clients = asked
    services.save_idea(
        idea=idea,
        text=idea.text(),
        answers={premises.key: "The family room"},
        base_version=idea.version,
        by=lead,
    )
    first, title = idea.version, idea.title
    services.save_idea(
        idea=idea,
        text=idea.text() | {"title": "Renamed"},
        answers={premises.key: "The library's meeting room"},
        base_version=first,
        by=lead,
    )
    client.force_login(lead)
    history = client.get(reverse("ideas:history", args=[idea.pk])).content.decode()
    assert "How are the shared premises used?" in history

    restored = services.restore_revision(
        revision=idea.revisions.get(version=first), base_version=first + 1, by=lead
    )

    assert restored.answers == {premises.key: "The family room"}
    assert restored.title == title
    assert restored.revisions.first().text["answers"] == {premises.key: "The family room"}


def test_a_retired_question_keeps_its_answer_when_the_idea_is_saved(asked):
    idea, lead, premises, _story, _clients = asked
    saved = services.save_idea(
        idea=idea,
        text=idea.text(),
        answers={premises.key: "The family room"},
        base_version=idea.version,
        by=lead,
    )
    RoundQuestion.objects.filter(pk=premises.pk).update(retired=True)

    again = services.save_idea(
        idea=saved,
        text=saved.text() | {"title": "Renamed"},
        answers={},
        base_version=saved.version,
        by=lead,
    )

    assert again.answers == {premises.key: "The family room"}
    assert [q.key for q in round_questions(idea.competition)] != [premises.key]


# --- the jury, the public and the export ------------------------------------------------------


def answered_round(**round_fields):
    competition = make_round(**round_fields)
    shown = make_question(competition, label="Which premises are used?", public=True)
    who = make_question(competition, label="Which clinic proposes it?", identifying=True)
    private = make_question(competition, label="Internal cost estimate", visible_to_jurors=False)
    idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED)
    idea.answers = {
        shown.key: "The shared family room",
        who.key: "Kallio maternity clinic",
        private.key: "Forty thousand euros",
    }
    idea.save()
    return competition, idea


def test_a_juror_of_a_blind_round_never_sees_identifying_or_hidden_answers(client):
    competition, idea = answered_round(phase="judging", blind_judging=True)
    juror = make_juror(competition)
    make_assignment(juror, idea)
    client.force_login(juror)

    html = client.get(reverse("judging:review", args=[idea.pk])).content.decode()

    assert "The shared family room" in html
    assert "Kallio maternity clinic" not in html
    assert "Which clinic proposes it?" not in html
    assert "Forty thousand euros" not in html


def test_a_juror_of_an_open_round_sees_identifying_answers(client):
    competition, idea = answered_round(phase="judging", blind_judging=False)
    juror = make_juror(competition)
    make_assignment(juror, idea)
    client.force_login(juror)

    html = client.get(reverse("judging:review", args=[idea.pk])).content.decode()

    assert "Kallio maternity clinic" in html
    assert "Forty thousand euros" not in html


def drafted_innovation(competition, idea, coordinator):
    idea.status = IdeaStatus.AWARDED
    idea.save()
    page = services.draft_innovation_page(
        idea=idea,
        award="winner",
        rationale="It closes a gap.",
        criterion_means=[],
        by=coordinator,
    )
    page.title = "Psychologist within reach"
    page.save_revision().publish()
    return page


def test_only_public_answers_are_on_the_innovation_page_and_in_the_api(client, coordinator):
    competition, idea = answered_round(phase="results")
    page = drafted_innovation(competition, idea, coordinator)

    html = client.get(page.url).content.decode()
    detail = client.get(f"/api/v2/innovations/{page.pk}/").json()
    listing = client.get("/api/v2/innovations/?fields=*").content.decode()

    assert "The shared family room" in html
    assert detail["public_answers"] == [
        {"question": "Which premises are used?", "answer": "The shared family room"}
    ]
    for secret in ("Kallio maternity clinic", "Forty thousand euros", "Internal cost estimate"):
        assert secret not in html
        assert secret not in str(detail)
        assert secret not in listing
    assert set(page.answers) == {competition.questions.get(public=True).key}


def test_an_answer_no_longer_marked_public_leaves_the_innovation_page(client, coordinator):
    competition, idea = answered_round(phase="results")
    page = drafted_innovation(competition, idea, coordinator)
    competition.questions.filter(public=True).update(public=False)

    html = client.get(page.url).content.decode()
    detail = client.get(f"/api/v2/innovations/{page.pk}/").json()

    assert "The shared family room" not in html
    assert detail["public_answers"] == []


def test_the_showcase_finds_an_innovation_by_its_public_answers_only(client, coordinator):
    competition, idea = answered_round(phase="results")
    drafted_innovation(competition, idea, coordinator)
    showcase = make_showcase()

    found = client.get(showcase.url, {"q": "family room"}).content.decode()
    private = client.get(showcase.url, {"q": "Forty thousand"}).content.decode()

    assert "Psychologist within reach" in found
    assert "Psychologist within reach" not in private


def test_the_export_has_a_column_per_question(client, coordinator):
    competition, idea = answered_round(phase="judging")
    client.force_login(coordinator)

    response = client.get("/admin/idea/", {"competition": competition.pk, "export": "csv"})

    text = b"".join(response.streaming_content).decode()
    header, row = text.splitlines()[:2]
    assert "Which premises are used?" in header and "Internal cost estimate" in header
    assert "The shared family room" in row and "Forty thousand euros" in row
    assert idea_answers(idea, audience="coordinator")[2] == (
        "Internal cost estimate",
        "Forty thousand euros",
    )


def test_a_blind_rounds_team_is_warned_of_its_name_in_an_answer_jurors_read():
    competition, idea = answered_round(phase="open", blind_judging=True)
    team_name = idea.team.name
    shown = competition.questions.get(public=True)
    who = competition.questions.get(identifying=True)
    idea.answers = {shown.key: f"The room of {team_name}", who.key: f"Team {team_name}"}
    idea.save()

    mentions = warnings_for_team(idea)

    assert [(m.name, m.field_label) for m in mentions] == [(team_name, "Which premises are used?")]


def test_a_coordinator_reads_every_answer_in_the_admin(client, coordinator):
    _competition, idea = answered_round(phase="judging", blind_judging=True)
    client.force_login(coordinator)

    html = client.get(f"/admin/idea/inspect/{idea.pk}/").content.decode()

    for answer in ("The shared family room", "Kallio maternity clinic", "Forty thousand euros"):
        assert answer in html


def test_the_export_with_answers_costs_the_same_queries_for_1_and_10_ideas(
    client, coordinator, count_queries
):
    client.force_login(coordinator)
    counts = []
    for ideas in (1, 10):
        competition, idea = answered_round(phase="judging")
        for _ in range(ideas - 1):
            make_idea(competition=competition, status=IdeaStatus.SUBMITTED, answers=idea.answers)
        query = {"competition": competition.pk, "export": "csv"}
        client.get("/admin/idea/", query)
        rows = []
        counts.append(
            count_queries(
                lambda query=query, rows=rows: rows.extend(
                    b"".join(client.get("/admin/idea/", query).streaming_content).splitlines()
                )
            )
        )
        assert len(rows) == ideas + 1
    assert counts[0] == counts[1]


def test_the_ranking_export_of_a_blind_round_has_only_what_a_juror_reads(client, coordinator):
    competition, idea = answered_round(phase="deliberation", blind_judging=True)
    make_review(make_assignment(make_juror(competition), idea), 4)
    client.force_login(coordinator)

    response = client.get(reverse("judging_admin:export", args=[competition.pk, "ranking", "csv"]))

    text = response.content.decode()
    assert "Which premises are used?" in text and "The shared family room" in text
    for secret in ("Kallio maternity clinic", "Forty thousand euros", "Internal cost estimate"):
        assert secret not in text


# --- the round's editor -----------------------------------------------------------------------


def question_row(row: RoundQuestion, **changes) -> dict:
    data = {
        "id": str(row.pk),
        "label": row.label,
        "kind": row.kind,
        "help_text": row.help_text,
        "word_limit": "",
        "min_value": "",
        "max_value": "",
        "unit": "",
        "choices": "",
        "visible_to_jurors": "on",
    }
    return data | changes


def edit_round(client, competition, rows, **extra):
    criterion = competition.criteria.get()
    data = round_form_data(
        title=competition.title,
        slug=competition.slug,
        criteria=inline_formset(
            [
                {
                    "id": str(criterion.pk),
                    "name": criterion.name,
                    "description": "",
                    "lowest_means": "",
                    "highest_means": "",
                    "weight": "1",
                    "scale_min": "1",
                    "scale_max": "5",
                }
            ],
            initial=1,
        ),
        questions=inline_formset(rows, initial=len(rows)),
        **extra,
    )
    if "required_idea_fields" in extra:  # a list, which nested_form_data would number
        for key in [key for key in data if key.startswith("required_idea_fields-")]:
            del data[key]
        data["required_idea_fields"] = extra["required_idea_fields"]
    return client.post(reverse("wagtailadmin_pages:edit", args=[competition.pk]), data)


@pytest.fixture
def answered_question(coordinator):
    competition = make_round(phase="upcoming", criteria=1)
    row = make_question(competition, label="Clients reached a year", kind=QuestionKind.NUMBER)
    idea = make_idea(competition=competition)
    idea.answers = {row.key: "120"}
    idea.save()
    return competition, row


def test_a_question_with_answers_cannot_be_removed(client, coordinator, answered_question):
    competition, row = answered_question
    client.force_login(coordinator)

    response = edit_round(client, competition, [question_row(row, DELETE="1")])

    assert "has been answered and cannot be removed; mark it retired instead." in (
        response.content.decode()
    )
    assert RoundQuestion.objects.filter(pk=row.pk).exists()


def test_a_question_with_answers_cannot_change_type(client, coordinator, answered_question):
    competition, row = answered_question
    client.force_login(coordinator)

    response = edit_round(client, competition, [question_row(row, kind="short_text")])

    assert "its type cannot change" in response.content.decode()
    assert RoundQuestion.objects.get(pk=row.pk).kind == QuestionKind.NUMBER


def test_the_coordinators_help_text_is_escaped_in_the_teams_form(client, asked):
    idea, lead, premises, _story, _clients = asked
    RoundQuestion.objects.filter(pk=premises.pk).update(help_text="<script>alert(1)</script>")
    client.force_login(lead)

    html = client.get(reverse("ideas:idea", args=[idea.pk])).content.decode()

    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_question_with_answers_can_be_retired_and_one_without_removed(
    client, coordinator, answered_question
):
    competition, row = answered_question
    unanswered = make_question(competition, label="Unused question")
    client.force_login(coordinator)

    response = edit_round(
        client,
        competition,
        [question_row(row, retired="on"), question_row(unanswered, DELETE="1")],
        **{"action-publish": "action-publish"},
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    assert RoundQuestion.objects.get(pk=row.pk).retired is True
    assert not RoundQuestion.objects.filter(pk=unanswered.pk).exists()


def test_next_years_round_asks_the_same_questions_under_new_keys(coordinator):
    competition = make_round(phase="results")
    row = make_question(competition, label="Clients reached a year", kind=QuestionKind.NUMBER)

    copy = services.copy_round(competition=competition, by=coordinator)

    copied = copy.questions.get()
    assert (copied.label, copied.kind) == ("Clients reached a year", QuestionKind.NUMBER)
    assert copied.key != row.key  # last year's answers never count as this year's


# --- the built-in fields, renamed or hidden per round -------------------------------------------


def with_fields(competition, *rows) -> None:
    competition.idea_fields = [("field", row) for row in rows]
    competition.save()


def test_a_round_renames_explains_and_hides_built_in_fields(client, asked):
    idea, lead, _premises, _story, _clients = asked
    Idea = type(idea)
    Idea.objects.filter(pk=idea.pk).update(pilot_plan="Our secret pilot plan")
    with_fields(
        idea.competition,
        {"field": "problem", "label": "What goes wrong today", "help_text": "In a few lines."},
        {"field": "pilot_plan", "label": "", "help_text": "", "hidden": True},
    )
    client.force_login(lead)

    html = client.get(reverse("ideas:idea", args=[idea.pk])).content.decode()
    idea.refresh_from_db()
    saved = client.post(reverse("ideas:idea", args=[idea.pk]), edit_data(idea) | {"action": "save"})

    assert "What goes wrong today" in html and "In a few lines." in html
    assert 'name="pilot_plan"' not in html and "Our secret pilot plan" not in html
    assert saved.status_code == 302
    idea.refresh_from_db()
    assert idea.pilot_plan == "Our secret pilot plan"  # a hidden field keeps its text


def test_a_juror_reads_the_fields_as_the_round_names_them(client):
    competition, idea = answered_round(phase="judging", blind_judging=True)
    with_fields(
        competition,
        {"field": "problem", "label": "What goes wrong today", "help_text": ""},
        {"field": "pilot_plan", "label": "", "help_text": "", "hidden": True},
    )
    type(idea).objects.filter(pk=idea.pk).update(pilot_plan="Our secret pilot plan")
    juror = make_juror(competition)
    make_assignment(juror, idea)
    client.force_login(juror)

    html = client.get(reverse("judging:review", args=[idea.pk])).content.decode()

    assert "What goes wrong today" in html
    assert "Our secret pilot plan" not in html and "Pilot plan" not in html


def test_a_hidden_field_cannot_be_required(client, coordinator):
    competition = make_round(phase="upcoming", criteria=1)
    client.force_login(coordinator)

    response = edit_round(
        client,
        competition,
        [],
        required_idea_fields=["title", "problem"],
        idea_fields=streamfield(
            [("field", {"field": "problem", "label": "", "help_text": "", "hidden": "on"})]
        ),
    )

    assert "A hidden field cannot be required: the problem today." in response.content.decode()
    competition.refresh_from_db()
    assert not competition.idea_fields


# --- file questions: the idea's attachments tied to the question ---------------------------------


def attach_to(idea, row: RoundQuestion, name: str, text: str = "A plan") -> Attachment:
    """A file answering ``row``, stored as an attachment tied to it."""
    attachment = Attachment(
        idea=idea,
        original_name=name,
        content_type="application/pdf",
        size=100,
        question_key=row.key,
    )
    attachment.file.save("x.pdf", ContentFile(pdf_bytes(text)), save=False)
    attachment.save()
    return attachment


def field_errors(html: str, row: RoundQuestion) -> str:
    """The errors shown on the question's own field: the list its input points to."""
    error_id = f"id_{field_name(row.key)}_error"
    errors = re.search(rf'<ul[^>]*id="{error_id}"[^>]*>(.*?)</ul>', html, re.S)
    assert errors, "no error on the question's field"
    assert re.search(rf'<input[^>]*type="file"[^>]*aria-describedby="[^"]*{error_id}', html)
    return errors.group(1)


@pytest.fixture
def file_asked():
    """An open round asking for a floor plan (required) and a team's draft in it."""
    competition = make_round(phase="open")
    plan = make_question(
        competition, label="Attach a floor plan of the premises", kind=QuestionKind.FILE
    )
    RoundQuestion.objects.filter(pk=plan.pk).update(required=True)
    plan.refresh_from_db()
    lead = UserFactory()
    idea = make_idea(team=make_team(lead=lead), competition=competition)
    return idea, lead, plan


def test_a_file_answer_is_uploaded_in_the_editor_tied_to_its_question(client, file_asked):
    idea, lead, plan = file_asked
    client.force_login(lead)
    upload = SimpleUploadedFile("floor plan.pdf", pdf_bytes("Floor 2"), "application/pdf")

    response = client.post(
        reverse("ideas:idea", args=[idea.pk]),
        edit_data(idea, problem="Families wait.", **{field_name(plan.key): upload})
        | {"action": "save"},
    )

    assert response.status_code == 302
    attachment = idea.attachments.get()
    assert (attachment.original_name, attachment.question_key) == ("floor plan.pdf", plan.key)
    idea.refresh_from_db()
    assert idea.problem == "Families wait."
    assert plan.key not in idea.answers  # the answer is the file, not a value
    assert file_answers(idea) == {plan.key: ["floor plan.pdf"]}
    html = client.get(reverse("ideas:idea", args=[idea.pk])).content.decode()
    beside = re.search(
        r'<ul class="files" aria-label="Files answering[^"]*">(.*?)</ul>', html, re.S
    )
    assert beside and "floor plan.pdf" in beside.group(1)
    assert "answers “Attach a floor plan of the premises”" in html


def test_a_required_file_question_without_a_file_is_refused_on_submit_next_to_the_field(
    client, file_asked
):
    idea, lead, plan = file_asked
    client.force_login(lead)

    response = client.post(
        reverse("ideas:idea", args=[idea.pk]), edit_data(idea) | {"action": "submit"}
    )

    assert response.status_code == 400
    assert "This field is required to submit the idea." in field_errors(
        response.content.decode(), plan
    )
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.DRAFT

    upload = SimpleUploadedFile("plan.pdf", pdf_bytes("Floor 2"), "application/pdf")
    response = client.post(
        reverse("ideas:idea", args=[idea.pk]),
        edit_data(idea, **{field_name(plan.key): upload}) | {"action": "submit"},
    )

    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.SUBMITTED
    assert idea.attachments.get().question_key == plan.key


def test_a_file_of_the_wrong_type_is_refused_on_the_field_and_the_text_kept(client, file_asked):
    idea, lead, plan = file_asked
    client.force_login(lead)
    upload = SimpleUploadedFile("plan.exe", b"MZ\x90\x00", "application/octet-stream")

    response = client.post(
        reverse("ideas:idea", args=[idea.pk]),
        edit_data(idea, problem="Typed but not saved.", **{field_name(plan.key): upload})
        | {"action": "save"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Only PDF, DOCX, XLSX, PPTX, ODT, ODS, ODP, PNG and JPG" in field_errors(html, plan)
    assert "Typed but not saved." in html
    assert not idea.attachments.exists()


def test_the_last_file_of_a_required_question_stays_with_a_submitted_idea(file_asked):
    idea, lead, plan = file_asked
    attachment = attach_to(idea, plan, "plan.pdf")
    idea = services.set_idea_status(idea=idea, status=IdeaStatus.SUBMITTED, by=lead)
    attachment.idea = idea

    with pytest.raises(services.NotAllowed, match="keeps its required answers"):
        services.remove_attachment(attachment=attachment, by=lead)

    assert idea.attachments.filter(pk=attachment.pk).exists()


def test_a_file_answer_outlives_the_restore_of_an_earlier_revision(client, file_asked):
    idea, lead, plan = file_asked
    idea = services.save_idea(
        idea=idea, text=idea.text() | {"problem": "Wait"}, base_version=idea.version, by=lead
    )
    first = idea.version
    services.save_idea(
        idea=idea, text=idea.text() | {"title": "Renamed"}, answers={}, base_version=first, by=lead
    )
    attach_to(idea, plan, "plan.pdf")

    restored = services.restore_revision(
        revision=idea.revisions.get(version=first), base_version=first + 1, by=lead
    )

    assert restored.title != "Renamed"
    assert file_answers(restored) == {plan.key: ["plan.pdf"]}
    submitted = services.set_idea_status(idea=restored, status=IdeaStatus.SUBMITTED, by=lead)
    assert submitted.status == IdeaStatus.SUBMITTED


def test_a_question_answered_with_a_file_cannot_be_removed(client, coordinator):
    competition = make_round(phase="upcoming", criteria=1)
    row = make_question(competition, label="Attach a floor plan", kind=QuestionKind.FILE)
    attach_to(make_idea(competition=competition), row, "plan.pdf")
    client.force_login(coordinator)

    removed = edit_round(client, competition, [question_row(row, DELETE="1")])
    retyped = edit_round(client, competition, [question_row(row, kind="short_text")])

    assert "has been answered and cannot be removed" in removed.content.decode()
    assert "its type cannot change" in retyped.content.decode()
    assert RoundQuestion.objects.get(pk=row.pk).kind == QuestionKind.FILE


def test_a_file_answer_cannot_be_public():
    row = RoundQuestion(label="Attach a floor plan", kind=QuestionKind.FILE, public=True)

    with pytest.raises(ValidationError) as refused:
        row.clean()

    assert "public" in refused.value.message_dict


def file_answered_round(*, blind: bool):
    """A round being judged with an idea answering a plain and an identifying file question."""
    competition = make_round(phase="judging", blind_judging=blind)
    plan = make_question(competition, label="Attach a floor plan", kind=QuestionKind.FILE)
    letter = make_question(
        competition,
        label="Attach your unit's letter of support",
        kind=QuestionKind.FILE,
        identifying=True,
    )
    idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED)
    attach_to(idea, plan, "plan.pdf", "Floor 2 family room")
    attach_to(idea, letter, "Kallio clinic letter.pdf", "Signed Kallio clinic")
    juror = make_juror(competition)
    make_assignment(juror, idea)
    return idea, juror


def test_a_juror_of_a_blind_round_neither_sees_nor_downloads_an_identifying_file(client):
    idea, juror = file_answered_round(blind=True)
    client.force_login(juror)

    html = client.get(reverse("judging:review", args=[idea.pk])).content.decode()

    assert "answers “Attach a floor plan”" in html
    assert reverse("judging:attachment", args=[idea.pk, 1]) in html
    assert reverse("judging:attachment", args=[idea.pk, 2]) not in html
    assert "letter of support" not in html and "Kallio" not in html
    first = client.get(reverse("judging:attachment", args=[idea.pk, 1]))
    plan = idea.attachments.get(original_name="plan.pdf")
    with plan.blind_file.open("rb") as cleaned:
        assert b"".join(first.streaming_content) == cleaned.read()
    assert client.get(reverse("judging:attachment", args=[idea.pk, 2])).status_code == 404


def test_a_juror_of_an_open_round_receives_an_identifying_file(client):
    idea, juror = file_answered_round(blind=False)
    client.force_login(juror)

    html = client.get(reverse("judging:review", args=[idea.pk])).content.decode()

    assert "letter of support" in html
    second = client.get(reverse("judging:attachment", args=[idea.pk, 2]))
    letter = idea.attachments.get(original_name="Kallio clinic letter.pdf")
    with letter.file.open("rb") as uploaded:
        assert b"".join(second.streaming_content) == uploaded.read()


def test_the_coordinators_export_and_the_teams_page_name_the_files_answering(client, coordinator):
    idea, _juror = file_answered_round(blind=True)
    client.force_login(coordinator)

    response = client.get("/admin/idea/", {"competition": idea.competition_id, "export": "csv"})

    header, row = b"".join(response.streaming_content).decode().splitlines()[:2]
    assert "Attach a floor plan" in header and "plan.pdf" in row
    assert "Kallio clinic letter.pdf" in row
    assert ("Attach a floor plan", "plan.pdf") in idea_answers(idea, audience="coordinator")
    assert idea_answers(idea, audience="juror") == []  # a file's name may name the team


def test_the_export_with_file_answers_costs_the_same_queries_for_1_and_10_ideas(
    client, coordinator, count_queries
):
    client.force_login(coordinator)
    counts = []
    for ideas in (1, 10):
        idea, _juror = file_answered_round(blind=False)
        plan = idea.competition.questions.get(label="Attach a floor plan")
        for _ in range(ideas - 1):
            other = make_idea(competition=idea.competition, status=IdeaStatus.SUBMITTED)
            attach_to(other, plan, "plan.pdf")
        query = {"competition": idea.competition_id, "export": "csv"}
        client.get("/admin/idea/", query)
        rows = []
        counts.append(
            count_queries(
                lambda query=query, rows=rows: rows.extend(
                    b"".join(client.get("/admin/idea/", query).streaming_content).splitlines()
                )
            )
        )
        assert len(rows) == ideas + 1 and all(b"plan.pdf" in row for row in rows[1:])
    assert counts[0] == counts[1]
