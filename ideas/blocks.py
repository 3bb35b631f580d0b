"""StreamField blocks of the innovation pages."""

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
