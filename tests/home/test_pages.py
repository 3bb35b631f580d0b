import re
from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Locale, Page

from home.models import HomePage, StandardPage
from ideas.models import (
    CompetitionIndexPage,
    CompetitionPage,
    InnovationIndexPage,
    InnovationPage,
)
from tests.factories import (
    home_page,
    make_index,
    make_innovation,
    make_round,
    make_standard_page,
)

pytestmark = pytest.mark.django_db

PAGE_TYPES = [
    HomePage,
    StandardPage,
    CompetitionIndexPage,
    CompetitionPage,
    InnovationPage,
    InnovationIndexPage,
]

# page type → (allowed parents, allowed children)
PAGE_RULES = {
    HomePage: ({Page}, {CompetitionIndexPage, InnovationIndexPage, StandardPage}),
    StandardPage: ({HomePage, StandardPage}, {StandardPage}),
    CompetitionIndexPage: ({HomePage}, {CompetitionPage}),
    CompetitionPage: ({CompetitionIndexPage}, {InnovationPage}),
    InnovationPage: ({CompetitionPage}, set()),
    InnovationIndexPage: ({HomePage}, set()),
}


@pytest.mark.parametrize("page_type", PAGE_TYPES, ids=lambda t: t.__name__)
def test_page_type_rules(page_type):
    parents, children = PAGE_RULES[page_type]
    assert set(page_type.allowed_parent_page_models()) == parents
    assert set(page_type.allowed_subpage_models()) == children


def test_home_page_only_one_can_be_created():
    root = Page.get_first_root_node()
    assert HomePage.objects.filter(locale__language_code="en").count() == 1
    assert not HomePage.can_create_at(root)


def test_competition_index_only_one_per_home_page():
    home = home_page()
    assert CompetitionIndexPage.can_create_at(home)
    make_index(home)
    assert not CompetitionIndexPage.can_create_at(home)


def test_home_page_shows_intro_open_round_with_deadline_and_latest_winner(client):
    home = home_page()
    home.intro = "<p>Ideas from the service units.</p>"
    home.save_revision().publish()
    open_round = make_round(title="Round open now", phase="open")
    make_round(title="Round being judged", phase="judging")
    finished = make_round(title="Round with results", phase="results")
    make_innovation(finished, title="Psychologist within reach")

    response = client.get("/en/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Ideas from the service units." in html
    assert "Round open now" in html
    assert "Round being judged" not in html
    assert open_round.url in html
    assert open_round.closes_at.astimezone().strftime("%Y-%m-%dT%H:%M") in html
    assert "Latest winners" in html
    assert "Psychologist within reach" in html


def test_home_page_without_open_round_or_winners_says_so(client):
    make_round(title="Round being judged", phase="judging")

    html = client.get("/en/").content.decode()

    assert "No round is open for ideas at the moment." in html
    assert "Latest winners" not in html
    assert "Round being judged" not in html


def test_standard_page_renders_every_block(client):
    target = make_standard_page(title="Rules")
    page = make_standard_page(
        title="About the competition",
        intro="How it works.",
        body=[
            ("heading", {"text": "Who takes part", "level": "h2"}),
            ("paragraph", "<p>Every <b>service unit</b> may send ideas.</p>"),
            ("quote", {"text": "Start from the client.", "attribution": "The jury"}),
            ("call_to_action", {"text": "Read the rules", "page": target, "url": ""}),
            (
                "call_to_action",
                {"text": "City website", "page": None, "url": "https://example.org/"},
            ),
        ],
    )

    html = client.get(page.url).content.decode()

    assert "<h1>About the competition</h1>" in html
    assert "How it works." in html
    assert "<h2>Who takes part</h2>" in html
    assert "Every <b>service unit</b> may send ideas." in html
    assert "<blockquote><p>Start from the client.</p></blockquote>" in html
    assert f'href="{target.url}">Read the rules</a>' in html
    assert 'href="https://example.org/">City website</a>' in html


def test_standard_page_image_block_has_alt_text(client):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    image = Image.objects.create(title="Clinic", file=get_test_image_file())
    page = make_standard_page(
        body=[("image", {"image": image, "alt_text": "The clinic's door", "caption": "Entry"})]
    )

    html = client.get(page.url).content.decode()

    assert 'alt="The clinic&#x27;s door"' in html
    assert "<figcaption>Entry</figcaption>" in html


@pytest.mark.parametrize(
    ("page", "url", "valid"),
    [
        (True, "", True),
        (False, "https://example.org/", True),
        (True, "https://x.org/", False),
        (False, "", False),
    ],
)
def test_call_to_action_needs_a_page_or_an_address(page, url, valid):
    from wagtail.blocks import StructBlockValidationError

    from home.blocks import CallToActionBlock

    block = CallToActionBlock()
    value = block.to_python({"text": "Go", "page": home_page().pk if page else None, "url": url})
    if valid:
        block.clean(value)
    else:
        with pytest.raises(StructBlockValidationError):
            block.clean(value)


def test_innovation_page_shows_award_and_rationale(client):
    innovation = make_innovation(
        make_round(phase="results"),
        title="Psychologist within reach",
        jury_rationale="<p>It closes a gap in the chain of care.</p>",
    )

    html = client.get(innovation.url).content.decode()

    assert "<h1>Psychologist within reach</h1>" in html
    assert "Winner" in html
    assert "It closes a gap in the chain of care." in html


def open_round_titles(response) -> list[str]:
    html = response.content.decode()
    section = html[html.index('class="open-rounds"') :]
    return re.findall(r"<h3>([^<]*)</h3>", section[: section.index("</section>")])


def test_home_page_lists_the_open_rounds_soonest_deadline_first(client):
    now = timezone.now()
    make_round(phase="open", title="Later", closes_at=now + timedelta(days=15))
    make_round(phase="open", title="Sooner", closes_at=now + timedelta(days=3))
    make_round(phase="upcoming", title="Upcoming")
    make_round(phase="judging", title="Judging")
    make_round(phase="results", title="Decided")

    assert open_round_titles(client.get("/en/")) == ["Sooner", "Later"]


def test_home_page_open_rounds_follow_the_round_not_a_translation_s_own_dates(client):
    """A translation whose own row says "upcoming" is open when its round is, and the
    translation of a closed round is not listed whatever its own row says."""
    finnish = Locale.objects.get(language_code="fi")
    for phase, title in (("open", "Avoin"), ("judging", "Arvioitava")):
        competition = make_round(phase=phase)
        translated = competition.copy_for_translation(finnish, copy_parents=True)
        translated.title = title
        translated.save_revision().publish()
        CompetitionPage.objects.filter(pk=translated.pk).update(
            opens_at=timezone.now() - timedelta(days=1),
            closes_at=timezone.now() + timedelta(days=300),
        )

    response = client.get("/fi/")

    assert open_round_titles(response) == ["Avoin"]
    assert str(competition.closes_at.year) in response.content.decode()


def test_home_page_queries_do_not_grow_with_open_rounds(client, count_queries):
    make_round(phase="open")
    client.get("/en/")  # the figures, kept for minutes, are counted once
    one = count_queries(lambda: client.get("/en/"))
    for _ in range(9):
        make_round(phase="open")

    assert count_queries(lambda: client.get("/en/")) == one
    assert len(open_round_titles(client.get("/en/"))) == 10
