"""Writes of the ideas app: teams, invitations, ideas and their status, a round's results and
the innovation pages drafted from its awarded ideas, next year's round copied from a round.

Each function is keyword-only, runs in a transaction and raises a ``ServiceError`` subclass
with a message a person can read when the write is refused; nothing is changed then.
"""

import secrets
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import PurePath

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.text import slugify
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from home.addresses import public_url
from home.models import SiteSettings
from home.storage import StorageUnavailable, store_errors

from . import copying, metadata, notifications, permissions, questions
from .attachments import MAX_ATTACHMENTS
from .models import (
    Attachment,
    BlindCopy,
    CompetitionPage,
    Idea,
    IdeaRevision,
    IdeaStatus,
    InnovationPage,
    Invitation,
    Membership,
    Profile,
    QuestionKind,
    Role,
    ServiceUnit,
    Team,
)
from .models.ideas import IDEA_TEXT_FIELDS, SUMMARY_MAX_LENGTH
from .models.pages import ROUND_DATE_FIELDS, SCREENING_DATE_FIELD
from .models.teams import INVITATION_VALIDITY, hash_token

EDITABLE_FIELDS = [*IDEA_TEXT_FIELDS, "target_group_tags"]
# A revision's text keeps the answers to the round's questions under this key; a revision's
# changed fields name each changed answer by ``questions.field_name``.
ANSWERS = "answers"


class ServiceError(Exception):
    """A write refused for a reason the person can act on."""


class NotAllowed(ServiceError):
    pass


class DeadlinePassed(ServiceError):
    pass


class MissingFields(ServiceError):
    def __init__(self, errors: dict[str, str]):
        super().__init__(_("Some required fields are empty."))
        self.errors = errors


class FileStoreUnavailable(ServiceError):
    """The attachment store (``STORAGES["attachments"]``) did not answer; nothing was saved."""


class EditConflict(ServiceError):
    """Someone saved the idea after the version this save started from."""

    def __init__(self, current: Idea):
        super().__init__(_("A team member saved this idea while you were editing it."))
        self.current = current


class InvitationUnusable(ServiceError):
    pass


# --- teams ------------------------------------------------------------------------------------


@transaction.atomic
def create_team(
    *, name: str, service_units: Iterable[ServiceUnit], lead, profession: str = ""
) -> Team:
    team = Team.objects.create(name=name)
    team.service_units.set(service_units)
    Membership.objects.create(team=team, user=lead, role=Role.LEAD, profession=profession)
    return team


@transaction.atomic
def update_team(*, team: Team, name: str, service_units: Iterable[ServiceUnit], by) -> Team:
    """The lead renames the team and changes the units it comes from."""
    if not permissions.can_manage_team(by, team):
        raise NotAllowed(_("Only the team's lead can change the team."))
    team.name = name
    team.save(update_fields=["name"])
    team.service_units.set(service_units)
    return team


class InvitationRefused(ServiceError):
    """An invitation that would reach nobody new; nothing is created or sent."""


@transaction.atomic
def invite_member(
    *, team: Team, email: str, by, now: datetime | None = None
) -> tuple[Invitation, str]:
    """Create a single-use invitation valid for seven days; returns it with its secret token.

    Only the token's hash is stored: the token exists only in the link sent to ``email``.
    Refused (``InvitationRefused``) for the lead's own address, a member's, and an address
    with an invitation still waiting for an answer.

    Side effect: the invitation e-mail with the link, in the current language's address.
    """
    if not permissions.can_manage_team(by, team):
        raise NotAllowed(_("Only the team's lead can invite members."))
    now = now or timezone.now()
    email = email.strip().lower()
    if email == (by.email or "").lower():
        raise InvitationRefused(_("This is your own address: you are already in the team."))
    if team.memberships.filter(user__email__iexact=email).exists():
        raise InvitationRefused(_("This person is already a member of the team."))
    if team.invitations.usable_at(now).filter(email=email).exists():
        raise InvitationRefused(
            _("An invitation to this address is waiting for an answer. Cancel it to send anew.")
        )
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        team=team,
        email=email,
        token_hash=hash_token(token),
        invited_by=by,
        created_at=now,
        expires_at=now + INVITATION_VALIDITY,
    )
    link = public_url(reverse("ideas:invitation", kwargs={"token": token}))
    notifications.invitation_sent(invitation_id=invitation.pk, link=link)
    return invitation, token


