"""Two-stage judging in a real browser, with axe on every page: the coordinator watches the
screening (its reviews seeded through the services), is refused a shortlist before it closes,
then ticks a shortlist of three on the screening ranking; a juror of the final jury scores
them in the browser (the others through the services); the chair opens the jury's meeting,
reads it on screen and in print, and records the votes; the coordinator records the decision
with the votes the chair recorded."""

from datetime import timedelta
from pathlib import Path

from django.contrib.auth.models import Group
from django.utils import timezone

from ideas.models import CompetitionPage, IdeaStatus, Stage
from judging import services
from judging.models import Assignment, Award, MeetingVote, ShortlistEntry
from tests.e2e.accounts import account, sign_in
from tests.e2e.test_jury_journey import score_with_mouse
from tests.factories import make_idea, make_juror, make_round, make_team, round_dates

SCREENSHOTS = Path("/tmp/ideatori-screenshots")


def review_through_services(assignment: Assignment, value: int, comment: str = "") -> None:
    criteria = assignment.idea.competition.criteria.all()
    services.save_review(
        assignment=assignment,
        values={c.pk: value for c in criteria},
        comments={criteria[0].pk: comment} if comment else {},
        overall_comment=comment,
        submit=True,
        by=assignment.juror,
    )


def wait_for_admin_message(page) -> None:
    # Wagtail fades its messages in; axe must read the colours once the fade is over.
    page.locator(".messages li").first.wait_for()
    page.wait_for_timeout(1000)


def move(competition, **dates) -> None:
    CompetitionPage.objects.filter(pk=competition.pk).update(**dates)


