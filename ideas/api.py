"""The open-data API: published innovation pages, read-only, through Wagtail's API v2.

Only live pages visible to anonymous visitors are served (Wagtail's public-pages queryset);
anything else, and any page that is not an innovation, is a 404. README.md lists the fields.
"""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet

from .models import InnovationPage


class InnovationsAPIViewSet(PagesAPIViewSet):
    model = InnovationPage
    listing_default_fields = PagesAPIViewSet.listing_default_fields + [
        "summary",
        "award",
        "pilot_status",
    ]
    # Read per page from its idea's round: on one page at a time, never in a listing.
    detail_only_fields = PagesAPIViewSet.detail_only_fields + ["public_answers"]

    def get_queryset(self):
        # The "type" parameter cannot widen the endpoint beyond innovations.
        public = self.get_base_queryset().values_list("pk", flat=True)
        return (
            InnovationPage.objects.filter(pk__in=public)
            .select_related("locale")
            .prefetch_related("status_changes", "metrics", "quotes", "adoptions")
            .order_by("-first_published_at", "-pk")
        )


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("innovations", InnovationsAPIViewSet)