def _usable_invitation(token: str, now: datetime) -> Invitation:
    invitation = Invitation.objects.select_for_update().usable_at(now).with_token(token).first()
    if invitation is None:
        raise InvitationUnusable(
            _("This invitation link is not valid: it may have expired or been used already.")
        )
    return invitation


@transaction.atomic
def accept_invitation(
    *, token: str, user, profession: str = "", now: datetime | None = None
) -> Membership:
    """Join the team; the invitation cannot be used again. An existing member stays as they are."""
    now = now or timezone.now()
    invitation = _usable_invitation(token, now)
    membership, _created = Membership.objects.get_or_create(
        team=invitation.team, user=user, defaults={"role": Role.MEMBER, "profession": profession}
    )
    invitation.accepted_at = now
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def decline_invitation(*, token: str, now: datetime | None = None) -> Invitation:
    now = now or timezone.now()
    invitation = _usable_invitation(token, now)
    invitation.declined_at = now
    invitation.save(update_fields=["declined_at"])
    return invitation


@transaction.atomic
def resend_invitation(*, invitation: Invitation, by, now: datetime | None = None) -> str:
    """Send a waiting (or expired) invitation again with a new link valid for seven days; the
    old link stops working, since only the new token's hash is kept. Returns the new token.

    Side effect: the invitation e-mail, as ``invite_member`` sends it."""
    if not permissions.can_manage_team(by, invitation.team):
        raise NotAllowed(_("Only the team's lead can send invitations."))
    now = now or timezone.now()
    if invitation.why_unusable(now) not in ("", "expired"):
        raise InvitationUnusable(_("This invitation has been answered or cancelled already."))
    token = secrets.token_urlsafe(32)
    invitation.token_hash = hash_token(token)
    invitation.expires_at = now + INVITATION_VALIDITY
    invitation.save(update_fields=["token_hash", "expires_at"])
    link = public_url(reverse("ideas:invitation", kwargs={"token": token}))
    notifications.invitation_sent(invitation_id=invitation.pk, link=link)
    return token


@transaction.atomic
def cancel_invitation(*, invitation: Invitation, by, now: datetime | None = None) -> Invitation:
    """The lead takes back an invitation that is still waiting; its link stops working."""
    if not permissions.can_manage_team(by, invitation.team):
        raise NotAllowed(_("Only the team's lead can cancel invitations."))
    now = now or timezone.now()
    if invitation.why_unusable(now):
        raise InvitationUnusable(_("This invitation has been answered or has expired already."))
    invitation.cancelled_at = now
    invitation.save(update_fields=["cancelled_at"])
    return invitation


@transaction.atomic
def remove_member(*, membership: Membership, by) -> None:
    """The lead removes a member. The lead cannot be removed: a team always has a lead."""
    if not permissions.can_manage_team(by, membership.team):
        raise NotAllowed(_("Only the team's lead can remove members."))
    if membership.role == Role.LEAD:
        raise NotAllowed(_("Hand over the lead role before leaving the team."))
    membership.delete()


@transaction.atomic
def hand_over_lead(*, team: Team, to: Membership, by) -> None:
    """Make another member the lead; the old lead stays on as a member."""
    if not permissions.can_manage_team(by, team):
        raise NotAllowed(_("Only the team's lead can hand over the lead role."))
    if to.team_id != team.pk:
        raise NotAllowed(_("The new lead must be a member of the team."))
    team.memberships.filter(role=Role.LEAD).update(role=Role.MEMBER)
    to.role = Role.LEAD
    to.save(update_fields=["role"])


