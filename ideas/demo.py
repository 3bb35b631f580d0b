"""Demo content of ideas: the rounds index, a finished round with its winner, an open round.

Dates of the open round are set around the day the demo is first loaded, so that a fresh
``make run`` always shows a round open for ideas; a second load changes nothing.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from wagtail.models import Site

from home.demo import DemoAccount, translate

from .models import Award, CompetitionIndexPage, CompetitionPage, InnovationPage

HELSINKI = ZoneInfo("Europe/Helsinki")


def helsinki(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HELSINKI)


def days_from_today(days: int, hour: int) -> datetime:
    today = timezone.localdate(timezone.now(), HELSINKI)
    return datetime.combine(today + timedelta(days=days), time(hour), tzinfo=HELSINKI)


ELIGIBILITY = (
    "<p>Any team of staff from the centre's service units. A team may span several units; "
    "joint ideas across units are especially welcome.</p>"
)

ROUNDS = [
    {
        "slug": "2025",
        "title": "Innovation competition 2025",
        "intro": "The second round asked for service models that keep clients from falling "
        "between services.",
        "dates": lambda: (
            helsinki(2025, 1, 13, 9),
            helsinki(2025, 3, 14, 16),
            helsinki(2025, 4, 11, 16),
            helsinki(2025, 5, 5, 12),
        ),
        "reviews_per_idea": None,
        "blind_judging": False,
    },
    {
        "slug": "2026",
        "title": "Innovation competition 2026",
        "intro": "This year's round looks for new ways for units to serve a client together, "
        "at the first contact.",
        "dates": lambda: (
            days_from_today(-21, 9),
            days_from_today(30, 16),
            days_from_today(58, 16),
            days_from_today(80, 12),
        ),
        "reviews_per_idea": 3,
        "blind_judging": True,
    },
]

WINNER = {
    "slug": "psychologist-within-reach",
    "title": "A psychologist within reach of the child health clinic",
    "summary": "A public health nurse who is worried about an expectant or new parent can "
    "consult a psychologist the same week; the psychologist contacts the client when needed "
    "and the two plan the follow-up together.",
    "rationale": "<p>The model serves a group whose need is great and often hidden, "
    "and it closes a gap in the chain of care: the client gets an appointment instead of a "
    "referral. It rests on two professions assessing the need together, and it can be "
    "taken up for other client groups.</p>",
}

STRINGS = {
    "fi": {
        "Competitions": "Kilpailut",
        "competitions": "kilpailut",
        "Every round of the competition, newest first.": "Kilpailun kaikki kierrokset, "
        "uusin ensin.",
        "Innovation competition 2025": "Innovaatiokilpailu 2025",
        "Innovation competition 2026": "Innovaatiokilpailu 2026",
        "2025": "2025",
        "2026": "2026",
        ROUNDS[0]["intro"]: "Toinen kierros haki palvelumalleja, joilla asiakkaat eivät putoa "
        "palvelujen väliin.",
        ROUNDS[1]["intro"]: "Tämän vuoden kierros etsii uusia tapoja, joilla yksiköt "
        "palvelevat asiakasta yhdessä jo ensimmäisellä kerralla.",
        "Any team of staff from the centre's service units. A team may span several units; "
        "joint ideas across units are especially welcome.": "Mikä tahansa keskuksen "
        "palveluyksiköiden henkilöstön tiimi. Tiimissä voi olla useita yksiköitä; yksiköiden "
        "yhteiset ideat ovat erityisen tervetulleita.",
        WINNER["title"]: "Psykologi lähellä lastenneuvolaa",
        WINNER["slug"]: "psykologi-lahella",
        WINNER["summary"]: "Terveydenhoitaja, joka on huolissaan odottavasta tai vastasyntyneen "
        "vanhemmasta, voi konsultoida psykologia samalla viikolla; psykologi ottaa tarvittaessa "
        "yhteyttä asiakkaaseen, ja jatko suunnitellaan yhdessä.",
        "The model serves a group whose need is great and often hidden, and it closes a gap in "
        "the chain of care: the client gets an appointment instead of a referral. It rests on "
        "two professions assessing the need together, and it can be taken up for other client "
        "groups.": "Malli palvelee ryhmää, jonka tarve on suuri ja usein piilossa, ja se "
        "sulkee aukon hoitoketjussa: asiakas saa ajan lähetteen sijaan. Se perustuu kahden "
        "ammattikunnan yhteiseen arvioon, ja sen voi ottaa käyttöön myös muille "
        "asiakasryhmille.",
    },
    "sv": {
        "Competitions": "Tävlingar",
        "competitions": "tavlingar",
        "Every round of the competition, newest first.": "Tävlingens alla omgångar, den "
        "nyaste först.",
        "Innovation competition 2025": "Innovationstävlingen 2025",
        "Innovation competition 2026": "Innovationstävlingen 2026",
        "2025": "2025",
        "2026": "2026",
        ROUNDS[0]["intro"]: "Den andra omgången sökte servicemodeller som hindrar att klienter "
        "faller mellan tjänsterna.",
        ROUNDS[1]["intro"]: "Årets omgång söker nya sätt för enheterna att tillsammans betjäna "
        "en klient redan vid första kontakten.",
        "Any team of staff from the centre's service units. A team may span several units; "
        "joint ideas across units are especially welcome.": "Alla team av personal från "
        "centrets serviceenheter. Ett team kan omfatta flera enheter; gemensamma idéer är "
        "särskilt välkomna.",
        WINNER["title"]: "En psykolog nära barnrådgivningen",
        WINNER["slug"]: "psykolog-nara",
        WINNER["summary"]: "En hälsovårdare som är orolig för en blivande eller ny förälder kan "
        "konsultera en psykolog samma vecka; psykologen kontaktar klienten vid behov och de "
        "två planerar uppföljningen tillsammans.",
        "The model serves a group whose need is great and often hidden, and it closes a gap in "
        "the chain of care: the client gets an appointment instead of a referral. It rests on "
        "two professions assessing the need together, and it can be taken up for other client "
        "groups.": "Modellen betjänar en grupp vars behov är stort och ofta dolt, och den "
        "sluter en lucka i vårdkedjan: klienten får en tid i stället för en remiss. Den "
        "bygger på att två yrkesgrupper bedömer behovet tillsammans, och den kan tas i bruk "
        "för andra klientgrupper.",
    },
}


def load() -> list[DemoAccount]:
    home = Site.objects.get(is_default_site=True).root_page.specific
    index = CompetitionIndexPage.objects.child_of(home).first()
    if index is None:
        index = home.add_child(
            instance=CompetitionIndexPage(
                title="Competitions",
                slug="competitions",
                intro="<p>Every round of the competition, newest first.</p>",
                show_in_menus=True,
            )
        )
        index.save_revision().publish()

    rounds = []
    for spec in ROUNDS:
        page = CompetitionPage.objects.child_of(index).filter(slug=spec["slug"]).first()
        if page is None:
            opens_at, closes_at, judging_closes_at, results_at = spec["dates"]()
            page = CompetitionPage(
                title=spec["title"],
                slug=spec["slug"],
                intro=spec["intro"],
                eligibility=ELIGIBILITY,
                opens_at=opens_at,
                closes_at=closes_at,
                judging_closes_at=judging_closes_at,
                results_at=results_at,
                reviews_per_idea=spec["reviews_per_idea"],
                blind_judging=spec["blind_judging"],
                locale=index.locale,
            )
            page.fill_new_round_defaults()
            index.add_child(instance=page)
            page.save_revision().publish()
        rounds.append(page)

    finished = rounds[0]
    winner = InnovationPage.objects.child_of(finished).filter(slug=WINNER["slug"]).first()
    if winner is None:
        winner = finished.add_child(
            instance=InnovationPage(
                title=WINNER["title"],
                slug=WINNER["slug"],
                summary=WINNER["summary"],
                award=Award.WINNER,
                jury_rationale=WINNER["rationale"],
            )
        )
        winner.save_revision().publish()

    for language in ("fi", "sv"):
        for page in [index, *rounds, winner]:
            translate(page, language=language, strings=STRINGS[language])
    return []
