from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.models import Orderable, TranslatableMixin


class Criterion(TranslatableMixin, Orderable):
    """One thing the jury scores a round's ideas on, edited on the round's page.

    Translatable, so that a round's Finnish and Swedish pages show the criteria in
    their own language; the scale and weight are the same in every translation.
    """

    competition = ParentalKey(
        "ideas.CompetitionPage", on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(verbose_name=_("name"), max_length=120)
    description = models.TextField(verbose_name=_("description"), blank=True)
    lowest_means = models.CharField(
        verbose_name=_("what the lowest score means"), max_length=255, blank=True
    )
    highest_means = models.CharField(
        verbose_name=_("what the highest score means"), max_length=255, blank=True
    )
    weight = models.DecimalField(
        verbose_name=_("weight"), max_digits=5, decimal_places=2, default=Decimal("1")
    )
    scale_min = models.SmallIntegerField(verbose_name=_("lowest score"), default=1)
    scale_max = models.SmallIntegerField(verbose_name=_("highest score"), default=5)

    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("lowest_means"), FieldPanel("highest_means")]),
        FieldRowPanel([FieldPanel("weight"), FieldPanel("scale_min"), FieldPanel("scale_max")]),
    ]

    class Meta(TranslatableMixin.Meta, Orderable.Meta):
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.weight is not None and self.weight <= 0:
            errors["weight"] = ValidationError(
                _("The weight must be greater than zero."), code="weight_not_positive"
            )
        if (
            self.scale_min is not None
            and self.scale_max is not None
            and self.scale_min >= self.scale_max
        ):
            errors["scale_max"] = ValidationError(
                _("The highest score must be greater than the lowest score."),
                code="scale_order",
            )
        if errors:
            raise ValidationError(errors)
