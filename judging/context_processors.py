from .models import JuryMember


def jury(request) -> dict:
    """``is_juror`` for the account menu; asked only when a template reads it."""
    user = getattr(request, "user", None)

    def is_juror() -> bool:
        return bool(
            user is not None
            and user.is_authenticated
            and JuryMember.objects.filter(user=user).exists()
        )

    return {"is_juror": is_juror}
