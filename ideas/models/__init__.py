from .ideas import Attachment, Idea, IdeaRevision, IdeaStatus
from .pages import (
    NEW_ROUND_HOOK,
    Award,
    CompetitionIndexPage,
    CompetitionPage,
    CompetitionPageForm,
    InnovationPage,
    Milestone,
    Phase,
)
from .teams import (
    Invitation,
    Membership,
    Profile,
    ReminderSent,
    Role,
    ServiceArea,
    ServiceUnit,
    Team,
)

__all__ = [
    "NEW_ROUND_HOOK",
    "Attachment",
    "Award",
    "CompetitionIndexPage",
    "CompetitionPage",
    "CompetitionPageForm",
    "Idea",
    "IdeaRevision",
    "IdeaStatus",
    "InnovationPage",
    "Invitation",
    "Membership",
    "Milestone",
    "Phase",
    "Profile",
    "ReminderSent",
    "Role",
    "ServiceArea",
    "ServiceUnit",
    "Team",
]
