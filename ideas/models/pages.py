from dataclasses import dataclass
from datetime import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.shortcuts import redirect
from django.utils import timezone
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

from home.blocks import BodyBlock
from home.memo import ViewRestrictionsReadOnce, public

from .ideas import DEFAULT_REQUIRED_FIELDS, field_labels

# Other apps register functions under this hook to give a new round its starting rows
# (judging adds the default criteria), so that ideas never imports them.
NEW_ROUND_HOOK = "prepare_new_competition"


class Phase(models.TextChoices):
    UPCOMING = "upcoming", _("Upcoming")
    OPEN = "open", _("Open for ideas")
    JUDGING = "judging", _("Judging")
    DELIBERATION = "deliberation", _("Jury deliberating")
    RESULTS = "results", _("Results published")


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
        context["rounds"] = public(CompetitionPage.objects.child_of(self).live()).order_by(
            "-opens_at", "-pk"
        )
        return context


class CompetitionPageQuerySet(PageQuerySet):
    def open_at(self, when: datetime) -> "CompetitionPageQuerySet":
        return self.filter(opens_at__lte=when, closes_at__gt=when)


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
    results_at = models.DateTimeField(
        verbose_name=_("results published"),
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

    required_idea_fields = models.JSONField(
        verbose_name=_("fields an idea must fill in to be submitted"),
        default=default_required_fields,
        blank=True,
    )

    objects = PageManager.from_queryset(CompetitionPageQuerySet)()

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("eligibility"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldRowPanel([FieldPanel("judging_closes_at"), FieldPanel("results_at")]),
            ],
            heading=_("Dates (Helsinki time)"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("blind_judging"),
                FieldPanel("reviews_per_idea"),
                FieldPanel("jurors_see_other_scores"),
            ],
            heading=_("Judging"),
        ),
        MultiFieldPanel(
            [FieldPanel("required_idea_fields")],
            heading=_("Ideas"),
        ),
        InlinePanel("criteria", heading=_("Criteria"), label=_("Criterion"), min_num=1),
        # "jury_members" is judging's relation, like "criteria".
        InlinePanel("jury_members", heading=_("Jury"), label=_("Juror")),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("opens_at"),
    ]
    base_form_class = CompetitionPageForm

    parent_page_types = ["ideas.CompetitionIndexPage"]
    subpage_types = ["ideas.InnovationPage"]

    class Meta:
        verbose_name = _("competition round")
        verbose_name_plural = _("competition rounds")

    DATE_FIELDS = ("opens_at", "closes_at", "judging_closes_at", "results_at")

    def clean(self):
        super().clean()
        errors = {}
        for earlier, later in zip(self.DATE_FIELDS, self.DATE_FIELDS[1:], strict=False):
            before, after = getattr(self, earlier), getattr(self, later)
            if before and after and after <= before:
                errors[later] = ValidationError(
                    _("Must be later than “%(earlier)s”."),
                    code="date_order",
                    params={"earlier": self._meta.get_field(earlier).verbose_name},
                )
        if errors:
            raise ValidationError(errors)

    def fill_new_round_defaults(self) -> None:
        """Give an unsaved round its starting rows from every function under NEW_ROUND_HOOK."""
        for fill in hooks.get_hooks(NEW_ROUND_HOOK):
            fill(self)

    def phase_at(self, when: datetime) -> Phase:
        if when < self.opens_at:
            return Phase.UPCOMING
        if when < self.closes_at:
            return Phase.OPEN
        if when < self.judging_closes_at:
            return Phase.JUDGING
        if self.results_published_at is None or when < self.results_published_at:
            return Phase.DELIBERATION
        return Phase.RESULTS

    @property
    def phase(self) -> Phase:
        return self.phase_at(timezone.now())

    def next_milestone_at(self, when: datetime) -> Milestone | None:
        """The next date a visitor waits for, or None once results are out."""
        upcoming = {
            Phase.UPCOMING: Milestone(_("Submissions open"), self.opens_at),
            Phase.OPEN: Milestone(_("Submission deadline"), self.closes_at),
            Phase.JUDGING: Milestone(_("Judging ends"), self.judging_closes_at),
            Phase.DELIBERATION: Milestone(_("Results expected"), self.results_at),
        }
        return upcoming.get(self.phase_at(when))

    @property
    def next_milestone(self) -> Milestone | None:
        return self.next_milestone_at(timezone.now())

    def canonical(self) -> "CompetitionPage":
        """The round itself: its page in the default language, of which the others are
        translations. Ideas, criteria used in judging and the jury belong to it."""
        default = get_supported_content_language_variant(settings.LANGUAGE_CODE)
        original = CompetitionPage.objects.filter(
            translation_key=self.translation_key, locale__language_code=default
        ).first()
        return self if original is None or original.pk == self.pk else original

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
            level = idea.award.level
            page = pages.get(idea.pk)
            rows.append(
                {
                    "title": page.title if page else idea.title,
                    "award": Award(level).label if level in order else "",
                    "level": level,
                    "rationale": page.jury_rationale if page else "",
                    "plain_rationale": "" if page else idea.award.rationale,
                    "page": page,
                }
            )
        return sorted(rows, key=lambda row: (order.get(row["level"], 99), row["title"]))
