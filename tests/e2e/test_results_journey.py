"""Results and the showcase in a real browser, with axe on every page: the coordinator
publishes the demo round's results and drafts the winner's innovation page from the idea; an
anonymous visitor then finds it on the showcase by a filter and by a word, reads the jury's
rationale, the metrics chart's text alternative and the adoption, and reads it in Finnish and
Swedish. On the way the coordinator makes the round's report and downloads its PDF."""

import io

from django.contrib.auth.models import Group
from django.core.management import call_command

from ideas.demo import WINNER
from ideas.demo_outcomes import ADOPTER, METRICS, publish_winner
from ideas.models import CompetitionPage, InnovationIndexPage, InnovationPage
from tests.e2e.accounts import account, sign_in


def coordinator_account():
    user = account("results.coordinator@example.org")
    user.groups.add(Group.objects.get(name="Coordinators"))
    return user


def wait_for_admin_message(page) -> None:
    # Wagtail fades its messages in; axe must read the colours once the fade is over.
    page.locator(".messages li").first.wait_for()
    page.wait_for_timeout(1000)


def test_results_journey(page, axe_check, monkeypatch):
    # The demo, stopped before its results: the round decided, nothing about it public.
    monkeypatch.setattr("judging.demo._publish", lambda *args, **kwargs: None)
    call_command("load_demo", stdout=io.StringIO())
    competition = CompetitionPage.objects.get(slug="2025", locale__language_code="en")
    assert competition.results_published_at is None and not InnovationPage.objects.exists()
    coordinator = coordinator_account()

    sign_in(page, coordinator.email)
    page.goto(f"/admin/judging/{competition.pk}/results/")
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Publish the results…").click()
    # The confirmation names what becomes public before anything is.
    assert "What becomes public" in page.locator("main").inner_text()
    assert WINNER["title"] in page.locator("main").inner_text()
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Publish the results").click()
    assert "The results are published." in page.locator("body").inner_text()
    wait_for_admin_message(page)
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role(
            "button", name=f"Create the innovation page of “{WINNER['title']}”"
        ).click()
    drafted = InnovationPage.objects.get(title=WINNER["title"])
    assert page.url.endswith(f"/admin/pages/{drafted.pk}/edit/")
    assert not drafted.live
    assert page.locator("#id_title").input_value() == WINNER["title"]

    # The coordinator adds the pilot's outcomes and publishes, in English, Finnish, Swedish.
    publish_winner(drafted, by=coordinator)
    page.goto("/admin/")  # leave the editor while signed in, so it releases its session

    # The round's report for the management: its figures, then its PDF, made in the
    # background (at once under the tests' task backend) and downloaded from its status row.
    page.goto(f"/admin/judging/{competition.pk}/report/")
    assert "Ideas submitted" in page.locator("main").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Make the report (PDF)").click()
    wait_for_admin_message(page)
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download: Round report (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.context.clear_cookies()

    page.goto("/en/innovations/")
    axe_check(page)
    page.get_by_label("Award").select_option("winner")
    with page.expect_navigation():
        page.get_by_role("button", name="Show innovations").click()
    assert "award=winner" in page.url
    assert page.get_by_role("link", name=WINNER["title"]).count() == 1
    axe_check(page)
    page.get_by_label("Search").fill("psychologist")
    with page.expect_navigation():
        page.get_by_role("button", name="Show innovations").click()
    assert "q=psychologist" in page.url and "award=winner" in page.url
    axe_check(page)
    with page.expect_navigation():
        page.get_by_role("link", name=WINNER["title"]).click()

    main = page.locator("main").inner_text()
    assert "it closes a gap in the chain of care" in main
    chart = page.locator("#metric-chart-desc").text_content()
    assert METRICS[0][0] in chart and "38" in chart and "6" in chart
    assert ADOPTER in main
    axe_check(page)

    for language, switch in (("fi", "Suomi"), ("sv", "Svenska")):
        with page.expect_navigation():
            page.get_by_role("link", name=switch, exact=True).click()
        translated = InnovationPage.objects.get(
            translation_key=drafted.translation_key, locale__language_code=language
        )
        assert page.locator("html").get_attribute("lang") == language
        assert page.locator("main h1").inner_text() == translated.title
        assert page.locator("#metric-chart-desc").text_content().strip()
        axe_check(page)
        # The showcase in this language, searched by a word of the translated title.
        page.goto(InnovationIndexPage.objects.get(locale__language_code=language).url)
        axe_check(page)
        # (The longest word: short ones such as Swedish "en" are stop words to PostgreSQL.)
        page.get_by_role("searchbox").fill(max(translated.title.split(), key=len))
        with page.expect_navigation():
            page.locator("form.filter-panel button[type=submit]").click()
        assert page.get_by_role("link", name=translated.title).count() == 1
        axe_check(page)
        with page.expect_navigation():
            page.get_by_role("link", name=translated.title).click()