@transaction.atomic
def set_up_profile(*, user, name: str, language: str) -> Profile:
    """A new person's profile: the name colleagues and coordinators see, and the language of
    their e-mails."""
    profile, _created = Profile.objects.update_or_create(
        user=user, defaults={"name": name.strip(), "language": language}
    )
    return profile


# --- ideas ------------------------------------------------------------------------------------


@transaction.atomic
def start_idea(*, competition, team: Team, by, now: datetime | None = None) -> Idea:
    if not permissions.can_start_idea(by, team, competition, now):
        raise DeadlinePassed(_("This round is not open for ideas."))
    idea = Idea.objects.create(competition=competition, team=team, created_by=by)
    _record_revision(idea, author=by, changed=[], note="created")
    return idea


def _record_revision(idea: Idea, *, author, changed: list[str], note: str = "") -> IdeaRevision:
    return IdeaRevision.objects.create(
        idea=idea,
        version=idea.version,
        author=author,
        text={**idea.text(), ANSWERS: idea.answers},
        changed_fields=changed,
        note=note,
    )


@transaction.atomic
def save_idea(
    *,
    idea: Idea,
    text: Mapping[str, str],
    base_version: int,
    by,
    answers: Mapping | None = None,
    now: datetime | None = None,
) -> Idea:
    """Save the team's text and its answers to the round's questions as a new version,
    keeping a revision of it.

    ``answers`` maps each question's key to what was typed (``questions.check_answers``,
    leniently: a draft keeps it as typed); None keeps the stored answers, and answers to
    questions since retired are kept. A draft or a submitted idea is saved while the round is
    open; a submitted one stays submitted, keeps the round's required fields filled and its
    answers valid (``MissingFields`` otherwise, nothing written) and every member is e-mailed
    the text as it now stands.

    Refused with ``EditConflict`` (nothing written) when another save came after
    ``base_version``, and with ``DeadlinePassed`` once the round has closed. A save that
    changes nothing writes nothing. The version check and the write are one UPDATE, so two
    saves racing from the same version cannot both succeed.
    """
    # Judge by the stored idea, not by the caller's copy, which may predate a status change.
    current = Idea.objects.select_related("competition", "team").get(pk=idea.pk)
    if not permissions.can_edit_idea(by, current, now):
        if current.status in (IdeaStatus.DRAFT, IdeaStatus.SUBMITTED) and permissions.is_member(
            by, current.team
        ):
            raise DeadlinePassed(_("The submission deadline has passed; the idea is read-only."))
        raise NotAllowed(_("This idea cannot be edited."))
    # A field the round hides from its teams is not in ``text``: it keeps what it holds.
    new_text = {
        field: str(text.get(field, getattr(current, field))).strip() for field in EDITABLE_FIELDS
    }
    new_text["summary"] = new_text["summary"][:SUMMARY_MAX_LENGTH]
    if current.version != base_version:
        raise EditConflict(current)
    asked = questions.round_questions(current.competition)
    new_answers = dict(current.answers)
    if answers is not None:
        typed, _refusals = questions.check_answers(asked, answers, strict=False)
        new_answers = {
            key: value
            for key, value in current.answers.items()
            if key not in {question.key for question in asked}
        } | typed
    changed = [field for field in EDITABLE_FIELDS if getattr(current, field) != new_text[field]]
    changed += [
        questions.field_name(key)
        for key in sorted(set(current.answers) | set(new_answers))
        if current.answers.get(key) != new_answers.get(key)
    ]
    if not changed:
        return current
    if current.status == IdeaStatus.SUBMITTED:
        missing = missing_required_fields(
            current.competition, new_text, new_answers | questions.file_answers(current)
        )
        if missing:
            raise MissingFields(missing)
    updated = Idea.objects.filter(pk=idea.pk, version=base_version).update(
        version=F("version") + 1, updated_at=timezone.now(), answers=new_answers, **new_text
    )
    if not updated:
        raise EditConflict(Idea.objects.get(pk=idea.pk))
    idea.refresh_from_db()
    _record_revision(idea, author=by, changed=changed)
    if idea.status == IdeaStatus.SUBMITTED:
        notifications.submitted_idea_changed(idea_id=idea.pk, by_id=by.pk)
    return idea


