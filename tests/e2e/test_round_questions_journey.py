"""A round's own questions in a real browser, with axe on our pages: the coordinator adds three
questions to a new round in the Wagtail admin (one required, one long text with a word limit,
one marked identifying) and translates them to Finnish in wagtail-localize's editor; a team
answers them in Finnish, is stopped on submit by the word limit with the message on the field,
fixes it and submits; a juror of the blind round sees the other two answers and not the
identifying one; the coordinator's export has every answer."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone
from wagtail.models import Locale

from ideas.models import CompetitionPage, Idea, IdeaStatus, Profile, RoundQuestion
from ideas.questions import field_name
from judging import services as judging
from tests.e2e.accounts import account, sign_in
from tests.e2e.test_jury_invitation import axe_check_part
from tests.factories import make_idea, make_index, make_juror, make_team

QUESTIONS = [
    # (English, Finnish)
    ("How does the idea use the shared premises?", "Miten idea käyttää yhteisiä tiloja?"),
    ("Tell one client's story", "Kerro yhden asiakkaan tarina"),
    ("Which unit proposes the idea?", "Mikä yksikkö ehdottaa ideaa?"),
]
PREMISES = "Perhehuone toisessa kerroksessa, yhteinen vastaanotto"
TOO_LONG = "Äiti odotti kuusi viikkoa ja sai lopulta ajan psykologille neuvolan kautta"
STORY = "Äiti sai ajan psykologille samalla viikolla"
UNIT = "Kallion neuvola"


def fill_date(page, name: str, when) -> None:
    field = page.locator(f"#id_{name}")
    field.fill(timezone.localtime(when).strftime("%Y-%m-%d %H:%M"))
    field.press("Tab")


def add_round_with_questions(page, index) -> CompetitionPage:
    page.goto(f"/admin/pages/add/ideas/competitionpage/{index.pk}/")
    # The inline panels' "Add" buttons work once the editor's scripts have run.
    page.wait_for_load_state("networkidle")
    page.locator("#id_title").fill("Shared premises 2027")
    page.locator("#id_intro").fill("Ideas that use the centre's shared premises.")
    for number, (label, _finnish) in enumerate(QUESTIONS):
        page.get_by_role("button", name="Add Question").click()
        row = page.locator(f"#id_questions-{number}-label")
        row.wait_for()
        row.fill(label)
    page.locator("#id_questions-0-required").check()
    page.locator("#id_questions-1-kind").select_option("long_text")
    page.locator("#id_questions-1-word_limit").fill("10")
    page.locator("#id_questions-2-identifying").check()
    # The dates last: an open date picker takes the next click elsewhere on the page.
    now = timezone.now()
    fill_date(page, "opens_at", now - timedelta(days=1))
    fill_date(page, "closes_at", now + timedelta(days=10))
    fill_date(page, "judging_closes_at", now + timedelta(days=20))
    fill_date(page, "results_at", now + timedelta(days=30))
    # The editor's own rich-text fields (Wagtail's Draftail) have no accessible name of their
    # own; axe checks the questions panel, which is ours.
    axe_check_part(page, "#panel-child-content-questions-section")
    page.get_by_role("button", name="More actions").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    return CompetitionPage.objects.get(slug="shared-premises-2027")


def translate_to_finnish(page, competition) -> None:
    """wagtail-localize's own screens: ask for the Finnish translation, then translate the three
    questions in its editor and publish; the rest falls back to the English text."""
    page.goto(f"/admin/localize/submit/page/{competition.pk}/")
    page.get_by_label("Suomi").check()
    with page.expect_navigation():
        page.locator("input[type=submit]").click()
    for english, finnish in QUESTIONS:
        segment = page.locator("li.incomplete", has_text=english).last
        segment.get_by_role("button", name="Translate").click()
        segment.locator("textarea").fill(finnish)
        # The segment is marked complete while its save is still on its way: wait for the
        # server's answer, or "Publish" may go out first and publish the English text.
        with page.expect_response(lambda response: response.request.method == "PUT"):
            segment.get_by_role("button", name="Save").click()
        page.locator("li.complete", has_text=english).last.wait_for()
    with page.expect_navigation():
        page.get_by_role("button", name="Publish in Suomi").click()


def test_round_questions_journey(page, axe_check):
    coordinator = account("questions.coordinator@example.org")
    coordinator.groups.add(Group.objects.get(name="Coordinators"))
    index = make_index()
    finnish_index = index.copy_for_translation(
        Locale.objects.get(language_code="fi"), copy_parents=True
    )
    finnish_index.save_revision().publish()

    sign_in(page, coordinator.email)
    competition = add_round_with_questions(page, index)
    keys = [str(row.translation_key) for row in competition.questions.order_by("sort_order")]
    assert [row.label for row in competition.questions.order_by("sort_order")] == [
        english for english, _finnish in QUESTIONS
    ]
    assert competition.blind_judging
    translate_to_finnish(page, competition)
    assert sorted(
        RoundQuestion.objects.filter(locale__language_code="fi").values_list("label", flat=True)
    ) == sorted(finnish for _english, finnish in QUESTIONS)
    page.goto("/admin/")
    page.context.clear_cookies()

    # A team answers in Finnish.
    lead = account("neuvola.lead@example.org")
    Profile.objects.create(user=lead, name="Aino", language="fi")
    idea = make_idea(team=make_team(lead=lead), competition=competition, title="Perhehuone")
    sign_in(page, lead.email, "fi")
    page.goto(f"/fi/my/ideas/{idea.pk}/")
    for _english, finnish in QUESTIONS:
        assert page.get_by_label(finnish).count() == 1, finnish
    axe_check(page)
    premises, story, unit = (page.locator(f"#id_{field_name(key)}") for key in keys)
    premises.fill(PREMISES)
    story.fill(TOO_LONG)
    unit.fill(UNIT)
    with page.expect_navigation():
        page.locator("button[name=action][value=submit]").click()

    # Stopped by the word limit, with the message on the field and the text kept.
    field = page.locator(".form-field", has=page.locator(f"#id_{field_name(keys[1])}"))
    assert "Enintään 10 sanaa; tässä vastauksessa on 11." in field.inner_text()
    assert page.locator(f"#id_{field_name(keys[1])}").input_value() == TOO_LONG
    axe_check(page)
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.DRAFT
    assert idea.answers[keys[1]] == TOO_LONG

    page.locator(f"#id_{field_name(keys[1])}").fill(STORY)
    with page.expect_navigation():
        page.locator("button[name=action][value=submit]").click()
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.SUBMITTED
    assert idea.answers == {keys[0]: PREMISES, keys[1]: STORY, keys[2]: UNIT}
    axe_check(page)
    page.context.clear_cookies()

    # Judging opens; a juror of the blind round reads the idea.
    juror = account("questions.juror@example.org")
    make_juror(competition, juror)
    now = timezone.now()
    CompetitionPage.objects.filter(translation_key=competition.translation_key).update(
        opens_at=now - timedelta(days=11), closes_at=now - timedelta(minutes=5)
    )
    competition.refresh_from_db()
    judging.sync_jury(competition=competition)
    judging.open_judging(competition=competition)
    assert Idea.objects.get(pk=idea.pk).assignments.filter(juror=juror).exists()
    sign_in(page, juror.email)
    page.goto(f"/en/jury/ideas/{idea.pk}/")
    main = page.locator("main").inner_text()
    assert PREMISES in main and STORY in main
    assert UNIT not in main
    assert QUESTIONS[2][0] not in main
    axe_check(page)
    page.context.clear_cookies()

    # The coordinator's export of the round has a column per question and every answer.
    sign_in(page, coordinator.email)
    page.goto(f"/admin/idea/?competition={competition.pk}")
    axe_check(page)
    export = page.request.get(f"/admin/idea/?competition={competition.pk}&export=csv").text()
    header, row = export.splitlines()[:2]
    for english, _finnish in QUESTIONS:
        assert english in header
    for answer in (PREMISES, STORY, UNIT):
        assert answer in row
