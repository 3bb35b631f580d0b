# Ideatori: build stage installs the dependencies and collects static files; the runtime
# stage carries only the virtual environment and the app, and runs as a non-root user.
# Release step before starting a new version (once per deploy, not per container):
#   docker run --rm --env-file ideatori.env IMAGE python manage.py migrate --noinput
# The e-mail worker is the same image with another command:
#   docker run -d --env-file ideatori.env IMAGE python manage.py db_worker

FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /venv
COPY requirements.txt /tmp/requirements.txt
RUN /venv/bin/pip install -r /tmp/requirements.txt
WORKDIR /app
COPY . .
# collectstatic needs the production settings to load; these values exist only in this step.
RUN DJANGO_SETTINGS_MODULE=ideatori.settings.production \
    DJANGO_SECRET_KEY=collectstatic-only-not-a-secret \
    DJANGO_ALLOWED_HOSTS=localhost \
    DJANGO_STATIC_ROOT=/app/static \
    /venv/bin/python manage.py collectstatic --noinput

FROM python:3.11-slim AS runtime
RUN useradd --system --uid 10001 --create-home --home-dir /home/ideatori ideatori \
    && mkdir -p /app/media /app/private-media && chown ideatori /app/media /app/private-media
COPY --from=build /venv /venv
COPY --from=build /app /app
WORKDIR /app
ENV PATH=/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=ideatori.settings.production \
    DJANGO_STATIC_ROOT=/app/static \
    DJANGO_MEDIA_ROOT=/app/media \
    DJANGO_PRIVATE_MEDIA_ROOT=/app/private-media
USER ideatori
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