@transaction.atomic
def restore_revision(
    *, revision: IdeaRevision, base_version: int, by, now: datetime | None = None
) -> Idea:
    """Bring back an earlier text and its answers as a new version; the history in between
    is kept. A revision from before the round asked questions brings back no answers."""
    return save_idea(
        idea=revision.idea,
        text=revision.text,
        answers=revision.text.get(ANSWERS, {}),
        base_version=base_version,
        by=by,
        now=now,
    )


def missing_required_fields(
    competition, text: Mapping[str, str], answers: Mapping | None = None
) -> dict[str, str]:
    """What keeps an idea from being submitted, each with its message by field name: the
    round's required fields that ``text`` leaves empty, and, when ``answers`` are given, the
    refusals of ``questions.check_answers`` (strict)."""
    settings = questions.idea_field_settings(competition)
    missing = {
        field: _("This field is required to submit the idea.")
        for field in competition.canonical().required_idea_fields
        if field in EDITABLE_FIELDS
        and not str(text.get(field, "")).strip()
        and not (field in settings and settings[field].hidden)
    }
    if answers is not None:
        asked = questions.round_questions(competition)
        _answers, refusals = questions.check_answers(asked, answers, strict=True)
        missing |= refusals
    return missing


TRANSITIONS = {
    (IdeaStatus.DRAFT, IdeaStatus.SUBMITTED): permissions.can_submit_idea,
    (IdeaStatus.DRAFT, IdeaStatus.WITHDRAWN): permissions.can_withdraw_idea,
    (IdeaStatus.SUBMITTED, IdeaStatus.WITHDRAWN): permissions.can_withdraw_idea,
    (IdeaStatus.WITHDRAWN, IdeaStatus.DRAFT): permissions.can_reopen_idea,
    (IdeaStatus.SUBMITTED, IdeaStatus.AWARDED): permissions.can_decide_idea,
    (IdeaStatus.SUBMITTED, IdeaStatus.NOT_AWARDED): permissions.can_decide_idea,
    (IdeaStatus.NOT_AWARDED, IdeaStatus.AWARDED): permissions.can_decide_idea,
    (IdeaStatus.AWARDED, IdeaStatus.NOT_AWARDED): permissions.can_decide_idea,
}


@transaction.atomic
def set_idea_status(*, idea: Idea, status: str, by, now: datetime | None = None) -> Idea:
    """The one function that changes an idea's status.

    Transitions: draft → submitted (the round's required fields filled and its questions
    answered as ``questions.check_answers`` requires, before the deadline),
    draft or submitted → withdrawn (before the deadline), withdrawn → draft (while open);
    submitted, awarded or not awarded → awarded or not awarded (the coordinator recording the
    jury's decision, after judging closes and before results are published).

    Side effects: ``submitted_at`` is set on submit, cleared on withdraw or reopen, and kept
    by the decision; the version goes up and a revision notes the change; every member of the
    team is e-mailed a receipt on submit and a notice on withdrawal. A refused change raises
    ``DeadlinePassed``, ``MissingFields`` or ``NotAllowed`` and leaves the idea, draft text
    included, exactly as it was.
    """
    now = now or timezone.now()
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    allowed = TRANSITIONS.get((idea.status, status))
    if allowed is None:
        raise NotAllowed(_("An idea cannot go from this status to that one."))
    if not allowed(by, idea, now):
        if permissions.is_member(by, idea.team) and not permissions.before_deadline(
            idea.competition, now
        ):
            raise DeadlinePassed(
                _("The submission deadline passed at %(deadline)s; your draft is kept.")
                % {
                    "deadline": formats.date_format(
                        timezone.localtime(idea.competition.closes_at), "DATETIME_FORMAT"
                    )
                }
            )
        raise NotAllowed(_("You cannot change the status of this idea."))
    if status == IdeaStatus.SUBMITTED:
        missing = missing_required_fields(
            idea.competition, idea.text(), idea.answers | questions.file_answers(idea)
        )
        if missing:
            raise MissingFields(missing)
    idea.status = status
    if status == IdeaStatus.SUBMITTED:
        idea.submitted_at = now
    elif status in (IdeaStatus.DRAFT, IdeaStatus.WITHDRAWN):
        idea.submitted_at = None
    # A new version, so that an editor still holding the old one cannot save over the change.
    idea.version += 1
    idea.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    _record_revision(idea, author=by, changed=[], note=status)
    if status == IdeaStatus.SUBMITTED:
        notifications.idea_submitted(idea_id=idea.pk)
    elif status == IdeaStatus.WITHDRAWN:
        notifications.idea_withdrawn(idea_id=idea.pk)
    return idea


