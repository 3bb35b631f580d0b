"""A juror's and a coordinator's judging in a real browser, with axe on every page: the juror
scores three ideas (one with the keyboard only; one has a file withheld from the blind jury),
follows the progress, and sees the other jurors' scores only after submitting; the
coordinator then records the jury's decision."""

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile

from ideas.models import Attachment, CompetitionPage, IdeaStatus
from judging.models import Award, Review
from tests.e2e.accounts import account, sign_in
from tests.factories import (
    make_assignment,
    make_idea,
    make_juror,
    make_review,
    make_round,
    pdf_bytes,
    round_dates,
)


def score_with_mouse(page, value: str) -> None:
    for fieldset in page.locator("fieldset.criterion").all():
        fieldset.get_by_label(value, exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit review").click()


def score_with_keyboard(page) -> None:
    """Tab through the form: in each criterion's radio group, arrows choose 3; then submit."""
    page.locator("main h1").focus()
    chosen = set()
    for _ in range(200):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => ({type: document.activeElement.type, name: document.activeElement.name,"
            " value: document.activeElement.value})"
        )
        if focused["type"] == "radio" and focused["name"] not in chosen:
            page.keyboard.press("Space")  # the first score, 1 …
            page.keyboard.press("ArrowRight")  # … then 2 …
            page.keyboard.press("ArrowRight")  # … then 3
            chosen.add(focused["name"])
        elif focused["type"] == "submit" and focused["value"] == "submit":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError("The submit button was never reached with the keyboard.")


def test_jury_journey(page, axe_check):
    competition = make_round(phase="judging", jurors_see_other_scores=True)
    juror = account("juror@example.org")
    make_juror(competition, juror)
    colleague = make_juror(competition)
    ideas = [
        make_idea(competition=competition, status=IdeaStatus.SUBMITTED, title=f"Idea {n}")
        for n in range(1, 4)
    ]
    for idea in ideas:
        make_assignment(juror, idea)
        make_review(make_assignment(colleague, idea), 4)
    criteria = competition.criteria.count()
    # Idea 1's files: one for the jury, one withheld (damaged, so it cannot be cleaned).
    for name, content in (("plan.pdf", pdf_bytes()), ("scan.pdf", b"%PDF-1.4 damaged")):
        attachment = Attachment(idea=ideas[0], original_name=name, size=len(content))
        attachment.file.save(name, ContentFile(content), save=False)
        attachment.save()

    sign_in(page, juror.email)
    page.goto("/en/jury/")
    assert "0 of 3 done" in page.locator("main").inner_text()
    axe_check(page)

    # First idea, with the mouse; others' scores appear only after submitting.
    with page.expect_navigation():
        page.get_by_role("link", name="Idea 1").click()
    assert page.get_by_role("heading", name="Other jurors' scores").count() == 0
    assert page.get_by_role("link", name="Attachment 1").count() == 1
    assert "Attachment 2 is withheld" in page.locator("main").inner_text()
    axe_check(page)
    score_with_mouse(page, "4")
    assert page.get_by_role("heading", name="Other jurors' scores").count() == 1
    axe_check(page)

    # Second idea, with the keyboard only.
    page.get_by_role("link", name="Next unreviewed idea").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("main h1").inner_text() == "Idea 2"
    score_with_keyboard(page)
    assert "Your review is submitted." in page.locator("main").inner_text()

    # Third idea: a missing score is refused next to its field, then corrected.
    with page.expect_navigation():
        page.get_by_role("link", name="Next unreviewed idea").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit review").click()
    assert page.locator(".field-error").count() == criteria
    axe_check(page)
    score_with_mouse(page, "2")

    page.goto("/en/jury/")
    assert "3 of 3 done" in page.locator("main").inner_text()
    axe_check(page)
    scores = sorted(
        {s.value for r in Review.objects.filter(assignment__juror=juror) for s in r.scores.all()}
    )
    assert scores == [2, 3, 4]

    # While judging runs, the coordinator's admin dashboard lists the file withheld from it.
    coordinator = account("coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    page.context.clear_cookies()
    sign_in(page, coordinator.email)
    page.goto("/admin/")
    withheld = page.locator("section", has_text="Files withheld from blind jurors")
    assert "scan.pdf" in withheld.last.inner_text()
    axe_check(page)

    # Judging closes; the coordinator reads the dashboard and records the decision.
    CompetitionPage.objects.filter(pk=competition.pk).update(**round_dates("deliberation"))
    page.goto(f"/admin/judging/{competition.pk}/")
    assert "Agreement of the jury" in page.locator("main").inner_text()
    ranking = page.get_by_role("region", name="Ranking", exact=True).inner_text()
    assert "Chance of a top 3 place" in ranking and "Rank interval (90 %)" in ranking
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Record the jury's decision").click()
    axe_check(page)
    winner = page.locator("fieldset.decision", has_text="Idea 1")
    winner.get_by_label("Award").select_option("winner")
    winner.get_by_label("The jury's rationale").fill("Parents get help within days.")
    winner.get_by_label("Target group").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record the decision").click()
    assert "The jury's decision is recorded." in page.locator("body").inner_text()
    # Wagtail fades its messages in; axe must read the colours once the fade is over.
    page.locator(".messages.appear, .messages li.success").first.wait_for()
    page.wait_for_timeout(1000)
    axe_check(page)
    assert Award.objects.get(level="winner").idea.title == "Idea 1"
