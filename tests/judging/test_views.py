"""The juror's pages: allowed and denied, bad input, and nothing shown that the rules hide."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from ideas.models import Attachment, CompetitionPage, IdeaStatus
from judging.models import ConflictOfInterest, Review, Score
from tests.factories import (
    UserFactory,
    make_assignment,
    make_idea,
    make_juror,
    make_review,
    make_round,
    pdf_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def jury(client):
    """A round in judging with two criteria; the juror has two ideas, one reviewed. Another
    juror's idea and a conflicted idea are seeded so that a leak would show."""
    competition = make_round(phase="judging", criteria=2, jurors_see_other_scores=True)
    juror = make_juror(competition)
    other = make_juror(competition)
    mine = make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title="Mine to score")
    done = make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title="Already done")
    theirs = make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title="Not mine")
    conflicted = make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title="Conflicted")
    make_assignment(juror, mine)
    make_review(make_assignment(juror, done), 4)
    make_review(make_assignment(other, theirs), 2)
    make_assignment(juror, conflicted)
    ConflictOfInterest.objects.create(
        idea=conflicted, juror=juror, active=True, source="declared", reason="Friend."
    )
    client.force_login(juror)
    return {
        "competition": competition,
        "juror": juror,
        "other": other,
        "mine": mine,
        "done": done,
        "theirs": theirs,
        "conflicted": conflicted,
    }


def review_url(idea) -> str:
    return reverse("judging:review", kwargs={"idea_id": idea.pk})


def review_data(competition, values, action="save", **comments):
    data = {"action": action, "overall_comment": comments.pop("overall", "")}
    for criterion, value in zip(competition.criteria.order_by("sort_order"), values, strict=True):
        if value is not None:
            data[f"score_{criterion.pk}"] = str(value)
        data[f"comment_{criterion.pk}"] = comments.get(f"c{criterion.sort_order}", "")
    return data


# --- the list ---------------------------------------------------------------------------------


def test_juror_list_shows_own_ideas_and_progress_only(client, jury):
    html = client.get(reverse("judging:assigned", args=[jury["competition"].pk])).content.decode()
    assert "Mine to score" in html and "Already done" in html
    assert "1 of 2 done" in html
    assert "Not mine" not in html
    assert "Conflicted" not in html


def test_juror_list_denied_to_a_user_off_the_jury(client, jury):
    client.force_login(UserFactory())
    response = client.get(reverse("judging:assigned", args=[jury["competition"].pk]))
    assert response.status_code == 404
    assert "Mine to score" not in response.content.decode()