# --- attachments ------------------------------------------------------------------------------


@transaction.atomic
def add_attachment(
    *,
    idea: Idea,
    upload,
    content_type: str,
    by,
    question_key: str | None = None,
    now: datetime | None = None,
) -> Attachment:
    """Store a checked upload with the idea, at most MAX_ATTACHMENTS of them (the files
    answering its round's file questions counted), while editable. With ``question_key`` the
    file answers that file question of the round (``NotAllowed`` for any other key).

    Raises ``FileStoreUnavailable`` (and stores no row) when the attachment store does not
    answer."""
    if not permissions.can_edit_idea(by, idea, now):
        raise NotAllowed(_("Files can be added only to a draft, before the deadline."))
    Idea.objects.select_for_update().get(pk=idea.pk)
    if question_key is not None and question_key not in {
        question.key
        for question in questions.round_questions(idea.competition)
        if question.kind == QuestionKind.FILE
    }:
        raise NotAllowed(_("This question is not answered with a file."))
    if idea.attachments.count() >= MAX_ATTACHMENTS:
        raise NotAllowed(
            _("An idea can have at most %(count)d files; remove one first.")
            % {"count": MAX_ATTACHMENTS}
        )
    try:
        with store_errors():
            attachment = Attachment.objects.create(
                idea=idea,
                file=upload,
                original_name=PurePath(upload.name).name[:255],
                content_type=content_type,
                size=upload.size,
                uploaded_by=by,
                question_key=question_key or "",
            )
            return make_blind_copy(attachment=attachment)
    except StorageUnavailable as down:
        raise FileStoreUnavailable(
            _(
                "The file could not be stored: the file store does not answer. Your idea's "
                "text is saved; try attaching the file again in a few minutes."
            )
        ) from down


@transaction.atomic
def remove_attachment(*, attachment: Attachment, by, now: datetime | None = None) -> None:
    """Remove the file and its copy without metadata while the idea is editable. A submitted
    idea keeps its answers valid: the last file of a required file question stays."""
    idea = attachment.idea
    if not permissions.can_edit_idea(by, idea, now):
        raise NotAllowed(_("Files can be removed only from a draft, before the deadline."))
    if attachment.question_key and idea.status == IdeaStatus.SUBMITTED:
        left = questions.file_answers(idea)
        left[attachment.question_key] = left.get(attachment.question_key, [])[1:]
        if missing_required_fields(idea.competition, idea.text(), idea.answers | left):
            raise NotAllowed(
                _(
                    "A submitted idea keeps its required answers: attach the new file "
                    "before removing this one."
                )
            )
    try:
        with store_errors():
            attachment.file.delete(save=False)
            if attachment.blind_file:
                attachment.blind_file.delete(save=False)
    except StorageUnavailable as down:
        raise FileStoreUnavailable(
            _(
                "The file could not be removed: the file store does not answer. Try again in "
                "a few minutes."
            )
        ) from down
    attachment.delete()


class FileWithheld(ServiceError):
    """The file could not be cleaned of its metadata, so a blind round's jurors do not get it."""


