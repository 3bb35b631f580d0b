"""The round's questions as an idea's team, its jurors and the public read them, and the one
check of their answers.

Answers are stored on the idea (``Idea.answers``) by each question's key (its
``translation_key``, the same in every language) as the person typed them: text as text, a
number or a date as typed, a choice as its place in the list of choices (``"0"``, ``"1"``),
several choices as a list of places, yes or no as ``"yes"`` or ``"no"``. ``check_answers`` is
lenient for a draft (it keeps what was typed) and strict on submit.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import formats, translation
from django.utils.translation import gettext as _

from . import permissions
from .models import Attachment, CompetitionPage, Idea, QuestionKind, RoundQuestion
from .models.ideas import field_labels

FIELD_PREFIX = "answer_"
SHORT_TEXT_MAX_LENGTH = 255


def field_name(key: str) -> str:
    """The name of a question's field in the idea's form, and of its errors."""
    return FIELD_PREFIX + key


@dataclass(frozen=True)
class Question:
    """A round's question in one language, with its round's kind, limits and audiences."""

    key: str
    kind: str
    label: str
    help_text: str
    required: bool
    word_limit: int | None
    min_value: Decimal | None
    max_value: Decimal | None
    unit: str
    choices: tuple[str, ...]
    visible_to_jurors: bool
    identifying: bool
    public: bool
    retired: bool

    @property
    def field_name(self) -> str:
        return field_name(self.key)


def round_questions(
    competition, *, language: str | None = None, retired: bool = False
) -> list[Question]:
    """The questions of ``competition``'s round in their order, worded in ``language`` (the
    active one by default) where the round's page in that language has them, else as the
    round's own page words them. Retired questions only when ``retired`` is true."""
    own = competition.canonical()
    rows = list(own.questions.all()) if own.pk else []
    if not retired:
        rows = [row for row in rows if not row.retired]
    language = language or translation.get_language()
    worded = {}
    if rows and own.locale.language_code != language:
        worded = {
            str(row.translation_key): row
            for row in RoundQuestion.objects.filter(
                translation_key__in=[row.translation_key for row in rows],
                locale__language_code=language,
                competition__translation_key=own.translation_key,
            )
        }
    return [_question(row, worded.get(row.key, row)) for row in rows]


def _question(row: RoundQuestion, words: RoundQuestion) -> Question:
    choices = words.choice_list()
    if len(choices) != len(row.choice_list()):
        choices = row.choice_list()  # a translation that lost a line would shift the answers
    return Question(
        key=row.key,
        kind=row.kind,
        label=words.label,
        help_text=words.help_text,
        required=row.required,
        word_limit=row.word_limit,
        min_value=row.min_value,
        max_value=row.max_value,
        unit=words.unit,
        choices=tuple(choices),
        visible_to_jurors=row.visible_to_jurors,
        identifying=row.identifying,
        public=row.public,
        retired=row.retired,
    )


