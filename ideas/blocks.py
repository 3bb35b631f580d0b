"""StreamField blocks of the innovation pages, and of a round's settings for its ideas' fields."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class OutcomeUpdateBlock(blocks.StructBlock):
    """A dated account of what the pilot has achieved since the last one."""

    date = blocks.DateBlock(label=_("Date"))
    heading = blocks.CharBlock(label=_("Heading"), max_length=200)
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "italic", "link", "ul", "ol"])

    class Meta:
        icon = "date"
        label = _("Outcome update")
        template = "ideas/blocks/outcome_update_block.html"
        preview_value = {
            "date": "2026-03-01",
            "heading": "Ten improvements made in the pilot",
            "text": "<p>Bookable call times replaced the call-in hour.</p>",
        }


class OutcomeUpdatesBlock(blocks.StreamBlock):
    update = OutcomeUpdateBlock()


def idea_field_choices() -> list[tuple[str, str]]:
    from .models.ideas import field_labels  # the idea's model reads no blocks

    return [(name, label) for name, label in field_labels().items() if name != "title"]


class IdeaFieldBlock(blocks.StructBlock):
    """One of the idea's built-in fields as this round shows it: named and explained in the
    round's own words (translated with the round's page), or hidden from its teams."""

    field = blocks.ChoiceBlock(label=_("Field"), choices=idea_field_choices)
    label = blocks.CharBlock(
        label=_("Name in this round"),
        required=False,
        max_length=200,
        help_text=_("Empty: the usual name."),
    )
    help_text = blocks.CharBlock(label=_("Help text"), required=False, max_length=500)
    hidden = blocks.BooleanBlock(
        label=_("Hidden in this round"),
        required=False,
        help_text=_("Teams do not see the field, and it cannot be required."),
    )

    class Meta:
        icon = "form"
        label = _("Idea field")