@transaction.atomic
def make_blind_copy(*, attachment: Attachment) -> Attachment:
    """Make the attachment's copy without metadata (``ideas.metadata``), unless it has one or
    is known not to be cleanable. It is made for every upload, blind round or not, so that a
    round made blind later has its copies, and the team learns at once of a file that cannot
    be cleaned; files uploaded before copies existed get theirs when a juror first asks.

    Side effects: stores ``blind_file`` and marks the copy made; or records why the file could
    not be read and, when its round is judged blind, e-mails every coordinator that its
    jurors will not receive it (``notifications.attachment_withheld``).
    """
    if attachment.blind_copy != BlindCopy.PENDING:
        return attachment
    suffix = PurePath(attachment.file.name).suffix
    with attachment.file.open("rb") as original:
        data = original.read()
    try:
        cleaned = metadata.clean(data, suffix)
    except metadata.CannotClean as failure:
        claimed = Attachment.objects.filter(pk=attachment.pk, blind_copy=BlindCopy.PENDING).update(
            blind_copy=failure.code
        )
        attachment.blind_copy = failure.code
        if claimed and attachment.idea.competition.blind_judging:
            notifications.attachment_withheld(attachment=attachment)
        return attachment
    name = attachment.blind_file.field.generate_filename(attachment, f"copy{suffix}")
    stored = attachment.blind_file.storage.save(name, ContentFile(cleaned))
    claimed = Attachment.objects.filter(pk=attachment.pk, blind_copy=BlindCopy.PENDING).update(
        blind_copy=BlindCopy.MADE, blind_file=stored
    )
    if not claimed:  # another request made it first: keep theirs
        attachment.blind_file.storage.delete(stored)
        attachment.refresh_from_db(fields=["blind_copy", "blind_file"])
        return attachment
    attachment.blind_copy = BlindCopy.MADE
    attachment.blind_file.name = stored
    return attachment


def file_for_juror(*, attachment: Attachment) -> File:
    """The file a juror of the attachment's round receives: as uploaded in an open round, its
    copy without metadata in a blind one. Raises ``FileWithheld`` when a blind round's copy
    cannot be made (see ``permissions.withheld_from_jurors``)."""
    if not attachment.idea.competition.blind_judging:
        return attachment.file
    make_blind_copy(attachment=attachment)
    if permissions.withheld_from_jurors(attachment):
        raise FileWithheld(attachment.get_blind_copy_display())
    return attachment.blind_file


# --- results and innovations ------------------------------------------------------------------


def results_workflow(competition):
    """The workflow a round's results go through, as the site's settings name it, or None."""
    site = competition.get_site()
    if site is None:
        return None
    workflow = SiteSettings.for_site(site).results_workflow
    return workflow if workflow is not None and workflow.active else None


@transaction.atomic
def publish_results(*, competition, by, now: datetime | None = None) -> bool:
    """Publish a round's results: its winners, their rationale and the teams' feedback.

    The round page gets a revision with ``results_published_at``; it is published at once, or,
    when the site's settings name a results workflow, submitted to it (a second coordinator
    then approves and Wagtail publishes it). Returns True when the results are public now.
    Side effects: the revision (logged in the page's history); on publishing, the round's
    translations take the same moment (``ideas.wagtail_hooks``). Refused while the page has
    unpublished edits or is already in a workflow, so that nobody's draft goes live with it.
    """
    now = now or timezone.now()
    page = type(competition).objects.select_for_update().get(pk=competition.pk)
    if not permissions.can_publish_results(by, page, now):
        raise NotAllowed(
            _("Results are published once judging has closed and the decision is recorded.")
        )
    if page.has_unpublished_changes or page.workflow_in_progress:
        raise NotAllowed(
            _("The round's page has unpublished changes; publish or discard them first.")
        )
    page.results_published_at = now
    revision = page.save_revision(user=by, log_action=True)
    workflow = results_workflow(page)
    if workflow is not None:
        workflow.start(page, by)
        return False
    revision.publish(user=by)
    return True


