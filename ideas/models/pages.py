import copy
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, IsNull
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page, PageManager
from wagtail.query import PageQuerySet
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from home.blocks import BodyBlock
from home.memo import ViewRestrictionsReadOnce, public
from home.panels import ChildInlinePanel
from ideas.blocks import IdeaFieldBlock
from ideas.phases import Phase, Stage

from .ideas import DEFAULT_REQUIRED_FIELDS, field_labels

logger = logging.getLogger(__name__)

# Other apps register functions under this hook to give a new round its starting rows
# (judging adds the default criteria), so that ideas never imports them.
NEW_ROUND_HOOK = "prepare_new_competition"


@dataclass(frozen=True)
class Milestone:
    label: Promise
    at: datetime


class CompetitionIndexPage(ViewRestrictionsReadOnce, Page):
    """All rounds of the competition, newest first."""

    intro = RichTextField(verbose_name=_("intro"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["ideas.CompetitionPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("competition index page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["rounds"] = (
            public(CompetitionPage.objects.child_of(self).live())
            .with_round_fields(round_opens_at="opens_at")
            .order_by("-round_opens_at", "-pk")
            .with_rounds()
        )
        return context


# What belongs to the round itself rather than to one language's page: set on the round's page
# in the default language and read from it by every translation, so that a translation can
# never show other dates, another phase or other judging rules than its round.
ROUND_DATE_FIELDS = ("opens_at", "closes_at", "judging_closes_at", "results_at")
# Optional: a round with it judges in two stages (see ``CompetitionPage.stage_at``).
SCREENING_DATE_FIELD = "screening_closes_at"
ROUND_FIELDS = (
    *ROUND_DATE_FIELDS,
    SCREENING_DATE_FIELD,
    "final_ranking_includes_screening",
    "results_published_at",
    "blind_judging",
    "reviews_per_idea",
    "jurors_see_other_scores",
    "winners_allowed",
    "juror_reminder_days",
    "required_idea_fields",
)


def default_language() -> str:
    """The language of the rounds' own pages, of which the others are translations."""
    return get_supported_content_language_variant(settings.LANGUAGE_CODE)


def round_fields(fields: dict[str, str]) -> dict:
    """Expressions reading ``fields`` of each page's round (its page in the default language,
    or the page itself when the round has none), by the names given."""
    canonical = CompetitionPage.objects.filter(
        translation_key=OuterRef("translation_key"), locale__language_code=default_language()
    )
    return {
        name: Coalesce(Subquery(canonical.values(field)[:1]), F(field))
        for name, field in fields.items()
    }


class CompetitionPageQuerySet(PageQuerySet):
    def with_round_fields(self, **fields: str) -> "CompetitionPageQuerySet":
        """Annotate each page with fields of its round, read from the round's own page:
        ``with_round_fields(round_closes_at="closes_at")``."""
        return self.annotate(**round_fields(fields))

    def in_phase(self, *phases: Phase, at: datetime) -> "CompetitionPageQuerySet":
        """The rounds (pages in any language) whose round is in one of ``phases`` at ``at``:
        the rule of ``CompetitionPage.phase_at``, in SQL, on the round's own dates."""
        prefix = f"phase{len(self.query.annotations)}_"
        own = self.alias(
            **round_fields(
                {prefix + name: name for name in (*ROUND_DATE_FIELDS, "results_published_at")}
            )
        )
        phase = Case(
            When(GreaterThan(F(prefix + "opens_at"), at), then=Value(Phase.UPCOMING.value)),
            When(GreaterThan(F(prefix + "closes_at"), at), then=Value(Phase.OPEN.value)),
            When(
                GreaterThan(F(prefix + "judging_closes_at"), at),
                then=Value(Phase.JUDGING.value),
            ),
            When(
                IsNull(F(prefix + "results_published_at"), True),
                then=Value(Phase.DELIBERATION.value),
            ),
            When(
                GreaterThan(F(prefix + "results_published_at"), at),
                then=Value(Phase.DELIBERATION.value),
            ),
            default=Value(Phase.RESULTS.value),
            output_field=models.CharField(),
        )
        return own.alias(**{prefix + "phase": phase}).filter(
            **{prefix + "phase__in": [str(p) for p in phases]}
        )

    def with_rounds(self) -> list["CompetitionPage"]:
        """The pages, each knowing its round, in two queries however many there are."""
        pages = list(self.select_related("locale"))
        keys = {page.translation_key for page in pages if not page.is_canonical_language}
        originals = {
            page.translation_key: page
            for page in CompetitionPage.objects.filter(
                translation_key__in=keys, locale__language_code=default_language()
            )
        }
        for page in pages:
            page.__dict__["_round"] = originals.get(page.translation_key, page)
        return pages


def default_required_fields() -> list[str]:
    return list(DEFAULT_REQUIRED_FIELDS)


def idea_field_choices() -> list[tuple[str, str]]:
    return list(field_labels().items())


class CompetitionPageForm(WagtailAdminPageForm):
    """The editor's form for a round: a new round starts with what other apps give it.

    It lives beside the model because Wagtail reads it from the page class.
    """

    required_idea_fields = forms.MultipleChoiceField(
        label=_("fields an idea must fill in to be submitted"),
        choices=idea_field_choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        if instance is not None and instance.pk is None:
            instance.fill_new_round_defaults()
        super().__init__(*args, **kwargs)
        if instance is not None and instance.pk and instance.canonical() is not instance:
            self.show_round_fields_read_only(instance.canonical())

    def clean(self):
        """The round's dates may not open again a screening that has closed while the jury
        judges. Asked here, of an edit, and not by the model: a revision published later (a
        scheduled one) goes live whatever the stage is by then."""
        cleaned_data = super().clean()
        page = self.instance
        fields = (*ROUND_DATE_FIELDS, SCREENING_DATE_FIELD)
        if page.pk and not any(name in self.errors for name in fields):
            dates = {name: cleaned_data.get(name) for name in fields if name in self.fields}
            if page.reopens_screening(timezone.now(), dates):
                self.add_error(
                    SCREENING_DATE_FIELD,
                    ValidationError(
                        _(
                            "The screening has closed and the final stage has begun: while the "
                            "jury judges, the screening's end can no longer be moved later or "
                            "removed."
                        ),
                        code="screening_closed",
                    ),
                )
        return cleaned_data

    def show_round_fields_read_only(self, own) -> None:
        """On a translation the round's dates and rules are its round's, shown and not edited:
        a disabled field keeps the round's value whatever is posted."""
        note = _("Set on the round's page in %(language)s; every language shows the same.") % {
            "language": own.locale.get_display_name()
        }
        for name in ROUND_FIELDS:
            field = self.fields.get(name)
            if field is not None:
                field.disabled = True
                field.help_text = note
                self.initial[name] = getattr(own, name)


class CompetitionPage(ViewRestrictionsReadOnce, RoutablePageMixin, Page):
    """One round of the competition: the call for ideas, its dates, its criteria and jury.

    The phase is derived from the dates and from when the results were published; nothing
    stores it.
    """

    intro = models.TextField(
        verbose_name=_("intro"),
        max_length=500,
        help_text=_("One or two sentences shown in lists of rounds."),
    )
    eligibility = RichTextField(
        verbose_name=_("who may take part"),
        blank=True,
        features=["bold", "italic", "link", "ul"],
    )
    body = StreamField(BodyBlock(), verbose_name=_("body"), blank=True)

    opens_at = models.DateTimeField(verbose_name=_("submissions open"))
    closes_at = models.DateTimeField(verbose_name=_("submission deadline"))
    judging_closes_at = models.DateTimeField(verbose_name=_("judging ends"))
    screening_closes_at = models.DateTimeField(
        verbose_name=_("screening ends"),
        null=True,
        blank=True,
        help_text=_(
            "For judging in two stages: the screening ends here, the coordinator then chooses "
            "a shortlist and the jury scores it until judging ends. Empty: one stage."
        ),
    )
    results_at = models.DateTimeField(
        verbose_name=_("results expected"),
        help_text=_("The date announced for the results; they go public when published."),
    )
    # Set by ideas.services.publish_results in the revision that publishes the results, so it
    # goes live with them (after a second coordinator's approval when the site asks for one).
    # Not in the editor's panels: editing the page never changes it.
    results_published_at = models.DateTimeField(
        verbose_name=_("results published at"), null=True, blank=True, editable=False
    )

    blind_judging = models.BooleanField(
        verbose_name=_("blind judging"),
        default=True,
        help_text=_("Jurors never see the team, its members or their service units."),
    )
    reviews_per_idea = models.PositiveSmallIntegerField(
        verbose_name=_("reviews per idea"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave empty for every juror to review every idea."),
    )

    jurors_see_other_scores = models.BooleanField(
        verbose_name=_("jurors see each other's scores"),
        default=False,
        help_text=_("A juror sees the others' scores of an idea after submitting their own."),
    )
    final_ranking_includes_screening = models.BooleanField(
        verbose_name=_("final ranking includes the screening reviews"),
        default=False,
        help_text=_(
            "In a round judged in two stages, the final ranking counts only the final "
            "stage's reviews unless this is ticked."
        ),
    )
    winners_allowed = models.PositiveSmallIntegerField(
        verbose_name=_("winners"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_("How many ideas the jury may name winners; the decision refuses more."),
    )
    juror_reminder_days = models.PositiveSmallIntegerField(
        verbose_name=_("remind jurors, days before judging ends"),
        null=True,
        blank=True,
        default=3,
        help_text=_(
            "Jurors with unfinished reviews get an e-mail this many days before judging "
            "ends, once for each deadline. Empty: no reminder."
        ),
    )

    required_idea_fields = models.JSONField(
        verbose_name=_("fields an idea must fill in to be submitted"),
        default=default_required_fields,
        blank=True,
    )
    # The built-in fields renamed, explained or hidden in this round; its words are translated
    # with the page, which field is hidden is the round's (``ideas.questions.idea_field_settings``).
    idea_fields = StreamField(
        [("field", IdeaFieldBlock())], verbose_name=_("the idea's fields in this round"), blank=True
    )

    objects = PageManager.from_queryset(CompetitionPageQuerySet)()
    # The round's own fields are never translated: a translation reads them from its round.
    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("slug"),
        SynchronizedField("show_in_menus"),
        TranslatableField("seo_title"),
        TranslatableField("search_description"),
        TranslatableField("intro"),
        TranslatableField("eligibility"),
        TranslatableField("body"),
        *(SynchronizedField(name, overridable=False) for name in ROUND_FIELDS),
        TranslatableField("criteria"),
        TranslatableField("questions"),
        TranslatableField("idea_fields"),
        SynchronizedField("jury_members", overridable=False),
    ]

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("eligibility"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("screening_closes_at"),
                FieldRowPanel([FieldPanel("judging_closes_at"), FieldPanel("results_at")]),
            ],
            heading=_("Dates (Helsinki time)"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("blind_judging"),
                FieldPanel("reviews_per_idea"),
                FieldPanel("jurors_see_other_scores"),
                FieldPanel("final_ranking_includes_screening"),
                FieldRowPanel([FieldPanel("winners_allowed"), FieldPanel("juror_reminder_days")]),
            ],
            heading=_("Judging"),
        ),
        MultiFieldPanel(
            [FieldPanel("required_idea_fields"), FieldPanel("idea_fields")],
            heading=_("Ideas"),
        ),
        ChildInlinePanel("questions", heading=_("Questions"), label=_("Question")),
        InlinePanel("criteria", heading=_("Criteria"), label=_("Criterion"), min_num=1),
        # "jury_members" is judging's relation, like "criteria"; its rows bring their checks.
        ChildInlinePanel("jury_members", heading=_("Jury"), label=_("Juror")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("opens_at"),
    ]
    base_form_class = CompetitionPageForm

    parent_page_types = ["ideas.CompetitionIndexPage"]
    subpage_types = ["ideas.InnovationPage"]

    # The round's criteria (judging's inline rows on it), changed only by publishing the
    # round: read and kept with the page when it is routed (``home.memo``).
    published_with_page = ("criteria",)

    class Meta:
        verbose_name = _("competition round")
        verbose_name_plural = _("competition rounds")

    def clean(self):
        super().clean()
        errors = {}
        hidden = {
            block.value["field"] for block in self.idea_fields or [] if block.value.get("hidden")
        }
        both = [name for name in self.required_idea_fields or [] if name in hidden]
        if both:
            labels = field_labels(both)
            errors["idea_fields"] = ValidationError(
                _("A hidden field cannot be required: %(fields)s.")
                % {"fields": ", ".join(str(labels[name]) for name in both)},
                code="hidden_required",
            )
        for earlier, later in zip(ROUND_DATE_FIELDS, ROUND_DATE_FIELDS[1:], strict=False):
            before, after = getattr(self, earlier), getattr(self, later)
            if before and after and after <= before:
                errors[later] = ValidationError(
                    _("Must be later than “%(earlier)s”."),
                    code="date_order",
                    params={"earlier": self._meta.get_field(earlier).verbose_name},
                )
        screening = self.screening_closes_at
        if screening and "judging_closes_at" not in errors:
            if self.closes_at and screening <= self.closes_at:
                errors[SCREENING_DATE_FIELD] = ValidationError(
                    _("Must be later than “%(earlier)s”."),
                    code="date_order",
                    params={"earlier": self._meta.get_field("closes_at").verbose_name},
                )
            elif self.judging_closes_at and screening >= self.judging_closes_at:
                errors[SCREENING_DATE_FIELD] = ValidationError(
                    _("Must be earlier than “%(later)s”."),
                    code="date_order",
                    params={"later": self._meta.get_field("judging_closes_at").verbose_name},
                )
        if errors:
            raise ValidationError(errors)

    def reopens_screening(self, when: datetime, dates: dict[str, datetime | None]) -> bool:
        """Whether the round's dates edited to ``dates`` (by field name) would open again, at
        ``when``, a screening that has closed while the round judges: the final stage has
        begun, its shortlist may be chosen and its jurors scoring, and every one of them would
        be sent back a stage. Asked of the round as it is live, not of a draft."""
        live = CompetitionPage.objects.filter(pk=self.pk).first() if self.pk else None
        if live is None or live.canonical() is not live:
            return False
        if any(dates.get(name, True) is None for name in ROUND_DATE_FIELDS):
            return False  # a required date left empty is refused on its own field
        edited = copy.copy(live)
        for name, value in dates.items():
            setattr(edited, name, value)
        edited.__dict__["_round"] = edited
        return (
            live.phase_at(when) == Phase.JUDGING
            and live.stage_at(when) == Stage.FINAL
            and edited.phase_at(when) == Phase.JUDGING
            and edited.stage_at(when) == Stage.SCREENING
        )

    def fill_new_round_defaults(self) -> None:
        """Give an unsaved round its starting rows from every function under NEW_ROUND_HOOK."""
        for fill in hooks.get_hooks(NEW_ROUND_HOOK):
            fill(self)

    @property
    def is_canonical_language(self) -> bool:
        return self.locale.language_code == default_language()

    def canonical(self) -> "CompetitionPage":
        """The round itself: its page in the default language, of which the others are
        translations. Its dates, judging settings, ideas, criteria used in judging and jury
        belong to it; a round with no page in the default language is its own round."""
        found = self.__dict__.get("_round")
        if found is None:
            found = self
            if self.pk and not self.is_canonical_language:
                original = CompetitionPage.objects.filter(
                    translation_key=self.translation_key,
                    locale__language_code=default_language(),
                ).first()
                found = original or self
            self.__dict__["_round"] = found
        return found

    @property
    def reader_title(self) -> str:
        """The round's title in the reader's (the active) language where its page in that
        language is live, else this page's own title."""
        language = translation.get_language()
        titles = self.__dict__.setdefault("_titles", {})
        if language not in titles:
            titles[language] = self.title
            if self.locale.language_code != language:
                titles[language] = (
                    CompetitionPage.objects.live()
                    .filter(translation_key=self.translation_key, locale__language_code=language)
                    .values_list("title", flat=True)
                    .first()
                ) or self.title
        return titles[language]

    @staticmethod
    def read_titles(pages: Iterable["CompetitionPage"]) -> None:
        """Read ``reader_title`` of many rounds in one query, for a list of them."""
        language = translation.get_language()
        pages = [page for page in pages if language not in page.__dict__.get("_titles", {})]
        found = dict(
            CompetitionPage.objects.live()
            .filter(
                translation_key__in={page.translation_key for page in pages},
                locale__language_code=language,
            )
            .values_list("translation_key", "title")
        )
        for page in pages:
            page.__dict__.setdefault("_titles", {})[language] = found.get(
                page.translation_key, page.title
            )

    @property
    def round(self) -> "CompetitionPage":
        """``canonical()`` for templates: ``page.round.closes_at`` is the round's deadline in
        every language."""
        return self.canonical()

    def phase_at(self, when: datetime) -> Phase:
        """The one rule of a round's phase; ``CompetitionPageQuerySet.in_phase`` is the same
        rule in SQL. Every language's page answers with its round's dates."""
        own = self.canonical()
        if when < own.opens_at:
            return Phase.UPCOMING
        if when < own.closes_at:
            return Phase.OPEN
        if when < own.judging_closes_at:
            return Phase.JUDGING
        if own.results_published_at is None or when < own.results_published_at:
            return Phase.DELIBERATION
        return Phase.RESULTS

    @property
    def phase(self) -> Phase:
        return self.phase_at(timezone.now())

    @property
    def two_stage(self) -> bool:
        return self.canonical().screening_closes_at is not None

    def stage_at(self, when: datetime) -> Stage:
        """Which stage's reviews the round is on: ``FINAL`` from the end of the screening on
        in a round judged in two stages, else ``SCREENING`` (a one-stage round's only one).
        Whether jurors score at all is the phase's to say (``JUDGING``)."""
        own = self.canonical()
        if own.screening_closes_at is not None and when >= own.screening_closes_at:
            return Stage.FINAL
        return Stage.SCREENING

    @property
    def stage(self) -> Stage:
        return self.stage_at(timezone.now())

    def stage_closes_at(self, stage: Stage) -> datetime:
        """When ``stage``'s reviews are due: the end of the screening for a two-stage round's
        screening, else the end of judging."""
        own = self.canonical()
        if stage == Stage.SCREENING and own.screening_closes_at is not None:
            return own.screening_closes_at
        return own.judging_closes_at

    def phase_label_at(self, when: datetime) -> str:
        """The phase's name, with the stage while a round judged in two stages judges."""
        phase = self.phase_at(when)
        if phase == Phase.JUDGING and self.two_stage:
            return self.stage_at(when).label
        return phase.label

    @property
    def phase_label(self) -> str:
        return self.phase_label_at(timezone.now())

    def next_milestone_at(self, when: datetime) -> Milestone | None:
        """The next date a visitor waits for, or None once results are out."""
        own = self.canonical()
        upcoming = {
            Phase.UPCOMING: Milestone(_("Submissions open"), own.opens_at),
            Phase.OPEN: Milestone(_("Submission deadline"), own.closes_at),
            Phase.JUDGING: Milestone(_("Judging ends"), own.judging_closes_at),
            Phase.DELIBERATION: Milestone(_("Results expected"), own.results_at),
        }
        phase = self.phase_at(when)
        if phase == Phase.JUDGING and self.two_stage and self.stage_at(when) == Stage.SCREENING:
            return Milestone(_("Screening ends"), own.screening_closes_at)
        return upcoming.get(phase)

    @property
    def next_milestone(self) -> Milestone | None:
        return self.next_milestone_at(timezone.now())

    @path("submit/")
    def submit(self, request):
        """The call's "Submit an idea" address: on to choosing a team while the round is open."""
        if self.phase != Phase.OPEN:
            return self.render(request, context_overrides={"submit_closed": True})
        return redirect("ideas:start", competition_id=self.canonical().pk)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # "criteria" is the relation judging adds; ideas does not import judging.
        context["criteria"] = self.criteria.all()
        if self.phase == Phase.RESULTS:
            context["awards"] = self.published_awards()
        return context

    def published_awards(self) -> list[dict]:
        """The awarded ideas, winners first, each with the jury's rationale: the live
        innovation page in this language where there is one, else the decision as recorded.
        Only for a round whose results are out; ideas without an award never appear."""
        from .innovations import Award, InnovationPage

        pages = {
            page.idea_id: page
            for page in public(InnovationPage.objects.child_of(self).live())
            if page.idea_id
        }
        # "award" is the decision judging records on each idea.
        ideas = self.canonical().ideas.filter(status="awarded").select_related("award")
        order = {level: index for index, level in enumerate(Award.values)}
        rows = []
        for idea in ideas:
            decision = getattr(idea, "award", None)
            if decision is None:
                # Never written by the decision service, which sets both together; a row
                # that disagrees with itself is left out and told, not allowed to break the page.
                logger.error("Idea %s is awarded but has no award row; left off %s", idea.pk, self)
                continue
            level = decision.level
            page = pages.get(idea.pk)
            rows.append(
                {
                    "title": page.title if page else idea.title,
                    "award": Award(level).label if level in order else "",
                    "level": level,
                    "rationale": page.jury_rationale if page else "",
                    "plain_rationale": "" if page else decision.rationale,
                    "page": page,
                }
            )
        return sorted(rows, key=lambda row: (order.get(row["level"], 99), row["title"]))
