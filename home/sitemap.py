"""sitemap.xml with the pages of every language, not only the site's default tree."""

from django.db.models import Q
from wagtail.contrib.sitemaps import Sitemap
from wagtail.models import Page


class MultilingualSitemap(Sitemap):
    def items(self):
        root = self.get_wagtail_site().root_page
        trees = Q(path__startswith=root.path)
        for translation in root.get_translations():
            trees |= Q(path__startswith=translation.path)
        return (
            Page.objects.live()
            .public()
            .filter(trees)
            .order_by("path")
            .defer_streamfields()
            .specific()
        )
