"""The coordinator runs a round alone: judging opened from the dashboard, finished means
finished, vote and winner limits, messages to the right people only, juror reminders, and the
screens at the same number of queries with 10 and with 200 ideas."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ideas.models import CompetitionPage, Idea, IdeaStatus, Profile
from ideas.services import NotAllowed
from judging import services
from judging.models import Assignment, Award, JurorNotice, RoundMessage
from judging.scoreboard import display_name
from tests.bench.judging import add_scores, build_round
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_review,
    make_round,
    make_team,
    round_dates,
)

pytestmark = pytest.mark.django_db


def dashboard(competition) -> str:
    return f"/admin/judging/{competition.pk}/"


def in_phase(competition, phase: str):
    CompetitionPage.objects.filter(pk=competition.pk).update(**round_dates(phase))
    return CompetitionPage.objects.get(pk=competition.pk)


@pytest.fixture
def judged():
    """A round in judging: three jurors, three ideas, one assignment reviewed."""
    competition = make_round(phase="judging")
    jurors = [make_juror(competition) for _ in range(3)]
    ideas = [
        make_idea(team=make_team(), competition=competition, status=IdeaStatus.SUBMITTED)
        for _ in range(3)
    ]
    assignment = make_assignment(jurors[0], ideas[0])
    make_review(assignment, 4)
    make_assignment(jurors[1], ideas[1])
    return competition, jurors, ideas


# --- opening judging from the dashboard ------------------------------------------------------


def test_coordinator_opens_judging_after_seeing_the_report_and_jurors_are_told_once(
    client, coordinator
):
    competition = make_round(phase="judging", reviews_per_idea=2)
    jurors = [make_juror(competition) for _ in range(3)]
    for _ in range(4):
        make_idea(team=make_team(), competition=competition, status=IdeaStatus.SUBMITTED)
    client.force_login(coordinator)

    page = client.get(dashboard(competition)).content.decode()
    report = client.get(f"{dashboard(competition)}open/").content.decode()

    assert "Open judging now" in page
    assert "makes 8 assignments" in report and not Assignment.objects.exists()
    for juror in jurors:
        assert display_name(juror) in report
    response = client.post(f"{dashboard(competition)}open/")
    again = client.post(f"{dashboard(competition)}open/", follow=True)

    assert response.status_code == 302
    assert Assignment.objects.filter(idea__competition=competition).count() == 8
    assert sorted(message.to[0] for message in mail.outbox) == sorted(j.email for j in jurors)
    assert "Judging opens once submissions close, and only once." in again.content.decode()
    assert "Open judging now" not in client.get(dashboard(competition)).content.decode()


@pytest.mark.parametrize("who", ["team member", "juror", "anonymous"])
def test_only_a_coordinator_opens_judging(client, who):
    competition = make_round(phase="judging")
    juror = make_juror(competition)
    idea = make_idea(team=make_team(), competition=competition, status=IdeaStatus.SUBMITTED)
    user = {"team member": idea.team.memberships.get().user, "juror": juror}.get(who)
    if user is not None:
        client.force_login(user)

    shown = client.get(f"{dashboard(competition)}open/")
    opened = client.post(f"{dashboard(competition)}open/")

    assert {shown.status_code, opened.status_code} <= {302, 403}
    assert not Assignment.objects.exists() and not mail.outbox


# --- finished means finished -----------------------------------------------------------------


@pytest.mark.parametrize("phase", ["deliberation", "results"])
def test_assignments_cannot_change_after_judging_through_the_service(judged, coordinator, phase):
    competition, jurors, ideas = judged
    competition = in_phase(competition, phase)
    ideas = [Idea.objects.get(pk=idea.pk) for idea in ideas]  # as the views read them
    unreviewed = Assignment.objects.select_related("idea").get(juror=jurors[1])

    with pytest.raises(NotAllowed):
        services.add_assignment(idea=ideas[2], juror=jurors[2], by=coordinator)
    with pytest.raises(NotAllowed):
        services.remove_assignment(assignment=unreviewed, by=coordinator)
    with pytest.raises(NotAllowed):
        services.generate_assignments(competition=competition, by=coordinator)

    assert Assignment.objects.count() == 2


@pytest.mark.parametrize("phase", ["deliberation", "results"])
def test_assignments_cannot_change_after_judging_through_the_views(
    client, judged, coordinator, phase
):
    competition, jurors, ideas = judged
    competition = in_phase(competition, phase)
    unreviewed = Assignment.objects.get(juror=jurors[1])
    client.force_login(coordinator)

    page = client.get(dashboard(competition)).content.decode()
    client.post(
        f"{dashboard(competition)}assignments/add/", {"idea": ideas[2].pk, "juror": jurors[2].pk}
    )
    client.post(f"{dashboard(competition)}assignments/{unreviewed.pk}/remove/")
    refused = client.post(f"{dashboard(competition)}assign/", follow=True).content.decode()

    for button in ("Assign ideas again", "Add an assignment", "Remove "):
        assert button not in page
    assert "Judging has closed: the assignments are final." in page
    assert "Ideas are assigned while judging runs" in refused
    assert sorted(Assignment.objects.values_list("juror_id", "idea_id")) == sorted(
        [(jurors[0].pk, ideas[0].pk), (jurors[1].pk, ideas[1].pk)]
    )


def test_while_judging_runs_assignments_change_and_the_buttons_are_there(
    client, judged, coordinator
):
    competition, jurors, ideas = judged
    client.force_login(coordinator)

    page = client.get(dashboard(competition)).content.decode()
    client.post(
        f"{dashboard(competition)}assignments/add/", {"idea": ideas[2].pk, "juror": jurors[2].pk}
    )

    assert "Add an assignment" in page and "Remove " in page
    assert Assignment.objects.filter(juror=jurors[2], idea=ideas[2]).exists()


def decision_data(ideas, **per_idea) -> dict:
    data = {}
    for idea in ideas:
        values = per_idea.get(str(idea.pk), {})
        data[f"{idea.pk}-level"] = values.get("level", "")
        data[f"{idea.pk}-rationale"] = values.get("rationale", "")
        data[f"{idea.pk}-feedback"] = ""
        data[f"{idea.pk}-votes"] = values.get("votes", "")
        if "criteria" in values:
            data[f"{idea.pk}-criteria"] = values["criteria"]
    return data


def test_the_decision_is_read_only_after_results_and_says_why(client, judged, coordinator):
    competition, _jurors, ideas = judged
    competition = in_phase(competition, "deliberation")
    criterion = competition.criteria.first()
    services.record_decision(
        competition=competition,
        entries=[
            services.DecisionEntry(
                ideas[0].pk, level="winner", rationale="Fast help.", criteria=[criterion.pk]
            )
        ],
        by=coordinator,
    )
    competition = in_phase(competition, "results")
    CompetitionPage.objects.filter(pk=competition.pk).update(
        results_published_at=timezone.now() - timedelta(days=1)
    )
    client.force_login(coordinator)

    page = client.get(f"{dashboard(competition)}decision/").content.decode()
    changed = client.post(f"{dashboard(competition)}decision/", decision_data(ideas))

    assert "The results are published, so the decision is final" in page
    assert "Record the decision" not in page
    level = re.search(rf'<select[^>]*name="{ideas[0].pk}-level"[^>]*>', page).group(0)
    assert "disabled" in level
    assert changed.status_code in {302, 403}
    assert Award.objects.get(idea=ideas[0]).level == "winner"


@pytest.mark.parametrize(("votes", "accepted"), [(-1, False), (0, True), (3, True), (4, False)])
def test_jury_votes_lie_between_0_and_the_jurys_size(client, judged, coordinator, votes, accepted):
    competition, _jurors, ideas = judged
    competition = in_phase(competition, "deliberation")
    client.force_login(coordinator)

    response = client.post(
        f"{dashboard(competition)}decision/",
        decision_data(ideas, **{str(ideas[1].pk): {"votes": str(votes)}}),
    )

    assert (response.status_code == 302) is accepted
    recorded = Award.objects.filter(idea=ideas[1]).values_list("votes", flat=True).first()
    if accepted:
        assert recorded == votes
    else:
        assert recorded is None
        assert f'value="{votes}"' in response.content.decode()
    with pytest.raises(services.FieldErrors) as refused:
        services.record_decision(
            competition=competition,
            entries=[services.DecisionEntry(ideas[1].pk, votes=99)],
            by=coordinator,
        )
    message = refused.value.errors[f"{ideas[1].pk}-votes"]
    assert message == "Votes lie between 0 and the jury's size, 3."


@pytest.mark.parametrize(("allowed", "accepted"), [(1, False), (2, True)])
def test_no_more_winners_than_the_round_names(client, judged, coordinator, allowed, accepted):
    competition, _jurors, ideas = judged
    CompetitionPage.objects.filter(pk=competition.pk).update(winners_allowed=allowed)
    competition = in_phase(competition, "deliberation")
    criterion = str(competition.criteria.first().pk)
    client.force_login(coordinator)
    winner = {"level": "winner", "rationale": "Strong.", "criteria": [criterion]}

    response = client.post(
        f"{dashboard(competition)}decision/",
        decision_data(ideas, **{str(ideas[0].pk): winner, str(ideas[1].pk): winner}),
    )

    assert (response.status_code == 302) is accepted
    assert Award.objects.filter(level="winner").count() == (2 if accepted else 0)
    if not accepted:
        assert "The round names 1 winner; 2 are chosen." in response.content.decode()


# --- messages ---------------------------------------------------------------------------------


@pytest.fixture
def people():
    """Teams and jurors of a round, and people of another round who must never be reached."""
    competition = make_round(phase="judging")
    submitting = make_team(lead=UserFactory(email="sub@example.org"))
    drafting = make_team(lead=UserFactory(email="draft@example.org"))
    withdrawn = make_team(lead=UserFactory(email="gone@example.org"))
    make_idea(team=submitting, competition=competition, status=IdeaStatus.SUBMITTED)
    make_idea(team=drafting, competition=competition, status=IdeaStatus.DRAFT)
    make_idea(team=withdrawn, competition=competition, status=IdeaStatus.WITHDRAWN)
    late = make_juror(competition, UserFactory(email="late@example.org"))
    done = make_juror(competition, UserFactory(email="done@example.org"))
    idea = competition.ideas.get(status=IdeaStatus.SUBMITTED)
    make_assignment(late, idea)
    make_review(make_assignment(done, idea), 3)
    Profile.objects.create(user=late, language="fi")
    other = make_round(phase="judging")
    make_idea(
        team=make_team(lead=UserFactory(email="other.team@example.org")),
        competition=other,
        status=IdeaStatus.DRAFT,
    )
    make_juror(other, UserFactory(email="other.juror@example.org"))
    return competition


EVERYONE = {"sub", "draft", "gone", "late", "done", "other.team", "other.juror"}


@pytest.mark.parametrize(
    ("group", "reached"),
    [
        ("teams", {"sub", "draft"}),
        ("drafting", {"draft"}),
        ("jurors", {"late", "done"}),
        ("late_jurors", {"late"}),
    ],
)
def test_a_message_reaches_its_group_and_nobody_else(client, coordinator, people, group, reached):
    client.force_login(coordinator)
    url = f"{dashboard(people)}messages/"
    text = {
        "group": group,
        "subject_en": "Meeting on Friday",
        "body_en": "Dear all, the meeting is on Friday.",
        "subject_fi": "Tapaaminen perjantaina",
        "body_fi": "Hei, tapaaminen on perjantaina.",
    }

    preview = client.post(url, text | {"action": "preview"}).content.decode()
    sent = client.post(url, text | {"action": "send"})

    emails = {f"{name}@example.org" for name in reached}
    for address in (f"{name}@example.org" for name in EVERYONE):
        assert (address in preview) is (address in emails), address
    assert not RoundMessage.objects.filter(pk__lt=0).exists()
    assert sent.status_code == 302
    assert {message.to[0] for message in mail.outbox} == emails
    log = RoundMessage.objects.get()
    assert (log.group, sorted(log.recipients), log.sent_by) == (group, sorted(emails), coordinator)
    for message in mail.outbox:
        finnish = message.to[0] == "late@example.org"
        assert message.subject == ("Tapaaminen perjantaina" if finnish else "Meeting on Friday")
    assert "Meeting on Friday" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("text", "field_message"),
    [
        ({"subject_en": "", "body_en": ""}, "Write the subject and the message in at least one"),
        ({"subject_en": "Hello", "body_en": ""}, "Write the message, or leave the subject out."),
        ({"subject_en": "", "body_en": "Hello"}, "Give the message a subject."),
    ],
)
def test_an_empty_message_is_refused_and_nothing_is_queued(
    client, coordinator, people, text, field_message
):
    client.force_login(coordinator)

    response = client.post(
        f"{dashboard(people)}messages/", {"group": "jurors", "action": "send"} | text
    )

    assert response.status_code == 400
    assert field_message in response.content.decode()
    assert not mail.outbox and not RoundMessage.objects.exists()


def test_a_message_to_a_group_with_nobody_is_refused(client, coordinator):
    competition = make_round(phase="judging")
    client.force_login(coordinator)
    text = {"group": "late_jurors", "subject_en": "Hurry", "body_en": "Please score."}

    preview = client.post(f"{dashboard(competition)}messages/", text | {"action": "preview"})
    send = client.post(f"{dashboard(competition)}messages/", text | {"action": "send"})

    assert preview.status_code == send.status_code == 400
    assert "Nobody is in this group now: nothing was sent." in send.content.decode()
    assert "Please score." in send.content.decode()
    assert not mail.outbox and not RoundMessage.objects.exists()


@pytest.mark.parametrize("who", ["team member", "juror"])
def test_only_a_coordinator_writes_to_a_round(client, people, who):
    RoundMessage.objects.create(
        competition=people, group="jurors", texts={"en": {"subject": "Secret log", "body": "x"}}
    )
    user = {
        "team member": people.ideas.first().team.memberships.first().user,
        "juror": people.jury_members.first().user,
    }[who]
    client.force_login(user)

    shown = client.get(f"{dashboard(people)}messages/")
    sent = client.post(
        f"{dashboard(people)}messages/",
        {"group": "jurors", "subject_en": "Hi", "body_en": "Hi", "action": "send"},
    )

    assert {shown.status_code, sent.status_code} <= {302, 403}
    assert "Secret log" not in shown.content.decode()
    assert not mail.outbox and RoundMessage.objects.count() == 1


# --- juror reminders ---------------------------------------------------------------------------


def test_jurors_with_unfinished_reviews_are_reminded_once_per_deadline(people):
    competition = people
    ends = competition.judging_closes_at

    early = services.remind_jurors(now=ends - timedelta(days=3, minutes=1))
    due = services.remind_jurors(now=ends - timedelta(days=3))
    again = services.remind_jurors(now=ends - timedelta(days=1))
    told = [message.to[0] for message in mail.outbox]
    CompetitionPage.objects.filter(pk=competition.pk).update(
        judging_closes_at=ends + timedelta(days=7)
    )
    too_early_now = services.remind_jurors(now=ends - timedelta(days=1))
    moved = services.remind_jurors(now=ends + timedelta(days=4, hours=1))

    assert (early, due, again) == (0, 1, 0)
    assert told == ["late@example.org"]  # in Finnish; the juror who finished is left alone
    assert mail.outbox[0].subject == f"1 arviointi odottaa: {competition.title}"
    assert (too_early_now, moved) == (0, 1)
    assert JurorNotice.objects.filter(kind__startswith="reminder:").count() == 2


def test_no_reminder_when_the_round_asks_for_none(people):
    CompetitionPage.objects.filter(pk=people.pk).update(juror_reminder_days=None)

    assert services.remind_jurors(now=people.judging_closes_at - timedelta(hours=1)) == 0
    assert not mail.outbox


# --- the screens at size ----------------------------------------------------------------------


@pytest.fixture
def sized(coordinator):
    def build(ideas: int):
        competition, idea_ids, jurors = build_round(ideas, 4)
        add_scores(competition, idea_ids, jurors, None, seed=ideas)
        return competition, jurors

    return build


def test_dashboard_decision_and_juror_list_same_queries_with_10_and_200_ideas(
    client, coordinator, count_queries, sized
):
    counts = {}
    for size in (10, 200):
        competition, jurors = sized(size)
        juror = type(coordinator).objects.get(pk=jurors[0])
        client.force_login(coordinator)
        client.get(dashboard(competition))
        dash = count_queries(lambda c=competition: client.get(dashboard(c)))
        decision_page = f"{dashboard(competition)}decision/"
        client.get(decision_page)
        decision = count_queries(lambda url=decision_page: client.get(url))
        client.force_login(juror)
        list_page = f"/en/jury/{competition.pk}/"
        client.get(list_page)
        juror_list = count_queries(lambda url=list_page: client.get(url))
        counts[size] = (dash, decision, juror_list)
        assert client.get(list_page).content.decode().count("/en/jury/ideas/") == min(size, 50)

    assert counts[10] == counts[200]


def test_the_decision_page_opens_the_top_and_folds_the_rest_keeping_their_decisions(
    client, coordinator, sized
):
    competition, _jurors = sized(30)
    competition = in_phase(competition, "deliberation")
    ideas = list(competition.ideas.order_by("pk"))
    client.force_login(coordinator)
    page = client.get(f"{dashboard(competition)}decision/").content.decode()
    folded = re.findall(r'href="\?open=(\d+)#idea-\d+"', page)
    last = int(folded[-1])
    feedback = "Good work on the pathway."

    opened = client.get(f"{dashboard(competition)}decision/?open={last}").content.decode()
    data = {f"{last}-level": "", f"{last}-feedback": feedback, f"{last}-rationale": ""}
    client.post(f"{dashboard(competition)}decision/", data)
    first_save = Award.objects.get(idea_id=last).feedback
    client.post(f"{dashboard(competition)}decision/", decision_data(ideas[:2]))

    assert page.count('<fieldset class="decision"') == 10 and len(folded) == 20
    assert f'name="{last}-level"' not in page and f'name="{last}-level"' in opened
    assert first_save == feedback
    assert Award.objects.get(idea_id=last).feedback == feedback  # kept, not reset
    assert Award.objects.filter(idea__competition=competition).count() == 30


def test_a_round_page_with_an_awarded_idea_missing_its_award_shows_the_rest(client, caplog):
    competition = make_round(phase="results")
    broken = make_idea(
        team=make_team(), competition=competition, status=IdeaStatus.AWARDED, title="No row"
    )
    whole = make_idea(
        team=make_team(), competition=competition, status=IdeaStatus.AWARDED, title="Whole"
    )
    Award.objects.create(idea=whole, level="winner", rationale="Strong.")

    response = client.get(competition.url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Whole" in html and "No row" not in html
    assert f"Idea {broken.pk} is awarded but has no award row" in caplog.text
