# Production image: migrates the database, then serves. Configure with SAMPLAN_* variables
# (SAMPLAN_ENV=production needs SAMPLAN_SECRET_KEY, SAMPLAN_DATA_KEY, SAMPLAN_DATABASE_URL, the
# two OIDC issuers and SAMPLAN_SMTP_HOST; SAMPLAN_SMS_GATEWAY_URL to offer text messages).
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
RUN python -m venv /opt/samplan && /opt/samplan/bin/pip install --no-cache-dir .

FROM python:3.11-slim
# Pango and HarfBuzz for WeasyPrint (plan PDFs); DejaVu as the fallback font.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --home /srv/samplan samplan
WORKDIR /srv/samplan
COPY --from=build /opt/samplan /opt/samplan
COPY alembic.ini ./
COPY migrations ./migrations
COPY templates ./templates
ENV PATH=/opt/samplan/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    SAMPLAN_ENV=production \
    SAMPLAN_DATA_DIR=/srv/samplan/var \
    SAMPLAN_MIGRATIONS_DIR=/srv/samplan/migrations \
    SAMPLAN_TEMPLATES_DIR=/srv/samplan/templates
USER samplan
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["sh", "-c", "samplan migrate && exec samplan serve --host 0.0.0.0 --port 8000"]