def paragraphs(text: str) -> str:
    """Plain text as rich-text paragraphs, escaped."""
    parts = [part.strip() for part in text.replace("\r\n", "\n").split("\n\n")]
    return "".join(f"<p>{escape(part)}</p>" for part in parts if part)


@transaction.atomic
def draft_innovation_page(
    *,
    idea: Idea,
    award: str,
    rationale: str,
    criterion_means: list[dict],
    by,
    now: datetime | None = None,
):
    """Create the draft innovation page of an awarded idea, filled from the idea (its answers
    to the round's questions marked public included, and no other) and the jury's decision,
    under the idea's round; a coordinator edits and publishes it.

    One page per idea: a second call returns the existing page. Side effects: the page and
    its first revision, logged as created by ``by``.
    """
    if not permissions.can_create_innovation_page(by, idea, now):
        raise NotAllowed(_("An innovation page is made from an awarded idea once results are out."))
    existing = InnovationPage.objects.filter(idea=idea, locale=idea.competition.locale).first()
    if existing is not None:
        return existing
    competition = idea.competition
    base = slugify(idea.title)[:60] or f"innovation-{idea.pk}"
    taken = set(competition.get_children().values_list("slug", flat=True))
    slug = base if base not in taken else f"{base}-{idea.pk}"
    professions = sorted(
        {p for p in idea.team.memberships.values_list("profession", flat=True) if p}
    )
    page = InnovationPage(
        title=idea.title,
        slug=slug,
        idea=idea,
        summary=idea.summary,
        problem=idea.problem,
        service_model=idea.service_model,
        target_group=idea.target_group,
        pathway_before=idea.pathway_before,
        pathway_after=idea.pathway_after,
        professions=", ".join(professions)[:300],
        award=award,
        jury_rationale=paragraphs(rationale),
        criterion_means=criterion_means,
        answers=questions.public_answer_values(idea),
        live=False,
        owner=by,
    )
    page.units = list(idea.team.service_units.all())
    competition.add_child(instance=page)
    page.save_revision(user=by, log_action=True)
    return page


# --- next year's round ------------------------------------------------------------------------


@transaction.atomic
def copy_round(*, competition, by, now: datetime | None = None) -> CompetitionPage:
    """Make next year's round from ``competition`` as a draft beside it, and return it.

    Given a translation, its round is copied (the round's page in the default language, with
    all its translations). The copy has the round's texts (intro, eligibility, body), its
    judging settings and required idea fields, and its criteria (names, descriptions, what
    the scale means, weights, scales); its four dates a year later at the same Helsinki
    wall-clock time; a title and slug with the round's year moved on by one, or "(copy)"
    added where they name no year. It is not live, its results are not published, and it has
    no ideas, innovation pages, jury members or revisions of the old round.

    Side effects: the new page and its first revision, logged as a copy by ``by``; each other
    language's page of the round copied as a draft translation of it with its translated
    texts (through wagtail-localize, which records the translation and its strings, where the
    old page is synced by it; else as a copy of that page); an entry in the old round's
    history, stamped ``now``. Nothing of the old round changes.
    """
    now = now or timezone.now()
    if not permissions.can_copy_round(by, competition):
        raise NotAllowed(_("Only a coordinator can copy a round."))
    old = CompetitionPage.objects.get(pk=competition.canonical().pk)
    years = copying.round_years(old)
    keys: dict = {}
    new = copying.copy_page(
        old,
        by=by,
        keys=keys,
        years=years,
        attrs={
            "translation_key": uuid.uuid4(),
            **{name: copying.a_year_later(getattr(old, name)) for name in ROUND_DATE_FIELDS},
            SCREENING_DATE_FIELD: old.screening_closes_at
            and copying.a_year_later(old.screening_closes_at),
        },
    )
    copying.copy_translations(old=old, new=new, keys=keys, years=years, by=by)
    log(
        instance=old,
        action="ideatori.round_copied",
        user=by,
        timestamp=now,
        data={"copy": {"id": new.pk, "title": new.title}},
    )
    return new
