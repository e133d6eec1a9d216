"""Anagen settings: everything comes from the environment, with safe development defaults.

`.env.example` lists every variable. Production hardening switches on when DEBUG is off.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from clinic.mail import mail_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# The development key is only ever used with DEBUG on; production must set SECRET_KEY.
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-" + "x" * 40 if DEBUG else environ.Env.NOTSET)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
# Links in patient emails start with SITE_URL: in production they must reach the clinic over TLS.
if not DEBUG and not (SITE_URL.startswith("https://") and urlsplit(SITE_URL).hostname):
    raise ImproperlyConfigured(
        "SITE_URL must be the clinic's https:// address when DEBUG is off "
        f"({f'it is {SITE_URL!r}' if SITE_URL else 'it is not set'}): it is the base of every link in "
        "patient emails, e.g. SITE_URL=https://clinic.example.com"
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "axes",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "phonenumber_field",
    "anymail",
    "clinic",
    "protocols",
    "patients",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise, so static files keep their long cache lifetimes.
    "clinic.middleware.PrivateNoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clinic.middleware.StaffLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # Axes last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clinic.context_processors.roles",
                "clinic.context_processors.clinic_zone",
            ],
        },
    },
]

# PostgreSQL everywhere: `make run` and `make test` start an embedded one when DATABASE_URL is unset.
# Production runs two roles: DATABASE_URL is the app's own role, which owns nothing and cannot change
# the audit trail, for web, worker and beat; DATABASE_OWNER_URL, the schema's owner, is given to the
# migrate step only. A process given it connects as the owner, and its migrate creates or updates
# DATABASE_URL's role and its privileges (clinic/db_roles.py).
_database_url = env.str("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/anagen")
DATABASE_OWNER_URL = env.str("DATABASE_OWNER_URL", default="")
DATABASE_APP_ROLE = env.db_url_config(_database_url) if DATABASE_OWNER_URL else None
DATABASES = {"default": env.db_url_config(DATABASE_OWNER_URL or _database_url)}
# Production keeps each process's connection for a minute, checked before it is reused after a
# request (a restarted PostgreSQL costs one reconnect, not an error): a new connection per request
# cost the API a third of its throughput. Development and tests connect per request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0 if DEBUG else 60))
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", env.bool("CONN_HEALTH_CHECKS", default=not DEBUG))
DATABASES["default"]["ENGINE"] = "django.db.backends.postgresql"
# A Unix-socket directory arrives percent-encoded in the URL's host, as libpq writes it.
DATABASES["default"]["HOST"] = unquote(DATABASES["default"].get("HOST", ""))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "clinic.auth_backend.StaffBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock the account and IP pair after 5 failures, and the account alone after 20 from
# any address (clinic/lockout.py), for 15 minutes after the last failure, never forever.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_USERNAME_FAILURE_LIMIT = env.int("AXES_USERNAME_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "clinic.lockout.LockoutHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client address: REMOTE_ADDR, unless we are told how many reverse proxies sit in front of us;
# then the address the outermost one saw, counted from the right of X-Forwarded-For. Entries a
# client wrote itself are never believed.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "clinic.lockout.client_ip_address"

# Staff sessions end after this many idle minutes: every request pushes the expiry forward.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", default=30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("tr", "Türkçe"), ("ar", "العربية"), ("es", "Español"), ("de", "Deutsch")]
# The patient's own page keeps its own catalogue (patients/portal/locale), after the project's.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "patients" / "portal" / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# collectstatic's target (the Docker image builds it in; tests use a temporary folder).
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Patients' photographs (patients.outcomes.photos): private, never under a public URL. Local files
# under MEDIA_ROOT/photos (no MEDIA_URL is served), or any S3-compatible store when
# PHOTOS_S3_BUCKET is set (django-storages; without keys, boto3's usual credentials). Doctors and
# admins get the bytes through the app only (/api/v1/photos/<id>/image/, /photos/<id>/image/).
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
PHOTOS_S3_BUCKET = env.str("PHOTOS_S3_BUCKET", default="")
if PHOTOS_S3_BUCKET:
    PHOTO_STORAGE = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
        "bucket_name": PHOTOS_S3_BUCKET,
        "location": env.str("PHOTOS_S3_PREFIX", default="photos"),
        "endpoint_url": env.str("PHOTOS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("PHOTOS_S3_REGION", default="") or None,
        "access_key": env.str("PHOTOS_S3_ACCESS_KEY_ID", default="") or None,
        "secret_key": env.str("PHOTOS_S3_SECRET_ACCESS_KEY", default="") or None,
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
        "object_parameters": {"ServerSideEncryption": env.str("PHOTOS_S3_ENCRYPTION", default="AES256"),
                              "CacheControl": "private, no-store"},
    }}
    if not PHOTO_STORAGE["OPTIONS"]["object_parameters"]["ServerSideEncryption"]:
        del PHOTO_STORAGE["OPTIONS"]["object_parameters"]["ServerSideEncryption"]
else:
    PHOTO_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage",
                     "OPTIONS": {"location": str(MEDIA_ROOT / "photos"), "base_url": None,
                                 "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700}}
# Uploads: small fields in memory, files over 2.5 MB in a temporary file, never a photo over
# PHOTO_MAX_BYTES (patients.outcomes.uploads stops reading it).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
PHOTO_MAX_BYTES = 20 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "photos": PHOTO_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email: files under var/mail/ unless EMAIL_URL names a server (smtp://, smtp+tls://, smtps://) or
# a sending service through django-anymail (ses://, postmark://, mailgun://, sendgrid://, brevo://):
# clinic/mail.py reads it. Anymail's tracking webhooks (/anymail/<service>/tracking/) take
# ANYMAIL_WEBHOOK_SECRET ("user:password") as basic auth.
MAILERS, ANYMAIL = mail_settings(
    env.str("EMAIL_URL", default=""),
    file_path=str(VAR_DIR / "mail"),
    timeout=env.int("EMAIL_TIMEOUT", default=15),
    webhook_secret=env.str("ANYMAIL_WEBHOOK_SECRET", default=""),
    webhook_signing_key=env.str("ANYMAIL_WEBHOOK_SIGNING_KEY", default=""),
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Anagen <no-reply@anagen.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: the broker is Redis; reminders live in the database, never as far-future ETA tasks.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = "UTC"
REMINDER_DISPATCH_SECONDS = env.int("REMINDER_DISPATCH_SECONDS", default=30)
REMINDER_OFFSETS = env.list("REMINDER_OFFSETS", default=["7d", "24h"])
# A dispatcher's claim on a reminder row lapses after this long (its worker died mid-batch).
REMINDER_CLAIM_LEASE_SECONDS = env.int("REMINDER_CLAIM_LEASE_SECONDS", default=300)
# Worker processes that share a backlog of due reminders (each on its own rows, SKIP LOCKED):
# match the worker's --concurrency. A dispatcher waits on SMTP and PostgreSQL for about half of
# each email, so the worker runs four processes on two cores (docker-compose.yml, `make run`).
REMINDER_DISPATCHERS = env.int("REMINDER_DISPATCHERS", default=4)
# After a temporary SMTP failure a reminder waits 1, 2, 4, 8 times this before the next attempt.
REMINDER_RETRY_BASE_SECONDS = env.int("REMINDER_RETRY_BASE_SECONDS", default=60)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "clinic.tasks.heartbeat", "schedule": REMINDER_DISPATCH_SECONDS},
    "dispatch-reminders": {"task": "patients.tasks.dispatch_due_reminders", "schedule": REMINDER_DISPATCH_SECONDS},
    "queue-recalls": {"task": "patients.tasks.queue_recalls", "schedule": 60 * 60 * 24},
}

SCREENING_VALID_DAYS = env.int("SCREENING_VALID_DAYS", default=30)
# How long staff may undo a session's status change (arrived, completed, no-show) made by mistake.
SESSION_STATUS_UNDO_MINUTES = env.int("SESSION_STATUS_UNDO_MINUTES", default=10)

# The patient's own page (patients.portal): a link works this many days; the portal's own cookie
# ends after this many idle minutes; "email me a new link" answers at most this often per address
# a day, and per client address an hour (brute force of the sign-in page).
PORTAL_LINK_DAYS = env.int("PORTAL_LINK_DAYS", default=30)
PORTAL_IDLE_MINUTES = env.int("PORTAL_IDLE_MINUTES", default=20)
PORTAL_LINK_REQUESTS_PER_DAY = env.int("PORTAL_LINK_REQUESTS_PER_DAY", default=5)
PORTAL_LINK_REQUESTS_PER_IP_HOUR = env.int("PORTAL_LINK_REQUESTS_PER_IP_HOUR", default=30)

# An API key (DRF token) works for this many days from when it was made; staff make a new one on
# their profile page (or with `drf_create_token -r`).
API_TOKEN_DAYS = env.int("API_TOKEN_DAYS", default=90)

# How far from today a date that plans (a wished start, a move, a surgery date) may lie, either way.
PLANNING_HORIZON_YEARS = env.int("PLANNING_HORIZON_YEARS", default=5)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's TokenAuthentication, with keys that expire after API_TOKEN_DAYS.
        "clinic.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["clinic.permissions.IsStaffWithRole"],
    "DEFAULT_PAGINATION_CLASS": "clinic.api.pagination.Pagination",
    # JSON whose strings are valid Unicode only: a lone surrogate is a 400, never a 500.
    "DEFAULT_PARSER_CLASSES": [
        "clinic.api.serializers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # django-filter with strict booleans and ids: a wrong type is a 400, as the schema says.
    "DEFAULT_FILTER_BACKENDS": ["clinic.api.filters.ContractFilterBackend"],
    # drf-spectacular, with every operation's error answers in the contract's body.
    "DEFAULT_SCHEMA_CLASS": "clinic.api.schema.ContractAutoSchema",
    "EXCEPTION_HANDLER": "clinic.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Anagen API",
    "DESCRIPTION": "Treatment courses for hair-restoration clinics.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Request bodies get their own components (no read-only fields; PATCH with nothing required),
    # and a text field that may not be blank says so (minLength 1).
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema and its docs page are for staff: the API's own permission (401/403 in the API's
    # error body); clinic.api.urls sends an anonymous browser to the login page for the docs.
    "SERVE_PERMISSIONS": ["clinic.permissions.IsStaffWithRole"],
    # Swagger UI from drf-spectacular-sidecar's static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge image from the public validator (and no request to it).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # One name for the visit adjuncts, whether a protocol plans them or a session record says they were done;
    # one for the scalp sites, whether a product was given there or a measurement taken.
    "ENUM_NAME_OVERRIDES": {"VisitAdjunctEnum": "protocols.models.VisitAdjunct",
                            "SiteEnum": "patients.records.models.Site",
                            "VersionStatusEnum": "patients.consent.models.DocumentStatus",
                            "StaffLanguageEnum": "clinic.languages.LANGUAGE_CODES"},
}

# Content-Security-Policy on every response, development included (violations show early):
# scripts and styles from our own origin, or inline with this response's nonce (`{{ csp_nonce }}`;
# FullCalendar reads it from the page's script tags for the <style> it injects). No inline event
# handlers and no style="" attributes: templates carry classes, pages' scripts live in static/js/.
# data: covers the SVGs inside Bootstrap's CSS and FullCalendar's icon font.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# The audit trail: event tables refuse UPDATE and DELETE (database triggers).
PGHISTORY_APPEND_ONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Request logs can carry patient data in URLs and bodies: keep them to warnings.
        "django.request": {"level": "ERROR"},
        "django.server": {"level": "WARNING"},
    },
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
