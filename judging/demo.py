"""Demo judging: the finished round's ideas, its jury of five, their reviews, the decision,
the published results and the innovation pages of the winner and the runner-up.

Everything happens at the moments it would have in 2025 (``now`` passed to the services), so
that the same rules that guard a live round produced the demo's rows. The jury includes one
harsh and one lenient juror, so that the dashboard's normalised scores have work to do, and one
declared conflict. Safe to rerun: a round that already has a jury is left alone.
"""

import random

from wagtail.models import Locale

from home.demo import COORDINATOR, DemoAccount, ensure_user
from ideas import services as idea_services
from ideas.demo import helsinki
from ideas.demo_outcomes import publish_runner_up, publish_winner
from ideas.models import CompetitionPage, Idea, IdeaStatus, Profile, Team

from . import services
from .models import JurorNotice, JuryMember, JuryRole
from .scoreboard import criteria_of

JUROR = DemoAccount("juror", "juror", "ideatori-jury")

# Name, account, role, severity (points added to every score).
JURY = [
    ("Helena Lindqvist", DemoAccount("juror", "jury-chair", "ideatori-jury"), JuryRole.CHAIR, 0.0),
    ("Mikko Rantanen", JUROR, JuryRole.MEMBER, 0.0),
    ("Sari Koskinen", DemoAccount("juror", "jury-harsh", "ideatori-jury"), JuryRole.MEMBER, -1.1),
    ("Oskar Berg", DemoAccount("juror", "jury-lenient", "ideatori-jury"), JuryRole.MEMBER, 0.9),
    ("Anu Heikkilä", DemoAccount("juror", "jury-member", "ideatori-jury"), JuryRole.MEMBER, 0.0),
]

OPEN = helsinki(2025, 2, 3, 10)
JUDGING = helsinki(2025, 3, 24, 12)
DELIBERATION = helsinki(2025, 4, 22, 14)
RESULTS = helsinki(2025, 5, 5, 12)

MODEL_CASE = {
    "title": "A psychologist within reach of the child health clinic",
    "summary": "A public health nurse who is worried about an expectant or new parent can "
    "consult a psychologist within days; the psychologist contacts the parent when needed.",
    "problem": "Nurses at the clinic meet parents whose mental well-being worries them — after "
    "a miscarriage, during infertility treatment or in the first months with a baby — but a "
    "referral to mental health services takes weeks, and many parents never go.",
    "service_model": "Each clinic has a named psychologist from the mental health services. The "
    "nurse books a consultation in a shared calendar; the psychologist calls the parent when "
    "the nurse and the parent agree, and the two professionals plan the follow-up together.",
    "target_group": "Pregnant women, parents of babies under one year and their partners.",
    "target_group_tags": "expectant parents, families with babies",
    "pathway_before": "Nurse notices a worry → referral → waiting list → first appointment "
    "weeks later, if the parent still goes.",
    "pathway_after": "Nurse notices a worry → consultation the same week → psychologist "
    "contacts the parent → follow-up planned together.",
    "cooperation": "Public health nurses and psychologists, with the clinic's doctor when needed.",
}

OTHER_IDEAS = [
    (
        "Reading together",
        {
            "title": "Evening library hours for families in a new country",
            "summary": "Library staff and a family worker host evening hours where newcomer "
            "families get help with forms, school letters and books for their children.",
            "target_group": "Families who moved to the city in the last two years.",
            "problem": "Newcomer families bring letters they cannot "
            "read to every service desk in turn.",
            "service_model": "Two evenings a month in the library "
            "with a family worker and a librarian.",
        },
        3.9,
    ),
    (
        "Work and wellbeing",
        {
            "title": "Health check on the way to a job",
            "summary": "Job seekers can see a nurse during their employment-services visit, "
            "without a separate appointment.",
            "target_group": "Unemployed adults with no recent health check.",
            "problem": "Many long-term job seekers have had no health "
            "check for years and do not book one.",
            "service_model": "A nurse keeps an open hour "
            "beside the employment services on visit days.",
        },
        3.5,
    ),
    (
        "Reading together",
        {
            "title": "Study space with a counsellor on call",
            "summary": "Upper-secondary students studying in the library can book a short talk "
            "with a school counsellor in the same building.",
            "target_group": "Students aged 16–19.",
            "problem": "Students who struggle rarely find their "
            "way to the counsellor in another building.",
            "service_model": "The counsellor keeps bookable short talks "
            "in the library twice a week.",
        },
        3.0,
    ),
    (
        "Work and wellbeing",
        {
            "title": "Lobby guide for first-time visitors",
            "summary": "A trained guide in the lobby helps first-time visitors find the right "
            "service and book it before they leave.",
            "target_group": "First-time visitors to the service centre.",
            "problem": "First-time visitors queue at the wrong desk "
            "and leave without the service they needed.",
            "service_model": "A guide greets visitors, asks what they "
            "came for and books it with them.",
        },
        2.7,
    ),
    (
        "First contact for families",
        {
            "title": "Text-message reminders for child health visits",
            "summary": "Parents get a reminder and a link to rebook, so fewer visits are missed.",
            "target_group": "Families with children under school age.",
            "problem": "One visit in ten is missed, and a missed visit takes weeks to rebook.",
            "service_model": "Automatic reminders two days ahead with "
            "a link to choose another time.",
        },
        2.3,
    ),
]
MODEL_CASE_TEAM = "First contact for families"
MODEL_CASE_QUALITY = 4.6


