"""Where an idea's text names its own team: a member, the team or one of its units.

In a blind round the jurors must not learn who wrote an idea; the team is warned, never
stopped, when its text would tell them. A name is found whatever its case and with an ending
added ("Niina Nursen", "Neuvolassa"), but not inside another word.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import Idea
from .models.ideas import field_labels
from .questions import idea_answers

MEMBER = "member"
TEAM = "team"
UNIT = "unit"
KIND_LABELS = {MEMBER: _("a member"), TEAM: _("your team"), UNIT: _("a unit of your team")}
SHORTEST_NAME = 3


@dataclass(frozen=True)
class Mention:
    kind: str
    name: str
    field: str
    # An answer to one of the round's questions is named by its question.
    question: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def field_label(self):
        return self.question or field_labels([self.field])[self.field]


def identifying_names(idea: Idea) -> list[tuple[str, str]]:
    """What could name the idea's team: (kind, name) for its members' names and e-mail
    addresses, the team's name and its units' names in every language."""
    team = idea.team
    names = [(TEAM, team.name)]
    for membership in team.memberships.select_related("user__profile"):
        user = membership.user
        profile = getattr(user, "profile", None)
        names += [(MEMBER, user.email), (MEMBER, user.get_full_name())]
        if profile is not None:
            names.append((MEMBER, profile.name))
    for unit in team.service_units.all():
        for language, _name in settings.LANGUAGES:
            names.append((UNIT, getattr(unit, f"name_{language}", None) or unit.name))
    seen = set()
    unique = []
    for kind, name in names:
        name = " ".join((name or "").split())
        if len(name) >= SHORTEST_NAME and name.casefold() not in seen:
            seen.add(name.casefold())
            unique.append((kind, name))
    return unique


def identifying_mentions(idea: Idea) -> list[Mention]:
    """The names of ``identifying_names`` that the idea's text holds, field by field, in the
    order the team writes the fields, then in the answers a juror reads (an answer marked
    identifying is hidden from a blind round's jurors, so it is not searched)."""
    names = identifying_names(idea)
    texts = [(field, "", value) for field, value in idea.text().items()]
    texts += [("answer", label, value) for label, value in idea_answers(idea, audience="juror")]
    mentions = []
    for field, question, value in texts:
        for kind, name in names:
            pattern = r"(?<!\w)" + r"\s+".join(re.escape(part) for part in name.split())
            if re.search(pattern, value or "", re.IGNORECASE):
                mentions.append(Mention(kind=kind, name=name, field=field, question=question))
    return mentions


def warnings_for_team(idea: Idea) -> list[Mention]:
    """What the team is warned of: the mentions in its text in a blind round; none in an open
    round, whose jurors see the team anyway."""
    return identifying_mentions(idea) if idea.competition.blind_judging else []
