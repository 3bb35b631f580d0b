"""The Atom feed of newly published innovations and their outcome updates, per language."""

from datetime import datetime, time

from django.contrib.syndication.views import Feed
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from home.addresses import public_url
from home.memo import public

from .models import InnovationPage

LATEST = 30


class InnovationFeed(Feed):
    feed_type = Atom1Feed

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return None

    def title(self):
        return _("New innovations and pilot outcomes")

    def subtitle(self):
        return _("Winning innovations of the competition and what their pilots achieved.")

    def link(self):
        return public_url("/")

    def feed_url(self):
        return public_url(self.request.path)

    def items(self):
        pages = (
            public(InnovationPage.objects.live())
            .filter(locale__language_code=translation.get_language())
            .order_by("-last_published_at")[:LATEST]
        )
        entries = []
        for page in pages:
            url = page.full_url
            entries.append(
                {
                    "id": f"{url}#published",
                    "title": _("New innovation: %(title)s") % {"title": page.title},
                    "text": page.summary,
                    "link": url,
                    "when": page.first_published_at,
                }
            )
            for index, block in enumerate(page.updates):
                value = block.value
                moment = timezone.make_aware(datetime.combine(value["date"], time(12)))
                entries.append(
                    {
                        "id": f"{url}#update-{index}",
                        "title": f"{page.title}: {value['heading']}",
                        "text": strip_tags(str(value["text"])),
                        "link": url,
                        "when": moment,
                    }
                )
        entries.sort(key=lambda entry: entry["when"], reverse=True)
        return entries[:LATEST]

    def item_title(self, item):
        return item["title"]

    def item_description(self, item):
        return item["text"]

    def item_link(self, item):
        return item["link"]

    def item_guid(self, item):
        return item["id"]

    def item_guid_is_permalink(self, item):
        return False

    def item_updateddate(self, item):
        return item["when"]

    def item_pubdate(self, item):
        return item["when"]