def test_two_stage_journey(page, axe_check):
    now = timezone.now()
    competition = make_round(
        phase="judging", reviews_per_idea=2, screening_closes_at=now + timedelta(days=5)
    )
    juror = account("final.juror@example.org")
    chair = account("chair@example.org")
    make_juror(competition, chair, role="chair")
    make_juror(competition, juror)
    colleague = make_juror(competition)
    for n in range(1, 6):
        make_idea(
            team=make_team(name=f"Team {n}"),
            competition=competition,
            status=IdeaStatus.SUBMITTED,
            title=f"Idea {n}",
        )
    # The screening: two jurors per idea, idea n scored n (so Idea 5 leads).
    services.open_judging(competition=competition)
    for assignment in Assignment.objects.select_related("idea__competition", "juror"):
        review_through_services(assignment, int(assignment.idea.title[-1]))
    coordinator = account("two.stage.coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Coordinators"))

    sign_in(page, coordinator.email)
    page.goto(f"/admin/judging/{competition.pk}/")
    assert "Screening" in page.locator(".judging-summary").inner_text()
    axe_check(page)
    # Before the screening closes the shortlist is refused, and says why.
    with page.expect_navigation():
        page.get_by_role("link", name="Shortlist").click()
    main = page.locator("main").inner_text()
    assert "The shortlist is chosen after the screening closes" in main
    assert page.get_by_role("button", name="Choose the shortlist").count() == 0
    axe_check(page)

    # The screening closes; the coordinator ticks the top three of its ranking.
    move(competition, screening_closes_at=timezone.now() - timedelta(minutes=1))
    page.reload()
    assert "Final judging" in page.locator(".judging-summary").inner_text()
    rows = page.locator("table.ranking-table tbody th").all_inner_texts()
    assert [row.strip() for row in rows[:3]] == ["Idea 5", "Idea 4", "Idea 3"]
    axe_check(page)
    for title in ("Idea 5", "Idea 4", "Idea 3"):
        page.get_by_label(title, exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Choose the shortlist").click()
    assert "The shortlist of 3 ideas is chosen" in page.locator("body").inner_text()
    wait_for_admin_message(page)
    axe_check(page)
    shortlist = sorted(ShortlistEntry.objects.values_list("idea__title", flat=True))
    assert shortlist == ["Idea 3", "Idea 4", "Idea 5"]
    # The jury screen says who is in the final jury that scores it.
    page.goto(f"/admin/jury/{competition.pk}/")
    jurors = page.get_by_role("table", name="Jurors").inner_text()
    assert "In the final jury" in jurors and "Yes" in jurors
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "jury-final.png"), full_page=True)
    axe_check(page)

    # The final jury: one juror scores the shortlist in the browser, the others through the
    # services; the juror sees only the final stage's three ideas.
    page.context.clear_cookies()
    sign_in(page, juror.email)
    page.goto("/en/jury/")
    main = page.locator("main").inner_text()
    assert "Final judging" in main and "0 of 3 done" in main
    assert page.get_by_role("link", name="Idea 1").count() == 0
    axe_check(page)
    for title, value in (("Idea 3", "5"), ("Idea 4", "3"), ("Idea 5", "4")):
        page.goto("/en/jury/")
        with page.expect_navigation():
            page.get_by_role("link", name=title).click()
        score_with_mouse(page, value)
        assert "Your review is submitted." in page.locator("main").inner_text()
    axe_check(page)
    final = {"Idea 3": 5, "Idea 4": 3, "Idea 5": 4}
    for other in (chair, colleague):
        for assignment in Assignment.objects.filter(stage=Stage.FINAL, juror=other).select_related(
            "idea__competition", "juror"
        ):
            title = assignment.idea.title
            review_through_services(assignment, final[title], f"{title}: seen by {other.pk}")

    # Judging closes; the chair opens the jury's meeting and records the votes.
    closed = round_dates("deliberation")
    move(competition, **closed, screening_closes_at=closed["closes_at"] + timedelta(days=10))
    page.context.clear_cookies()
    sign_in(page, chair.email)
    page.goto("/en/jury/")
    with page.expect_navigation():
        page.get_by_role("link", name="The jury's meeting").click()
    headings = page.locator("section.meeting-idea h2").all_inner_texts()
    assert headings == ["1. Idea 3", "2. Idea 5", "3. Idea 4"]
    main = page.locator("main").inner_text()
    assert "Juror 1" in main and "Rank interval (90 %)" in main
    assert "Idea 3: seen by" in main
    for name in ("Team 3", "Team 4", "Team 5", juror.username, chair.username):
        assert name not in main
    axe_check(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "meeting.png"), full_page=True)
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert page.locator(".meeting-votes__fields").is_hidden()
    page.screenshot(path=str(SCREENSHOTS / "meeting-print.png"), full_page=True)
    page.emulate_media(media="screen")
    for title, votes in (("Idea 3", "3"), ("Idea 5", "1"), ("Idea 4", "0")):
        page.get_by_label(f"Votes for “{title}”").fill(votes)
    with page.expect_navigation():
        page.get_by_role("button", name="Record the votes").click()
    assert "The meeting's votes are recorded." in page.locator("main").inner_text()
    axe_check(page)
    recorded = dict(MeetingVote.objects.values_list("idea__title", "votes"))
    assert recorded == {"Idea 3": 3, "Idea 5": 1, "Idea 4": 0}

    # The coordinator records the decision; the meeting's votes are offered on it.
    page.context.clear_cookies()
    sign_in(page, coordinator.email)
    page.goto(f"/admin/judging/{competition.pk}/decision/")
    winner = page.locator("fieldset.decision", has_text="Idea 3")
    assert winner.get_by_label("Jury votes").input_value() == "3"
    axe_check(page)
    winner.get_by_label("Award").select_option("winner")
    winner.get_by_label("The jury's rationale").fill("The whole jury backed it at the meeting.")
    winner.get_by_label("Target group").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record the decision").click()
    assert "The jury's decision is recorded." in page.locator("body").inner_text()
    page.locator(".messages.appear, .messages li.success").first.wait_for()
    page.wait_for_timeout(1000)
    axe_check(page)
    award = Award.objects.get(level="winner")
    assert (award.idea.title, award.votes) == ("Idea 3", 3)
