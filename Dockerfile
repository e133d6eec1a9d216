# Front-end libraries from the npm registry (package-lock.json), copied into static/vendor.
FROM node:20-slim AS assets
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/vendor_assets.sh scripts/
RUN scripts/vendor_assets.sh

FROM python:3.13-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DEBUG=false
# gettext for the translations; Pango, HarfBuzz and DejaVu fonts for WeasyPrint (consent PDFs).
RUN apt-get update && apt-get install -y --no-install-recommends gettext libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=assets /src/static/vendor static/vendor
RUN python manage.py compilemessages --ignore=.venv -v 0 \
 && SECRET_KEY=build-only SITE_URL=https://build.invalid python manage.py collectstatic --no-input -v 0
# var/media: the photographs' private folder (a volume in docker-compose.yml), owned by the app's user.
RUN useradd --system --home /app anagen && mkdir -p /app/var/media && chown -R anagen /app
USER anagen
EXPOSE 8000
CMD ["gunicorn", "clinic.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--logger-class", "clinic.access_log.AccessLogger"]
