"""Builders for test data. Pages are added under the site the migrations create."""

import io
from datetime import datetime, timedelta
from decimal import Decimal

import factory
import pikepdf
from django.contrib.auth import get_user_model
from django.utils import timezone
from wagtail.models import Locale, Site

from home.models import HomePage, StandardPage
from ideas.models import (
    Award,
    CompetitionIndexPage,
    CompetitionPage,
    Idea,
    IdeaStatus,
    InnovationIndexPage,
    InnovationPage,
    Membership,
    Profile,
    QuestionKind,
    Role,
    RoundQuestion,
    ServiceUnit,
    Team,
)
from judging.models import Assignment, Criterion, JuryMember, Review, Score
from judging.models import Award as JudgingAward


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


_numbers = iter(range(1, 1_000_000))


def home_page(language: str = "en") -> HomePage:
    home = Site.objects.get(is_default_site=True).root_page.specific
    if language == "en":
        return home
    return home.get_translation(Locale.objects.get(language_code=language)).specific


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def make_standard_page(parent=None, **fields) -> StandardPage:
    number = next(_numbers)
    fields.setdefault("title", f"Page {number}")
    fields.setdefault("slug", f"page-{number}")
    return publish(parent or home_page(), StandardPage(**fields))


def make_index(parent=None, **fields) -> CompetitionIndexPage:
    parent = parent or home_page()
    existing = CompetitionIndexPage.objects.child_of(parent).first()
    if existing is not None and not fields:
        return existing
    fields.setdefault("title", "Competitions")
    fields.setdefault("slug", "competitions")
    return publish(parent, CompetitionIndexPage(**fields))


def round_dates(phase: str, now: datetime | None = None) -> dict[str, datetime]:
    """Dates that put a round in ``phase`` at ``now``, ten days from each edge."""
    now = now or timezone.now()
    offsets = {"upcoming": 10, "open": -10, "judging": -30, "deliberation": -50, "results": -70}
    opens_at = now + timedelta(days=offsets[phase])
    return {
        "opens_at": opens_at,
        "closes_at": opens_at + timedelta(days=20),
        "judging_closes_at": opens_at + timedelta(days=40),
        "results_at": opens_at + timedelta(days=60),
    }


def make_round(index=None, *, phase: str = "open", criteria: int | None = None, **fields):
    """A published round; ``criteria`` None gives the six defaults, a number gives that many."""
    number = next(_numbers)
    fields.setdefault("title", f"Round {number}")
    fields.setdefault("slug", f"round-{number}")
    fields.setdefault("intro", f"What round {number} asks for.")
    for name, value in round_dates(phase).items():
        fields.setdefault(name, value)
    if phase == "results":
        fields.setdefault("results_published_at", fields["results_at"])
    page = CompetitionPage(**fields)
    if criteria is None:
        page.fill_new_round_defaults()
    else:
        page.criteria = [
            Criterion(name=f"Criterion {i}", description=f"About {i}", sort_order=i)
            for i in range(criteria)
        ]
    return publish(index or make_index(), page)


def make_criterion(competition, **fields) -> Criterion:
    fields.setdefault("name", "Client focus")
    fields.setdefault("weight", Decimal("1"))
    return Criterion.objects.create(competition=competition, **fields)


def make_question(competition, **fields) -> RoundQuestion:
    """A question of the round, saved on its page in the page's language."""
    fields.setdefault("label", "How does the idea use the centre's shared premises?")
    fields.setdefault("kind", QuestionKind.SHORT_TEXT)
    fields.setdefault("sort_order", competition.questions.count())
    return RoundQuestion.objects.create(
        competition=competition, locale=competition.locale, **fields
    )


def make_innovation(competition, **fields) -> InnovationPage:
    number = next(_numbers)
    fields.setdefault("title", f"Innovation {number}")
    fields.setdefault("slug", f"innovation-{number}")
    fields.setdefault("summary", "A nurse can consult a psychologist the same week.")
    fields.setdefault("award", Award.WINNER)
    return publish(competition, InnovationPage(**fields))


def make_showcase(parent=None, **fields) -> InnovationIndexPage:
    parent = parent or home_page()
    existing = InnovationIndexPage.objects.child_of(parent).first()
    if existing is not None:
        return existing
    fields.setdefault("title", "Innovations")
    fields.setdefault("slug", "innovations")
    return publish(parent, InnovationIndexPage(**fields))


