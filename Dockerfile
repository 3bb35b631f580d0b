# Ideatori: build stage installs the dependencies and collects static files; the runtime
# stage carries only the virtual environment and the app, and runs as a non-root user.
# compose.yaml runs the whole stack from this image (README, "Deploying"): the release step
# (migrate), two web servers, the background worker and the scheduler, each its own command.

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
    DJANGO_SITE_URL=http://localhost \
    DJANGO_STATIC_ROOT=/app/static \
    /venv/bin/python manage.py collectstatic --noinput

FROM python:3.11-slim AS runtime
# WeasyPrint (the round report and the jury packet's PDFs) lays text out with Pango and
# HarfBuzz, and finds its fonts (DejaVu Sans) through fontconfig: none of them is in -slim.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
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
# Asks /healthz where GUNICORN_BIND says, whatever DJANGO_ALLOWED_HOSTS says; .ci/run runs this
# very command. The worker and scheduler containers replace it with their heartbeat check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-m", "ideatori.healthcheck"]
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
