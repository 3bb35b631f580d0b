"""Winning innovations and their pilot outcomes: what the public reads after the results."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.api import APIField
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageManager, TranslatableMixin
from wagtail.query import PageQuerySet
from wagtail.search import index

from home.memo import ViewRestrictionsReadOnce, shared
from home.navigation import page_chrome
from ideas import permissions
from ideas.blocks import OutcomeUpdatesBlock
from ideas.charts import metric_chart

from .pages import CompetitionPage


class Award(models.TextChoices):
    WINNER = "winner", _("Winner")
    RUNNER_UP = "runner_up", _("Runner-up")
    HONOURABLE_MENTION = "honourable_mention", _("Honourable mention")


class PilotStatus(models.TextChoices):
    PLANNED = "planned", _("Pilot planned")
    PILOTING = "piloting", _("Piloting")
    PERMANENT = "permanent", _("Adopted as a permanent service")
    SCALED = "scaled", _("Scaled to other units")
    ENDED = "ended", _("Ended")


class ClientGroup(models.TextChoices):
    FAMILIES = "families", _("Families with children")
    YOUNG_PEOPLE = "young_people", _("Children and young people")
    ADULTS = "adults", _("Working-age adults")
    OLDER_PEOPLE = "older_people", _("Older people")
    DISABILITY = "disability", _("People with disabilities")
    IMMIGRANTS = "immigrants", _("Immigrants")
    EVERYONE = "everyone", _("All residents")


class InnovationIndexPage(ViewRestrictionsReadOnce, Page):
    """The showcase: every published innovation of every round, with filters and search.

    The list itself is built by ``ideas.showcase``; this page holds its intro.
    """

    intro = RichTextField(verbose_name=_("intro"), blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types: list[str] = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("innovation showcase")

    def get_context(self, request, *args, **kwargs):
        from ideas.showcase import showcase  # the showcase reads these models

        context = super().get_context(request, *args, **kwargs)
        context["showcase"] = showcase(request)
        return context


def results_day(competition) -> date:
    """The day a round's results came out (or are due), in the site's time zone."""
    own = competition.canonical()
    moment = own.results_published_at or own.results_at
    return timezone.localdate(moment)


class InnovationPageForm(WagtailAdminPageForm):
    """Refuses a pilot timeline out of date order and an adoption dated before the results.

    The messages go on the offending row's date field, where the editor typed it.
    """

    def clean(self):
        cleaned = super().clean()
        competition = self._round()
        if competition is not None and not permissions.results_published(competition):
            raise ValidationError(
                _("The round's results are not published yet; its innovations wait for them.")
            )
        previous = None
        for form in self._kept_forms("status_changes"):
            when = form.cleaned_data.get("date")
            if when is None:
                continue
            if previous is not None and when < previous:
                form.add_error(
                    "date",
                    _("A status cannot start before the one above it (%(date)s).")
                    % {"date": formats.date_format(previous, "DATE_FORMAT")},
                )
            else:
                previous = when
        if competition is not None:
            first_day = results_day(competition)
            for form in self._kept_forms("adoptions"):
                when = form.cleaned_data.get("adopted_on")
                if when is not None and when < first_day:
                    form.add_error(
                        "adopted_on",
                        _("The model was taken up after the results (%(date)s), not before.")
                        % {"date": formats.date_format(first_day, "DATE_FORMAT")},
                    )
        return cleaned

    def _kept_forms(self, relation: str) -> list:
        formset = self.formsets.get(relation)
        if formset is None:
            return []
        kept = []
        for form in formset.forms:
            if not form.is_valid() or form.cleaned_data.get("DELETE"):
                continue
            if form.instance.pk or form.has_changed():
                kept.append(form)
        return sorted(kept, key=lambda form: form.cleaned_data.get("ORDER") or 0)

    def _round(self):
        parent = self.parent_page or (self.instance.get_parent() if self.instance.pk else None)
        return CompetitionPage.objects.filter(pk=parent.pk).first() if parent else None


class InnovationPageQuerySet(PageQuerySet):
    def with_round(self, **fields: str) -> "InnovationPageQuerySet":
        """Annotate each innovation with fields of its round (its parent page), in the same
        query: ``with_round(round_title="title")``."""
        parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Page.steplen)
        return self.annotate(
            **{
                name: Subquery(CompetitionPage.objects.filter(path=parent_path).values(field)[:1])
                for name, field in fields.items()
            }
        )


class InnovationPage(ViewRestrictionsReadOnce, Page):
    """A winning innovation of a round: the model, why the jury chose it, and its pilot.

    Created as a draft from an awarded idea (``ideas.services.draft_innovation_page``), then
    edited and published by a coordinator once the round's results are out. ``pilot_status``
    follows the newest entry of the status timeline.
    """

    idea = models.ForeignKey(
        "ideas.Idea",
        verbose_name=_("idea"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="innovation_pages",
    )
    summary = models.TextField(verbose_name=_("summary"), max_length=300)
    problem = models.TextField(verbose_name=_("the problem"), blank=True)
    service_model = models.TextField(verbose_name=_("the service model"), blank=True)
    target_group = models.TextField(verbose_name=_("target group"), blank=True)
    client_group = models.CharField(
        verbose_name=_("client group"),
        max_length=32,
        choices=ClientGroup.choices,
        blank=True,
        help_text=_("The showcase filters by it."),
    )
    pathway_before = models.TextField(verbose_name=_("service pathway before"), blank=True)
    pathway_after = models.TextField(verbose_name=_("service pathway after"), blank=True)
    units = ParentalManyToManyField(
        "ideas.ServiceUnit", verbose_name=_("service units involved"), blank=True
    )
    professions = models.CharField(
        verbose_name=_("professions involved"), max_length=300, blank=True
    )

    award = models.CharField(verbose_name=_("award"), max_length=32, choices=Award.choices)
    jury_rationale = RichTextField(
        verbose_name=_("jury's rationale"), blank=True, features=["bold", "italic", "link", "ul"]
    )
    show_criterion_scores = models.BooleanField(
        verbose_name=_("show the jury's mean score per criterion"),
        default=False,
        help_text=_("Means over all reviews; no juror and no single review is ever shown."),
    )
    # [{"key": criterion translation key, "name": ..., "mean": ..., "scale_min": ..,
    # "scale_max": ..}], filled by judging when the page is created.
    criterion_means = models.JSONField(verbose_name=_("criterion means"), default=list, blank=True)
    # {question key: answer as stored on the idea}, only of the questions marked public, kept
    # by ``draft_innovation_page``: the page never reads the idea's other answers.
    answers = models.JSONField(
        verbose_name=_("public answers"), default=dict, blank=True, editable=False
    )

    objects = PageManager.from_queryset(InnovationPageQuerySet)()

    pilot_status = models.CharField(
        verbose_name=_("pilot status"),
        max_length=16,
        choices=PilotStatus.choices,
        blank=True,
        editable=False,
    )
    updates = StreamField(OutcomeUpdatesBlock(), verbose_name=_("outcome updates"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                FieldPanel("problem"),
                FieldPanel("service_model"),
                FieldPanel("target_group"),
                FieldPanel("client_group"),
                FieldRowPanel([FieldPanel("pathway_before"), FieldPanel("pathway_after")]),
                FieldPanel("units"),
                FieldPanel("professions"),
            ],
            heading=_("The service model"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("award"),
                FieldPanel("jury_rationale"),
                FieldPanel("show_criterion_scores"),
            ],
            heading=_("The jury's decision"),
        ),
        InlinePanel("status_changes", heading=_("Pilot status"), label=_("Status")),
        InlinePanel("metrics", heading=_("Metrics"), label=_("Metric")),
        InlinePanel("quotes", heading=_("Feedback"), label=_("Quote")),
        InlinePanel("adoptions", heading=_("Taken up elsewhere"), label=_("Adoption")),
        FieldPanel("updates"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("problem"),
        index.SearchField("service_model"),
        index.SearchField("target_group"),
        index.SearchField("jury_rationale"),
        index.SearchField("updates"),
        index.SearchField("public_answers_text"),
        index.FilterField("locale"),
    ]
    api_fields = [
        APIField("summary"),
        APIField("problem"),
        APIField("service_model"),
        APIField("target_group"),
        APIField("client_group"),
        APIField("pathway_before"),
        APIField("pathway_after"),
        APIField("professions"),
        APIField("award"),
        APIField("jury_rationale"),
        APIField("pilot_status"),
        APIField("status_changes"),
        APIField("metrics"),
        APIField("quotes"),
        APIField("adoptions"),
        APIField("updates"),
        APIField("public_answers"),
    ]

    parent_page_types = ["ideas.CompetitionPage"]
    subpage_types: list[str] = []

    base_form_class = InnovationPageForm
    # The page's inline rows and its units, changed only by publishing it (or, for a unit's
    # name, by saving the unit: ``ServiceUnit`` is ``shown_on_pages``): read and kept with the
    # page when it is routed (``home.memo``).
    published_with_page = ("status_changes", "metrics", "quotes", "adoptions", "units")

    class Meta:
        verbose_name = _("innovation page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        metrics = list(self.metrics.all())
        # The round (its title and address), read with the menu rather than on its own.
        competition = page_chrome(request, self).parent
        context.update(
            competition=competition,
            units=[unit.name for unit in self.units.all()],
            status_changes=sorted(self.status_changes.all(), key=lambda c: c.date),
            metrics=metrics,
            chart=metric_chart(metrics),
            quotes=list(self.quotes.all()),
            adoptions=sorted(self.adoptions.all(), key=lambda a: a.adopted_on),
            criterion_scores=self.criterion_scores(competition),
            public_answers=self.public_answers,
        )
        return context

    @property
    def public_answers(self) -> list[dict]:
        """The idea's answers to its round's questions marked public, worded in the page's
        language: from ``answers``, kept when the page was drafted, and only while each
        question is still marked public. A page without them reads nothing."""
        if not self.answers:
            return []
        from ideas.questions import public_answers  # the questions module reads these models

        return public_answers(self.answers, language=self.locale.language_code)

    def public_answers_text(self) -> str:
        """The public answers as one text, for the showcase's search."""
        return "\n".join(row["answer"] for row in self.public_answers)

    def save(self, *args, **kwargs):
        changes = sorted(self.status_changes.all(), key=lambda c: (c.date, c.sort_order or 0))
        self.pilot_status = changes[-1].status if changes else ""
        return super().save(*args, **kwargs)

    def criterion_scores(self, competition: Page | None) -> list[dict]:
        """The jury's means per criterion, named in the reader's language, if shown at all."""
        if not self.show_criterion_scores or not self.criterion_means or competition is None:
            return []
        # "criteria" is judging's relation on the round; its rows are translated with it.
        relation = CompetitionPage._meta.get_field("criteria")
        criteria = relation.related_model.objects.filter(**{relation.field.name: competition.pk})
        # Published with the round: read once per edition of the site (``home.memo``).
        rows = shared(
            f"criterion_names:{competition.pk}",
            lambda: list(criteria.values_list("translation_key", "name")),
        )
        names = {str(key): name for key, name in rows}
        return [
            {**row, "name": names.get(row.get("key"), row.get("name", ""))}
            for row in self.criterion_means
        ]