def answered_keys(competition, keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` an idea of ``competition``'s round has answered."""
    keys = set(keys)
    if competition.pk is None or not keys:
        return set()
    found = set()
    ideas = Idea.objects.filter(competition=competition.canonical())
    for answers in ideas.values_list("answers", flat=True):
        found.update(keys.intersection(answers or {}))
    # A file question's answer is a file tied to it.
    found.update(
        Attachment.objects.filter(idea__in=ideas, question_key__in=keys)
        .values_list("question_key", flat=True)
        .distinct()
    )
    return found


def file_answers(idea: Idea) -> dict[str, list[str]]:
    """The idea's answers to file questions, which ``Idea.answers`` does not hold: the names
    of the files tied to each question, by the question's key. Merged into the answers where
    they are checked (``check_answers``)."""
    answers: dict[str, list[str]] = {}
    rows = idea.attachments.exclude(question_key="").order_by("uploaded_at", "pk")
    for key, name in rows.values_list("question_key", "original_name"):
        answers.setdefault(key, []).append(name)
    return answers


def attachments_shown_to(
    audience: str, attachments: Iterable[Attachment], *, competition, questions=None
) -> list[Attachment]:
    """Those of ``attachments`` (of ideas of ``competition``'s round) that ``audience`` may
    receive, by ``permissions.file_shown_to``: every file attached to the idea as a whole, a
    file question's files only where ``audience`` may read the question's answer (a blind
    round's jurors never receive an identifying one), none of a question the round no longer
    has. ``questions`` as in ``idea_answers``."""
    attachments = list(attachments)
    if not any(attachment.question_key for attachment in attachments):
        for attachment in attachments:
            attachment.question_label = ""
        return attachments
    if questions is None:
        questions = round_questions(competition, retired=True)
    by_key = {question.key: question for question in questions}
    blind = audience == "juror" and competition.canonical().blind_judging
    shown = []
    for attachment in attachments:
        question = by_key.get(attachment.question_key) if attachment.question_key else None
        if permissions.file_shown_to(audience, attachment, question, blind=blind):
            attachment.question_label = question.label if question is not None else ""
            shown.append(attachment)
    return shown


def word_count(text: str) -> int:
    return len(re.findall(r"\S+", text))


def parse_number(value: str) -> Decimal | None:
    """A number as a Finnish or Swedish reader may type it: ``1 200,50`` or ``1200.50``."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", value).replace(",", ".").replace("\u2212", "-")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _typed(question: Question, raw) -> str | list[str]:
    """What the person typed for one question, trimmed, in the stored shape."""
    if question.kind in (QuestionKind.MULTIPLE_CHOICE, QuestionKind.FILE):
        values = raw if isinstance(raw, list | tuple) else [] if raw is None else [raw]
        return [str(v).strip() for v in values if str(v).strip()]
    if isinstance(raw, list | tuple):
        raw = raw[-1] if raw else ""
    return "" if raw is None else str(raw).strip()


def _error(question: Question, value) -> str | None:
    """Why a non-empty answer cannot be submitted, or None."""
    kind = question.kind
    if kind == QuestionKind.SHORT_TEXT and len(value) > SHORT_TEXT_MAX_LENGTH:
        return _("At most %(limit)d characters; this answer has %(count)d.") % {
            "limit": SHORT_TEXT_MAX_LENGTH,
            "count": len(value),
        }
    if kind == QuestionKind.LONG_TEXT and question.word_limit:
        count = word_count(value)
        if count > question.word_limit:
            return _("At most %(limit)d words; this answer has %(count)d.") % {
                "limit": question.word_limit,
                "count": count,
            }
    if kind == QuestionKind.NUMBER:
        number = parse_number(value)
        if number is None:
            return _("Enter a number, for example 1200 or 12,5.")
        if question.min_value is not None and number < question.min_value:
            return _("Enter a number no smaller than %(min)s.") % {
                "min": formats.number_format(question.min_value.normalize())
            }
        if question.max_value is not None and number > question.max_value:
            return _("Enter a number no larger than %(max)s.") % {
                "max": formats.number_format(question.max_value.normalize())
            }
    places = {str(place) for place in range(len(question.choices))}
    if kind == QuestionKind.SINGLE_CHOICE and value not in places:
        return _("Choose one of the choices.")
    if kind == QuestionKind.MULTIPLE_CHOICE and not set(value) <= places:
        return _("Choose among the choices given.")
    if kind == QuestionKind.YES_NO and value not in ("yes", "no"):
        return _("Answer yes or no.")
    if kind == QuestionKind.DATE:
        try:
            date.fromisoformat(value)
        except ValueError:
            return _("Enter a date as day, month and year.")
    return None


def check_answers(
    questions: Iterable[Question], data: Mapping, *, strict: bool
) -> tuple[dict, dict[str, str]]:
    """The one check of an idea's answers: ``data`` maps each question's key to what was
    typed. Returns the answers to store (empty ones left out) and, when ``strict`` (on
    submit), the refusals by the question's field name: a required answer missing, a number
    that is no number or out of range, a text over its word limit, a choice not offered, a
    date that is no date. A draft (``strict`` false) keeps whatever was typed."""
    answers, errors = {}, {}
    for question in questions:
        value = _typed(question, data.get(question.key))
        if not value:
            if strict and question.required:
                errors[question.field_name] = _("This field is required to submit the idea.")
            continue
        answers[question.key] = value
        if strict:
            error = _error(question, value)
            if error:
                errors[question.field_name] = error
    return answers, errors


def answer_text(question: Question, value) -> str:
    """A stored answer as a reader reads it, in the active language."""
    if value in (None, "", []):
        return ""
    kind = question.kind
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        places = value if isinstance(value, list) else [value]
        labels = []
        for place in places:
            index = int(place) if str(place).isdigit() else -1
            labels.append(question.choices[index] if 0 <= index < len(question.choices) else place)
        return ", ".join(labels)
    if kind == QuestionKind.FILE:
        return ", ".join(str(name) for name in (value if isinstance(value, list) else [value]))
    if kind == QuestionKind.YES_NO:
        return {"yes": _("Yes"), "no": _("No")}.get(value, value)
    if kind == QuestionKind.NUMBER:
        number = parse_number(value)
        shown = formats.number_format(number.normalize()) if number is not None else value
        return f"{shown} {question.unit}".strip()
    if kind == QuestionKind.DATE:
        try:
            return formats.date_format(date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    return str(value)


def idea_answers(
    idea: Idea, *, audience: str, language: str | None = None, questions=None
) -> list[tuple[str, str]]:
    """The idea's answers as (question, answer) pairs in the round's order, worded in
    ``language`` (the active one by default), for ``audience`` (``permissions.AUDIENCES``):
    only what ``permissions.answer_shown_to`` lets it read; a file question's answer (its
    files' names) only for the team and coordinators. A question left unanswered is
    left out; a retired one is kept where it was answered. ``questions`` (from
    ``round_questions(..., retired=True)``) saves the query when many ideas of one round
    are read."""
    if questions is None:
        questions = round_questions(idea.competition, language=language, retired=True)
    blind = audience == "juror" and idea.competition.canonical().blind_judging
    answers = idea.answers or {}
    if audience in ("team", "coordinator") and any(
        question.kind == QuestionKind.FILE for question in questions
    ):
        # A file answer by its files' names: a name may identify the team, so only the team
        # and coordinators read it; a juror receives the files themselves, under neutral names.
        answers = answers | file_answers(idea)
    return [
        (question.label, answer_text(question, answers[question.key]))
        for question in questions
        if question.key in answers and permissions.answer_shown_to(audience, question, blind=blind)
    ]


def public_answer_values(idea: Idea) -> dict:
    """The idea's answers to the questions of its round marked public, as stored: what an
    innovation page drafted from it keeps."""
    keys = {
        question.key
        for question in round_questions(idea.competition, retired=True)
        if permissions.answer_shown_to("public", question, blind=False)
    }
    return {key: value for key, value in (idea.answers or {}).items() if key in keys}


def public_answers(values: Mapping, *, language: str) -> list[dict]:
    """``values`` kept on an innovation page as (question, answer) rows, worded in
    ``language`` (else the round's own language), in the round's order, each only while its
    question is marked public."""
    rows = {}
    for row in (
        RoundQuestion.objects.filter(translation_key__in=list(values), public=True)
        .select_related("locale")
        .order_by("sort_order", "pk")
    ):
        if row.key not in rows or row.locale.language_code == language:
            rows[row.key] = row
    shown = []
    for key, row in rows.items():
        question = _question(row, row)
        answer = answer_text(question, values[key])
        if answer:
            shown.append({"question": question.label, "answer": answer})
    return shown


@dataclass(frozen=True)
class FieldSetting:
    """One of the idea's built-in fields as a round shows it."""

    label: str
    help_text: str
    hidden: bool


def idea_field_settings(competition, *, language: str | None = None) -> dict[str, FieldSetting]:
    """The built-in fields the round renames, explains or hides, by field name: the words in
    ``language`` (the active one by default) where the round's page in it has them, which
    fields are hidden as the round's own page says."""
    own = competition.canonical()
    if not own.idea_fields:
        return {}
    hidden = {block.value["field"] for block in own.idea_fields if block.value.get("hidden")}
    worded = own
    language = language or translation.get_language()
    if own.locale.language_code != language:
        worded = (
            CompetitionPage.objects.filter(
                translation_key=own.translation_key, locale__language_code=language
            ).first()
            or own
        )
    words = {block.value["field"]: block.value for block in worded.idea_fields}
    return {
        name: FieldSetting(
            label=words.get(name, {}).get("label") or "",
            help_text=words.get(name, {}).get("help_text") or "",
            hidden=name in hidden,
        )
        for name in hidden | set(words)
    }


def idea_text_as_read(
    idea: Idea, *, language: str | None = None, settings: dict | None = None
) -> list[tuple[str, str]]:
    """The idea's built-in fields as its round shows them: hidden ones left out, each named
    in the round's words where it renames it. ``settings`` (``idea_field_settings`` of the
    round) saves the queries when many ideas of one round are read."""
    if settings is None:
        settings = idea_field_settings(idea.competition, language=language)
    rows = []
    for name, label in field_labels().items():
        setting = settings.get(name)
        if setting is not None and setting.hidden:
            continue
        rows.append(((setting.label if setting else "") or label, getattr(idea, name)))
    return rows
