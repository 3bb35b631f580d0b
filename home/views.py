from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import check_health


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    health = check_health()
    return JsonResponse(
        {
            "status": "ok" if health.ok else "unavailable",
            "database": health.database,
            "migrations": health.migrations,
        },
        status=200 if health.ok else 503,
    )