class PilotStatusChange(TranslatableMixin, Orderable):
    """One step of the pilot's timeline: from this date on, the pilot had this status."""

    page = ParentalKey(InnovationPage, on_delete=models.CASCADE, related_name="status_changes")
    status = models.CharField(verbose_name=_("status"), max_length=16, choices=PilotStatus.choices)
    date = models.DateField(verbose_name=_("from"))
    note = models.CharField(verbose_name=_("note"), max_length=255, blank=True)

    panels = [FieldRowPanel([FieldPanel("status"), FieldPanel("date")]), FieldPanel("note")]
    api_fields = [APIField("status"), APIField("date"), APIField("note")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("pilot status")
        verbose_name_plural = _("pilot statuses")


class Metric(TranslatableMixin, Orderable):
    """A measured outcome: where it was before the pilot and where the pilot took it."""

    page = ParentalKey(InnovationPage, on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(verbose_name=_("name"), max_length=200)
    unit = models.CharField(
        verbose_name=_("unit"), max_length=50, blank=True, help_text=_("For example: days, %")
    )
    baseline = models.DecimalField(
        verbose_name=_("baseline"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    result = models.DecimalField(
        verbose_name=_("result"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    period = models.CharField(verbose_name=_("period"), max_length=100, blank=True)
    source = models.CharField(verbose_name=_("source"), max_length=200, blank=True)
    note = models.CharField(verbose_name=_("note"), max_length=300, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("unit")]),
        FieldRowPanel([FieldPanel("baseline"), FieldPanel("result"), FieldPanel("period")]),
        FieldRowPanel([FieldPanel("source"), FieldPanel("note")]),
    ]
    api_fields = [
        APIField("name"),
        APIField("unit"),
        APIField("baseline"),
        APIField("result"),
        APIField("period"),
        APIField("source"),
        APIField("note"),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")


class QuoteSource(models.TextChoices):
    CLIENT = "client", _("Client")
    STAFF = "staff", _("Staff")


class Quote(TranslatableMixin, Orderable):
    """Feedback in someone's own words, never with their name: only the group they belong to."""

    page = ParentalKey(InnovationPage, on_delete=models.CASCADE, related_name="quotes")
    text = models.TextField(verbose_name=_("quote"), max_length=1000)
    source = models.CharField(verbose_name=_("from"), max_length=16, choices=QuoteSource.choices)
    group = models.CharField(
        verbose_name=_("group"),
        max_length=200,
        help_text=_("Who said it, without a name: for example, a parent of a baby."),
    )

    panels = [FieldPanel("text"), FieldRowPanel([FieldPanel("source"), FieldPanel("group")])]
    api_fields = [APIField("text"), APIField("source"), APIField("group")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")


class AdopterKind(models.TextChoices):
    UNIT = "unit", _("Service unit")
    CENTRE = "centre", _("Service centre")
    CITY = "city", _("City or municipality")


class Adoption(TranslatableMixin, Orderable):
    """Another unit, centre or city that took the model up."""

    page = ParentalKey(InnovationPage, on_delete=models.CASCADE, related_name="adoptions")
    adopter = models.CharField(verbose_name=_("who took it up"), max_length=200)
    kind = models.CharField(verbose_name=_("kind"), max_length=16, choices=AdopterKind.choices)
    adopted_on = models.DateField(verbose_name=_("when"))
    form = models.CharField(verbose_name=_("in what form"), max_length=300, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("adopter"), FieldPanel("kind"), FieldPanel("adopted_on")]),
        FieldPanel("form"),
    ]
    api_fields = [APIField("adopter"), APIField("kind"), APIField("adopted_on"), APIField("form")]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")


class OutcomeReminder(models.Model):
    """A reminder to add an outcome update, sent once per innovation and milestone."""

    innovation = models.ForeignKey(
        InnovationPage, on_delete=models.CASCADE, related_name="outcome_reminders"
    )
    months = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    # Written by the outbox when an e-mail of this reminder has been delivered.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["innovation", "months"], name="one_outcome_reminder_per_milestone"
            )
        ]

    def __str__(self) -> str:
        return f"{self.innovation_id}: {self.months} months"


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=candidate)
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has a 28th
