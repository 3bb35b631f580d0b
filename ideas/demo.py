"""Demo content of ideas: the rounds index, a finished round with its winner, an open round.

Dates of the open round are set around the day the demo is first loaded, so that a fresh
``make run`` always shows a round open for ideas; a second load changes nothing.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from wagtail.models import Site

from home.demo import DemoAccount, ensure_user, translate

from . import services
from .models import (
    CompetitionIndexPage,
    CompetitionPage,
    IdeaStatus,
    InnovationIndexPage,
    Profile,
    ServiceArea,
    ServiceUnit,
    Team,
)

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

SHOWCASE = {
    "title": "Innovations",
    "intro": "<p>What won, why the jury chose it, and what the pilot achieved.</p>",
}

STRINGS = {
    "fi": {
        "Innovations": "Innovaatiot",
        "innovations": "innovaatiot",
        "What won, why the jury chose it, and what the pilot achieved.": "Mikä voitti, miksi "
        "raati valitsi sen ja mitä pilotti sai aikaan.",
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
        "Innovations": "Innovationer",
        "innovations": "innovationer",
        "What won, why the jury chose it, and what the pilot achieved.": "Vad som vann, varför "
        "juryn valde det och vad piloten åstadkom.",
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

    showcase = InnovationIndexPage.objects.child_of(home).first()
    if showcase is None:
        showcase = home.add_child(
            instance=InnovationIndexPage(
                title=SHOWCASE["title"],
                slug="innovations",
                intro=SHOWCASE["intro"],
                show_in_menus=True,
            )
        )
        showcase.save_revision().publish()

    for language in ("fi", "sv"):
        for page in [index, *rounds, showcase]:
            translate(page, language=language, strings=STRINGS[language])
    return load_teams(open_round=rounds[1])


# --- teams and ideas in the open round --------------------------------------------------------

NURSE = DemoAccount("team member", "nurse", "ideatori-team")
PSYCHOLOGIST = DemoAccount("team member", "psychologist", "ideatori-team")
LIBRARIAN = DemoAccount("team member", "librarian", "ideatori-team")
COUNSELLOR = DemoAccount("team member", "counsellor", "ideatori-team")

UNITS = [
    ("Maternity and child health clinic", ServiceArea.HEALTH),
    ("Mental health and substance abuse services", ServiceArea.HEALTH),
    ("Family social work", ServiceArea.SOCIAL),
    ("Library", ServiceArea.CULTURE),
    ("Youth services", ServiceArea.YOUTH),
    ("Employment services", ServiceArea.EMPLOYMENT),
]

TEAMS = [
    {
        "name": "First contact for families",
        "units": [
            "Maternity and child health clinic",
            "Mental health and substance abuse services",
        ],
        "lead": (NURSE, "Public health nurse"),
        "members": [(PSYCHOLOGIST, "Psychologist")],
        "idea": {
            "status": IdeaStatus.SUBMITTED,
            "title": "One visit, two professionals, for parents of toddlers",
            "summary": "When a family comes to the clinic with a toddler, a social worker can join "
            "the same visit, so that worries about money or housing are heard at once.",
            "problem": "Families tell the nurse about worries that belong to social work, and are "
            "then asked to book a second appointment elsewhere; many never do.",
            "service_model": "A weekly joint hour at the clinic with a family social worker, "
            "booked by the nurse during the visit.",
            "target_group": "Families with children aged one to three.",
            "target_group_tags": "families, toddlers",
        },
    },
    {
        "name": "Reading together",
        "units": ["Library", "Youth services"],
        "lead": (LIBRARIAN, "Librarian"),
        "members": [],
        "idea": {
            "status": IdeaStatus.DRAFT,
            "title": "Homework corner with a youth worker",
            "summary": "Young people who stay in the library after school find a youth worker "
            "there two afternoons a week.",
            "problem": "",
            "service_model": "",
            "target_group": "Young people aged 12–17.",
        },
    },
    {
        "name": "Work and wellbeing",
        "units": ["Employment services"],
        "lead": (COUNSELLOR, "Employment counsellor"),
        "members": [],
        "idea": {
            "status": IdeaStatus.WITHDRAWN,
            "title": "Job-search club in the lobby",
            "summary": "An open morning for job seekers in the centre's lobby.",
            "problem": "Job seekers come to the building but rarely to the employment services.",
            "service_model": "A weekly open morning with a counsellor.",
            "target_group": "Long-term unemployed adults.",
        },
    },
]


def load_teams(open_round) -> list[DemoAccount]:
    units = {
        name: ServiceUnit.objects.get_or_create(name=name, defaults={"service_area": area})[0]
        for name, area in UNITS
    }
    for spec in TEAMS:
        if Team.objects.filter(name=spec["name"]).exists():
            continue
        account, profession = spec["lead"]
        lead = ensure_user(account)
        Profile.objects.get_or_create(user=lead, defaults={"profession": profession})
        team = services.create_team(
            name=spec["name"],
            service_units=[units[name] for name in spec["units"]],
            lead=lead,
            profession=profession,
        )
        for member_account, member_profession in spec["members"]:
            member = ensure_user(member_account)
            Profile.objects.get_or_create(user=member, defaults={"profession": member_profession})
            _invitation, token = services.invite_member(team=team, email=member.email, by=lead)
            services.accept_invitation(token=token, user=member, profession=member_profession)
        text = dict(spec["idea"])
        status = text.pop("status")
        idea = services.start_idea(competition=open_round, team=team, by=lead)
        idea = services.save_idea(idea=idea, text=text, base_version=idea.version, by=lead)
        if status != IdeaStatus.DRAFT:
            idea = services.set_idea_status(idea=idea, status=IdeaStatus.SUBMITTED, by=lead)
        if status == IdeaStatus.WITHDRAWN:
            services.set_idea_status(idea=idea, status=IdeaStatus.WITHDRAWN, by=lead)
    return [NURSE]
