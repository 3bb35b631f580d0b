"""A person's own data, as they take it out: one ZIP of JSON and the files they uploaded.

Only what is the person's goes in: their account and profile, their memberships, the ideas
they wrote with the revisions they saved (not their teammates'), their files, their jury
seats, the reviews they gave with their own scores, their conflicts of interest, invitations
and e-mails addressed to them. Nobody else's address, name or score.
"""

import json
import shutil
import zipfile
from pathlib import PurePath

from django.db.models import Q

from home.models import OutboxMessage
from ideas.models import Attachment, Idea, IdeaRevision, Invitation, Membership, Profile
from ideas.questions import idea_answers, round_questions
from judging.models import Assignment, ConflictOfInterest, JurorInvitation, JuryMember

from .services import addresses_of


def _when(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def _attachment_entry(attachment: Attachment) -> str:
    name = PurePath(attachment.original_name).name or "file"
    return f"files/{attachment.pk}-{name}"


def personal_data(person) -> dict:
    """Everything of the person's, as plain JSON-ready values."""
    profile = Profile.objects.filter(user=person).select_related("service_unit").first()
    addresses = addresses_of(person)
    ideas = (
        Idea.objects.filter(Q(revisions__author=person) | Q(created_by=person))
        .distinct()
        .select_related("competition")
        .order_by("pk")
    )
    # Each round's questions read once, however many of its ideas the person wrote.
    asked: dict[int, list] = {}
    for idea in ideas:
        if idea.competition_id not in asked:
            asked[idea.competition_id] = round_questions(idea.competition, retired=True)
    own_revisions: dict[int, list] = {}
    for revision in IdeaRevision.objects.filter(author=person).order_by("idea_id", "version"):
        own_revisions.setdefault(revision.idea_id, []).append(
            {
                "version": revision.version,
                "saved_at": _when(revision.created_at),
                "changed_fields": revision.changed_fields,
                "note": revision.note,
                "text": revision.text,
            }
        )
    attachments = list(Attachment.objects.filter(uploaded_by=person).order_by("pk"))
    reviews = (
        Assignment.objects.filter(juror=person, review__isnull=False)
        .select_related("idea", "review")
        .prefetch_related("review__scores__criterion")
        .order_by("pk")
    )
    return {
        "account": {
            "username": person.get_username(),
            "email": person.email,
            "email_addresses": sorted(addresses),
            "date_joined": _when(person.date_joined),
            "last_login": _when(person.last_login),
        },
        "profile": {
            "name": profile.name,
            "service_unit": str(profile.service_unit) if profile.service_unit else None,
            "profession": profile.profession,
            "language": profile.language,
        }
        if profile is not None
        else None,
        "memberships": [
            {
                "team": membership.team.name,
                "role": membership.role,
                "profession": membership.profession,
                "joined_at": _when(membership.joined_at),
            }
            for membership in Membership.objects.filter(user=person).select_related("team")
        ],
        "ideas": [
            {
                "id": idea.pk,
                "title": idea.title,
                "status": idea.status,
                "you_started_it": idea.created_by_id == person.pk,
                "text": idea.text(),
                "answers": [
                    {"question": question, "answer": answer}
                    for question, answer in idea_answers(
                        idea, audience="team", questions=asked[idea.competition_id]
                    )
                ],
                "your_revisions": own_revisions.get(idea.pk, []),
            }
            for idea in ideas
        ],
        "files": [
            {
                "idea": attachment.idea_id,
                "name": attachment.original_name,
                "content_type": attachment.content_type,
                "size": attachment.size,
                "uploaded_at": _when(attachment.uploaded_at),
                "in_this_zip": _attachment_entry(attachment),
            }
            for attachment in attachments
        ],
        "jury_seats": [
            {"round": str(seat.competition), "role": seat.role}
            for seat in JuryMember.objects.filter(user=person).select_related("competition")
        ],
        "reviews": [
            {
                "idea": assignment.idea_id,
                "idea_title": assignment.idea.title,
                "status": assignment.review.status,
                "overall_comment": assignment.review.overall_comment,
                "submitted_at": _when(assignment.review.submitted_at),
                "scores": [
                    {
                        "criterion": score.criterion.name,
                        "value": score.value,
                        "comment": score.comment,
                    }
                    for score in assignment.review.scores.all()
                ],
            }
            for assignment in reviews
        ],
        "conflicts_of_interest": [
            {"idea": conflict.idea_id, "active": conflict.active, "reason": conflict.reason}
            for conflict in ConflictOfInterest.objects.filter(juror=person)
        ],
        "team_invitations": [
            {"team": invitation.team.name, "sent_at": _when(invitation.created_at)}
            for invitation in Invitation.objects.filter(email__in=addresses).select_related("team")
        ],
        "jury_invitations": [
            {"name": invitation.name, "sent_at": _when(invitation.created_at)}
            for invitation in JurorInvitation.objects.filter(email__in=addresses)
        ],
        "emails": [
            {
                "subject": message.subject,
                "queued_at": _when(message.created_at),
                "status": message.status,
            }
            for message in OutboxMessage.objects.only(
                "subject", "created_at", "status", "recipients"
            ).order_by("pk")
            if {recipient.lower() for recipient in message.recipients} & addresses
        ],
    }


def write_data_zip(person, target) -> None:
    """Write the person's data as a ZIP into the file ``target``: ``data.json`` and their files
    under ``files/``, each copied in chunks, never the whole archive in memory."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        data = personal_data(person)
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        for attachment in Attachment.objects.filter(uploaded_by=person).order_by("pk"):
            try:
                with (
                    attachment.file.open("rb") as stored,
                    archive.open(_attachment_entry(attachment), "w") as entry,
                ):
                    shutil.copyfileobj(stored, entry)
            except FileNotFoundError:
                continue
