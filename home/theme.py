"""The organisation's colours: checked for contrast when they are set, so that a theme can never
make a page unreadable (WCAG 2.1 AA asks 4.5:1 for text)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
AA_CONTRAST = 4.5
WHITE, BLACK = "#ffffff", "#000000"


def luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of a ``#rrggbb`` colour."""
    channels = []
    for start in (1, 3, 5):
        value = int(colour[start : start + 2], 16) / 255
        channels.append(value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4)
    red, green, blue = channels
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _checked(value: str, against: str, message) -> None:
    if not HEX_COLOUR.match(value or ""):
        raise ValidationError(
            _("Write the colour as # and six hexadecimal digits, such as #0000bf."),
            code="colour_format",
        )
    ratio = contrast(value, against)
    if ratio < AA_CONTRAST:
        raise ValidationError(message, code="colour_contrast", params={"ratio": f"{ratio:.1f}"})


def colour_on_white(value: str) -> None:
    """A colour for buttons (white text on it) and links (it on white)."""
    _checked(
        value,
        WHITE,
        _("Too light: its contrast with white is %(ratio)s:1, and at least 4.5:1 is needed."),
    )


def colour_under_black(value: str) -> None:
    """A background colour for black text."""
    _checked(
        value,
        BLACK,
        _("Too dark: its contrast with black text is %(ratio)s:1, and at least 4.5:1 is needed."),
    )