def load() -> list[DemoAccount]:
    competition = CompetitionPage.objects.filter(locale=Locale.get_default(), slug="2025").first()
    if competition is None or JuryMember.objects.filter(competition=competition).exists():
        return [JUROR]
    coordinator = ensure_user(COORDINATOR)
    ideas = _submit_ideas(competition)
    jurors = _seat_jury(competition, coordinator)
    _score(competition, ideas, jurors)
    _decide(competition, ideas, coordinator)
    _publish(competition, ideas, coordinator)
    return [JUROR]


def _submit_ideas(competition) -> list[tuple]:
    specs = [(MODEL_CASE_TEAM, MODEL_CASE, MODEL_CASE_QUALITY), *OTHER_IDEAS]
    ideas = []
    for team_name, text, quality in specs:
        team = Team.objects.get(name=team_name)
        lead = team.memberships.get(role="lead").user
        idea = idea_services.start_idea(competition=competition, team=team, by=lead, now=OPEN)
        idea = idea_services.save_idea(
            idea=idea, text=text, base_version=idea.version, by=lead, now=OPEN
        )
        idea = idea_services.set_idea_status(
            idea=idea, status=IdeaStatus.SUBMITTED, by=lead, now=OPEN
        )
        ideas.append((idea, quality))
    return ideas


def _seat_jury(competition, coordinator) -> list[tuple]:
    jurors = []
    for name, account, role, severity in JURY:
        user = ensure_user(account)
        Profile.objects.update_or_create(user=user, defaults={"name": name})
        jurors.append((user, role, severity))
        # The 2025 jury was told long ago: no e-mail now.
        for kind in (JurorNotice.JURY_SET, JurorNotice.JUDGING_OPEN):
            JurorNotice.objects.get_or_create(competition=competition, user=user, kind=kind)
    competition.jury_members = [JuryMember(user=user, role=role) for user, role, _ in jurors]
    competition.save_revision(user=coordinator).publish(user=coordinator)
    return jurors


def _score(competition, ideas, jurors) -> None:
    services.generate_assignments(competition=competition, by=None, now=JUDGING)
    criteria = criteria_of(competition)
    noise = random.Random(2025)
    for user, _role, severity in jurors:
        for idea, quality in ideas:
            values = {
                c.pk: min(5, max(1, round(quality + severity + noise.uniform(-0.6, 0.6))))
                for c in criteria
            }
            services.save_review(
                assignment=user.assignments.get(idea=idea),
                values=values,
                comments={},
                overall_comment=f"Scored against all {len(criteria)} criteria.",
                submit=True,
                by=user,
                now=JUDGING,
            )
    # The last juror realises after scoring that they worked with one team until last spring.
    member, _role, _severity = jurors[-1]
    services.declare_conflict(
        idea=ideas[4][0],
        by=member,
        reason="I worked with this team's lead until last spring.",
        now=JUDGING,
    )


def _decide(competition, ideas, coordinator) -> None:
    by_name = {c.name: c.pk for c in criteria_of(competition)}
    model_case, runner_up, mention = (idea for idea, _quality in ideas[:3])
    entries = [
        services.DecisionEntry(
            model_case.pk,
            "winner",
            "A small change in how two units work gives parents help within days, with no "
            "break in the chain of care, for a group whose worries are easily missed.",
            [by_name[n] for n in ("Target group", "Streamlined service pathway") if n in by_name],
            "The jury would like to see the pilot measure how many parents are reached.",
            votes=5,
        ),
        services.DecisionEntry(
            runner_up.pk,
            "runner_up",
            "Serves newcomer families where they already are, and could be taken up by other "
            "libraries.",
            [by_name[n] for n in ("Client focus", "Transferability") if n in by_name],
            "A strong idea; consider which forms cause the most questions.",
            votes=3,
        ),
        services.DecisionEntry(
            mention.pk,
            "honourable_mention",
            "Joins two services in one visit with little extra cost.",
            [by_name[n] for n in ("Multi-professional cooperation",) if n in by_name],
            votes=1,
        ),
    ]
    services.record_decision(
        competition=competition, entries=entries, by=coordinator, now=DELIBERATION
    )


def _publish(competition, ideas, coordinator) -> None:
    idea_services.publish_results(competition=competition, by=coordinator, now=RESULTS)
    winner, runner_up = (
        Idea.objects.select_related("competition").get(pk=idea.pk) for idea, _q in ideas[:2]
    )
    page = services.create_innovation_page(idea=winner, by=coordinator, now=RESULTS)
    publish_winner(page, by=coordinator)
    page = services.create_innovation_page(idea=runner_up, by=coordinator, now=RESULTS)
    publish_runner_up(page, by=coordinator)