def test_juror_list_asks_anonymous_visitors_to_sign_in(client, jury):
    client.logout()
    response = client.get(reverse("judging:assigned", args=[jury["competition"].pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_jury_home_goes_to_the_only_round(client, jury):
    response = client.get(reverse("judging:home"))
    assert response["Location"] == reverse("judging:assigned", args=[jury["competition"].pk])


def test_juror_list_same_number_of_queries_with_1_and_10_ideas(client, count_queries):
    def build(n):
        competition = make_round(phase="judging", criteria=2)
        juror = make_juror(competition)
        for _ in range(n):
            idea = make_idea(competition=competition, status=IdeaStatus.SUBMITTED)
            make_review(make_assignment(juror, idea), 3)
        return competition, juror

    counts = []
    for n in (1, 10):
        competition, juror = build(n)
        client.force_login(juror)
        url = reverse("judging:assigned", args=[competition.pk])
        assert client.get(url).content.decode().count('<th scope="row">') == n
        counts.append(count_queries(lambda url=url: client.get(url)))
    assert counts[0] == counts[1]


# --- the review page --------------------------------------------------------------------------


def test_review_page_shows_the_idea_and_each_criterion_with_its_scale(client, jury):
    criterion = jury["competition"].criteria.order_by("sort_order").first()
    criterion.lowest_means, criterion.highest_means = "Nobody gains", "Everyone gains"
    criterion.save()
    html = client.get(review_url(jury["mine"])).content.decode()
    assert "Mine to score" in html
    assert "Worried parents wait weeks." in html
    assert "About 0" in html  # the criterion's description
    assert "1: Nobody gains" in html and "5: Everyone gains" in html
    assert html.count('type="radio"') == 10
    assert "Next unreviewed idea" not in html  # the only other idea is done


@pytest.mark.parametrize("idea", ["theirs", "conflicted"])
def test_review_of_an_unassigned_or_conflicted_idea_is_404_revealing_nothing(client, jury, idea):
    response = client.get(review_url(jury[idea]))
    assert response.status_code == 404
    assert jury[idea].title not in response.content.decode()
    assert "Worried parents" not in response.content.decode()


def test_review_of_a_guessed_id_is_404(client, jury):
    response = client.get(reverse("judging:review", kwargs={"idea_id": 999999}))
    assert response.status_code == 404


def test_juror_of_another_round_gets_404(client, jury):
    elsewhere = make_round(phase="judging")
    stranger = make_juror(elsewhere)
    client.force_login(stranger)
    response = client.get(review_url(jury["mine"]))
    assert response.status_code == 404
    assert "Mine to score" not in response.content.decode()


def test_saving_a_draft_then_submitting(client, jury):
    competition = jury["competition"]
    response = client.post(
        review_url(jury["mine"]), review_data(competition, [4, None], c0="Clear.")
    )
    assert response.status_code == 302
    review = Review.objects.get(assignment__idea=jury["mine"])
    assert review.status == "draft"
    assert sorted(review.scores.values_list("value", flat=True), key=str) == [4, None]

    client.post(review_url(jury["mine"]), review_data(competition, [4, 5], action="submit"))

    review.refresh_from_db()
    assert review.status == "submitted"
    html = client.get(reverse("judging:assigned", args=[competition.pk])).content.decode()
    assert "2 of 2 done" in html


def test_score_outside_the_scale_is_refused_next_to_the_field_keeping_the_rest(client, jury):
    competition = jury["competition"]
    first, second = competition.criteria.order_by("sort_order")
    data = review_data(competition, [7, 3], overall="Keep this overall comment.", c1="Keep me.")

    response = client.post(review_url(jury["mine"]), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="score_{first.pk}-error"' in html
    assert "Choose a score from 1 to 5." in html
    assert "Keep this overall comment." in html and "Keep me." in html
    assert f'value="3" id="id_score_{second.pk}_2" checked' in html or 'value="3"' in html
    assert not Score.objects.filter(review__assignment__idea=jury["mine"]).exists()


def test_missing_score_on_submit_is_refused_next_to_the_field(client, jury):
    competition = jury["competition"]
    second = competition.criteria.order_by("sort_order").last()
    response = client.post(
        review_url(jury["mine"]),
        review_data(competition, [4, None], action="submit", overall="Kept."),
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="score_{second.pk}-error"' in html
    assert "Give a score before submitting." in html
    assert "Kept." in html
    assert not Review.objects.filter(assignment__idea=jury["mine"], status="submitted").exists()


def test_submit_after_the_judging_deadline_is_refused_keeping_the_input(client, jury):
    competition = jury["competition"]
    data = review_data(competition, [4, 5], action="submit", overall="My reasoning.")
    # The deadline passes while the juror has the form open.
    CompetitionPage.objects.filter(pk=competition.pk).update(
        judging_closes_at=timezone.now() - timedelta(seconds=1)
    )

    response = client.post(review_url(jury["mine"]), data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "Judging has closed; scores can no longer be changed." in html
    assert "My reasoning." in html
    assert not Review.objects.filter(assignment__idea=jury["mine"]).exists()


def test_other_jurors_scores_appear_only_after_submitting(client, jury):
    competition = jury["competition"]
    other_review = make_review(make_assignment(jury["other"], jury["mine"]), 2)
    assert other_review.status == "submitted"

    before = client.get(review_url(jury["mine"])).content.decode()
    assert "Other jurors' scores" not in before

    client.post(review_url(jury["mine"]), review_data(competition, [5, 5], action="submit"))
    after = client.get(review_url(jury["mine"])).content.decode()
    assert "Other jurors' scores" in after
    assert jury["other"].email not in after


def test_next_unreviewed_idea_link(client, jury):
    later = make_idea(competition=jury["competition"], status=IdeaStatus.SUBMITTED)
    make_assignment(jury["juror"], later)
    html = client.get(review_url(jury["mine"])).content.decode()
    assert f'href="{review_url(later)}"' in html


# --- conflicts and files ----------------------------------------------------------------------


def test_declaring_a_conflict_takes_the_idea_off_the_list(client, jury):
    url = reverse("judging:declare_conflict", kwargs={"idea_id": jury["mine"].pk})
    response = client.post(url, {"reason": "I supervised the lead last year."})
    assert response.status_code == 302
    row = ConflictOfInterest.objects.get(idea=jury["mine"], juror=jury["juror"])
    assert row.active and row.source == "declared"
    html = client.get(reverse("judging:assigned", args=[jury["competition"].pk])).content.decode()
    assert "Mine to score" not in html


def test_declaring_a_conflict_without_a_reason_says_so_on_the_field(client, jury):
    url = reverse("judging:declare_conflict", kwargs={"idea_id": jury["mine"].pk})
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not ConflictOfInterest.objects.filter(idea=jury["mine"]).exists()


def test_declaring_a_conflict_denied_off_the_jury(client, jury):
    client.force_login(UserFactory())
    url = reverse("judging:declare_conflict", kwargs={"idea_id": jury["mine"].pk})
    response = client.post(url, {"reason": "Nosy."})
    assert response.status_code == 404
    assert not ConflictOfInterest.objects.filter(idea=jury["mine"]).exists()


def attach(idea, name="Maternity clinic plan by Team Aalto.pdf"):
    attachment = Attachment(idea=idea, original_name=name, content_type="application/pdf", size=9)
    attachment.file.save("plan.pdf", ContentFile(pdf_bytes()), save=False)
    attachment.save()
    return attachment


def test_juror_downloads_a_file_under_a_neutral_name(client, jury):
    attach(jury["mine"])
    response = client.get(reverse("judging:attachment", args=[jury["mine"].pk, 1]))
    assert response.status_code == 200
    assert 'filename="attachment-1.pdf"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_file_of_an_unassigned_idea_is_404(client, jury):
    attach(jury["theirs"])
    response = client.get(reverse("judging:attachment", args=[jury["theirs"].pk, 1]))
    assert response.status_code == 404


def test_juror_declares_a_conflict_with_an_idea_not_assigned_to_them(client, jury):
    url = reverse("judging:declare_any_conflict", args=[jury["competition"].pk])
    html = client.get(url).content.decode()
    assert "Not mine" in html
    assert "Conflicted" not in html  # already in conflict: not offered again

    response = client.post(url, {"idea": jury["theirs"].pk, "reason": "My brother's team."})

    assert response.status_code == 302
    row = ConflictOfInterest.objects.get(idea=jury["theirs"], juror=jury["juror"])
    assert row.active and row.reason == "My brother's team."


def test_conflict_with_any_idea_needs_a_reason_and_keeps_the_choice(client, jury):
    url = reverse("judging:declare_any_conflict", args=[jury["competition"].pk])
    response = client.post(url, {"idea": jury["theirs"].pk, "reason": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in html
    assert f'value="{jury["theirs"].pk}" selected' in html
    assert not ConflictOfInterest.objects.filter(idea=jury["theirs"]).exists()


def test_conflict_with_any_idea_denied_off_the_jury_and_for_other_rounds(client, jury):
    elsewhere = make_idea(competition=make_round(phase="judging"), status=IdeaStatus.SUBMITTED)
    url = reverse("judging:declare_any_conflict", args=[jury["competition"].pk])
    response = client.post(url, {"idea": elsewhere.pk, "reason": "Not my round."})
    assert response.status_code == 400
    assert not ConflictOfInterest.objects.filter(idea=elsewhere).exists()
    client.force_login(UserFactory())
    response = client.get(url)
    assert response.status_code == 404
    assert "Not mine" not in response.content.decode()


def test_jury_home_for_someone_on_no_jury_says_so(client, jury):
    client.force_login(UserFactory())
    html = client.get(reverse("judging:home")).content.decode()
    assert "You are not on the jury of any round." in html
    assert jury["competition"].title not in html


def test_jury_home_lists_each_round_of_a_juror_on_two_juries(client, jury):
    second = make_round(phase="open", title="Another round")
    make_juror(second, jury["juror"])
    html = client.get(reverse("judging:home")).content.decode()
    assert jury["competition"].title in html and "Another round" in html
