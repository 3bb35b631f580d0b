"""The round's own questions, which each idea of the round answers beside its fixed fields.

The answers live on the idea (``Idea.answers``), keyed by the question's ``translation_key``,
which is the same in every language of the round; ``ideas.questions`` reads and checks them.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.models import Orderable, TranslatableMixin
from wagtail_localize.fields import SynchronizedField, TranslatableField


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    SINGLE_CHOICE = "single_choice", _("One choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Several choices")
    YES_NO = "yes_no", _("Yes or no")
    DATE = "date", _("Date")
    # Answered with the attachments tied to the question (``Attachment.question_key``).
    FILE = "file", _("File")


CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE)


class RoundQuestion(TranslatableMixin, Orderable):
    """One question of a round, edited on the round's page and translated with it.

    Its kind, limits and who sees the answer are the same in every language; its wording,
    help text, unit and choices are translated. A question an idea has answered is never
    removed nor changes kind (``ideas.question_forms``): it is retired instead.
    """

    competition = ParentalKey(
        "ideas.CompetitionPage", on_delete=models.CASCADE, related_name="questions"
    )
    kind = models.CharField(
        verbose_name=_("type"),
        max_length=16,
        choices=QuestionKind.choices,
        default=QuestionKind.SHORT_TEXT,
    )
    label = models.CharField(verbose_name=_("question"), max_length=255)
    help_text = models.TextField(verbose_name=_("help text"), blank=True)
    required = models.BooleanField(verbose_name=_("required to submit"), default=False)
    word_limit = models.PositiveIntegerField(
        verbose_name=_("word limit"),
        null=True,
        blank=True,
        help_text=_("Long text only. Empty: no limit."),
    )
    min_value = models.DecimalField(
        verbose_name=_("smallest number"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    max_value = models.DecimalField(
        verbose_name=_("largest number"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    unit = models.CharField(
        verbose_name=_("unit"),
        max_length=40,
        blank=True,
        help_text=_("Number only, for example: euros, clients a year."),
    )
    choices = models.TextField(
        verbose_name=_("choices"),
        blank=True,
        help_text=_(
            "One choice a line, for choice questions. Translations keep the same order: an "
            "answer is stored as the choice's place in the list."
        ),
    )
    visible_to_jurors = models.BooleanField(verbose_name=_("jurors see the answer"), default=True)
    identifying = models.BooleanField(
        verbose_name=_("the answer may identify the team"),
        default=False,
        help_text=_("Hidden from jurors in a blind round."),
    )
    public = models.BooleanField(
        verbose_name=_("public on a winning innovation's page"),
        default=False,
        help_text=_("Shown on the innovation page and in the open-data API."),
    )
    retired = models.BooleanField(
        verbose_name=_("retired"),
        default=False,
        help_text=_("No longer asked; answers already given are kept and shown."),
    )

    translatable_fields = [
        TranslatableField("label"),
        TranslatableField("help_text"),
        TranslatableField("unit"),
        TranslatableField("choices"),
        *(
            SynchronizedField(name, overridable=False)
            for name in (
                "kind",
                "required",
                "word_limit",
                "min_value",
                "max_value",
                "visible_to_jurors",
                "identifying",
                "public",
                "retired",
            )
        ),
    ]

    panels = [
        FieldRowPanel([FieldPanel("label"), FieldPanel("kind")]),
        FieldPanel("help_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("required"), FieldPanel("word_limit")]),
                FieldRowPanel(
                    [FieldPanel("min_value"), FieldPanel("max_value"), FieldPanel("unit")]
                ),
                FieldPanel("choices"),
            ],
            heading=_("Answer"),
        ),
        FieldRowPanel(
            [
                FieldPanel("visible_to_jurors"),
                FieldPanel("identifying"),
                FieldPanel("public"),
                FieldPanel("retired"),
            ]
        ),
    ]
    # Read by the round editor's inline panel: a question with answers is kept.
    formset_class = "ideas.question_forms.RoundQuestionFormSet"

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.label

    @property
    def key(self) -> str:
        """The answers' key: the same for the question in every language."""
        return str(self.translation_key)

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]

    def clean(self):
        super().clean()
        errors = {}
        if self.kind in CHOICE_KINDS and len(self.choice_list()) < 2:
            errors["choices"] = ValidationError(
                _("Give at least two choices, one a line."), code="too_few_choices"
            )
        if self.kind == QuestionKind.FILE and self.public:
            # A file answer lives in the private store: no innovation page or API hands it out.
            errors["public"] = ValidationError(
                _("A file answer cannot be public; describe it in a text question instead."),
                code="public_file",
            )
        if (
            self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            errors["max_value"] = ValidationError(
                _("The largest number must not be smaller than the smallest."),
                code="range_order",
            )
        if errors:
            raise ValidationError(errors)