def make_decided_round(*, winner_title: str = "Psychologist within reach", **fields):
    """A round after judging with one awarded and one unawarded idea, results not yet out.
    Returns the round, the awarded idea and the unawarded one."""
    competition = make_round(phase="deliberation", **fields)
    winner = make_idea(
        team=make_team(name="Team Firstcontact"),
        competition=competition,
        status=IdeaStatus.AWARDED,
        title=winner_title,
        summary="Parents meet a psychologist within days.",
    )
    loser = make_idea(
        team=make_team(name="Team Hushhush"),
        competition=competition,
        status=IdeaStatus.NOT_AWARDED,
        title="Confidential unawarded proposal",
        summary="Sensitive text only the team and jury may read.",
        problem="Clients of the shelter are identified too easily.",
    )
    JudgingAward.objects.create(
        idea=winner, level="winner", rationale="It closes a gap in the chain of care."
    )
    JudgingAward.objects.create(idea=loser, level="")
    return competition, winner, loser


def make_unit(name: str | None = None, service_area: str = "health") -> ServiceUnit:
    number = next(_numbers)
    return ServiceUnit.objects.create(name=name or f"Unit {number}", service_area=service_area)


def make_team(*, lead=None, members=(), units=None, name: str | None = None) -> Team:
    """A team with a lead (made if not given), plain members, and one unit unless given."""
    number = next(_numbers)
    team = Team.objects.create(name=name or f"Team {number}")
    team.service_units.set(units if units is not None else [make_unit()])
    Membership.objects.create(team=team, user=lead or UserFactory(), role=Role.LEAD)
    for member in members:
        Membership.objects.create(team=team, user=member, role=Role.MEMBER)
    return team


def make_idea(*, team=None, competition=None, status: str = IdeaStatus.DRAFT, **text) -> Idea:
    number = next(_numbers)
    text.setdefault("title", f"Idea {number}")
    text.setdefault("summary", "A nurse consults a psychologist the same week.")
    text.setdefault("problem", "Worried parents wait weeks.")
    text.setdefault("service_model", "A shared consultation hour.")
    text.setdefault("target_group", "Expectant and new parents.")
    return Idea.objects.create(
        team=team or make_team(),
        competition=competition or make_round(),
        status=status,
        **text,
    )


# --- judging ----------------------------------------------------------------------------------


def make_juror(competition, user=None, *, role: str = "member", unit=None):
    """A juror of the round; ``unit`` sets their profile's service unit."""
    user = user or UserFactory()
    if unit is not None:
        Profile.objects.update_or_create(user=user, defaults={"service_unit": unit})
    JuryMember.objects.create(competition=competition, user=user, role=role)
    return user


def make_assignment(juror, idea) -> Assignment:
    return Assignment.objects.create(juror=juror, idea=idea)


def make_review(assignment, value=3, *, status: str = "submitted", comment: str = "") -> Review:
    """A review with ``value`` on every criterion of the idea's round (or a dict by criterion)."""
    review = Review.objects.create(
        assignment=assignment,
        status=status,
        overall_comment=comment,
        submitted_at=timezone.now() if status == "submitted" else None,
    )
    for criterion in assignment.idea.competition.criteria.all():
        score = value.get(criterion.pk) if isinstance(value, dict) else value
        Score.objects.create(review=review, criterion=criterion, value=score)
    return review


def pdf_bytes(text: str = "A plan") -> bytes:
    """A real one-page PDF, as pikepdf writes it: a file a blind round's copy can be made of."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.pages[0].Contents = pdf.make_stream(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
    output = io.BytesIO()
    pdf.save(output)
    return output.getvalue()


def make_innovations(competition, count: int, *, summary: str) -> None:
    """``count`` live innovations under ``competition``, quickly: saved live and indexed for
    search, without revisions (for the search's query-count test and benchmark)."""
    for _ in range(count):
        number = next(_numbers)
        competition.add_child(
            instance=InnovationPage(
                title=f"Innovation {number}",
                slug=f"innovation-{number}",
                summary=summary,
                award=Award.WINNER,
                live=True,
            )
        )
