"""Single, environment-driven settings module (healthchecks style).

Environment variables:
  DATABASE_URL      default sqlite:///<repo>/db.sqlite3; e.g. postgres://postgres@127.0.0.1:5432/test
  SECRET_KEY        required when DEBUG is off
  DEBUG             "1" to enable debug pages (make run sets it)
  ALLOWED_HOSTS     comma separated, default "127.0.0.1,localhost"
  MEDIA_ROOT        uploaded files, default <repo>/media
  TIME_ZONE         default Asia/Shanghai
  DATABASE_REPLICA_URL optional streaming read-only replica of DATABASE_URL: the portal's and the dashboards'
                    GET requests read their data there (core/replica.py); writes, logins and jobs stay on the primary
  REDIS_URL         optional shared cache when several app nodes run (e.g. redis://127.0.0.1:6379/1)
  STATIC_ROOT       collectstatic target, default <repo>/staticfiles (nginx serves it at /static/)
  BEHIND_HTTPS_PROXY "1" when nginx terminates TLS: secure cookies, HSTS, redirect to https, trust
                    X-Forwarded-Proto from the proxy (docs/production.md)
  HSTS_SECONDS      default 31536000 when BEHIND_HTTPS_PROXY=1; HSTS_INCLUDE_SUBDOMAINS / HSTS_PRELOAD default "1"
  SECURE_COOKIES    "1": secure session/CSRF cookies only (implied by BEHIND_HTTPS_PROXY)
  PORTAL_SPONSOR    公示门户页脚“主办单位” (empty: the line is hidden); PORTAL_ICP “ICP备案号”, PORTAL_GOV_ID
                    “网站标识码”, PORTAL_CONTACT “联系方式” (e.g. “0533-1234567 · 淄博市某区卫生健康局”), same rule
  PORTAL_CACHE_SECONDS how long a rendered portal page is kept (default 300; 0 = no page cache); a
                    publication or withdrawal invalidates at once (disclosure/caching.py)
  OUTBOUND_SYNC_URL  provincial platform endpoint for published results (HTTP JSON, retries, idempotency
                    key; OUTBOUND_SYNC_TOKEN bearer token), or OUTBOUND_SYNC_DIR an exchange folder (file drop)
  PORTAL_OBJECTION_RATE 异议 a visitor address may lodge on the portal (default "5/h"; counted in the
                    "default" cache, so several app nodes need REDIS_URL for one shared count)
  TRUSTED_PROXY_COUNT number of reverse proxies that append to X-Forwarded-For (nginx: 1); default 0 =
                    the client address is REMOTE_ADDR and X-Forwarded-For is ignored (login lockout key)
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not env_bool("ALLOW_INSECURE_KEY"):
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off (或设置 ALLOW_INSECURE_KEY=1 仅用于测试)")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "http://127.0.0.1:8000,http://localhost:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_tasks_db",
    "shuangsuiji.core",
    "shuangsuiji.regions",
    "shuangsuiji.accounts",
    "shuangsuiji.directory",
    "shuangsuiji.plans",
    "shuangsuiji.draws",
    "shuangsuiji.disclosure",
    "shuangsuiji.dashboards",
    "shuangsuiji.inspections",
    "shuangsuiji.cases",
    "shuangsuiji.paperwork",
    "shuangsuiji.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shuangsuiji.core.middleware.MalformedInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "shuangsuiji.core.middleware.RequestContextMiddleware",
    "shuangsuiji.core.middleware.IdleTimeoutMiddleware",
    "axes.middleware.AxesMiddleware",
    "shuangsuiji.core.replica.ReplicaReadsMiddleware",  # a no-op unless DATABASE_REPLICA_URL is set
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "shuangsuiji.core.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if os.environ.get("TEST_DB_NAME"):  # lets parallel test runs share one PostgreSQL server
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DB_NAME"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions serialise writers (no "database is locked" mid-transaction);
    # WAL lets readers proceed while one writer works.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }

# A streaming read-only replica for the portal and the dashboards (core/replica.py): their GET requests read the
# domain data there; writes, logins, jobs and the audit log stay on the primary. Unset: one database for all.
REPLICA_READ_PATHS = ("/gs/", "/dashboards/")
REPLICA_APPS = {
    "regions", "directory", "plans", "draws", "disclosure", "dashboards", "inspections", "cases", "paperwork",
}  # fmt: skip
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # tests read the primary's test database through it
    DATABASE_ROUTERS = ["shuangsuiji.core.replica.ReplicaRouter"]

# Shared cache for several app nodes (API throttling counters); per-process memory otherwise.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Rendered public portal pages (disclosure/caching.py), apart from the counters in "default" so that
    # many distinct search URLs never push API throttling counters out of a bounded memory cache.
    "portal": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": "portal",
    }
    if os.environ.get("REDIS_URL")
    else {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "portal",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
PORTAL_CACHE_SECONDS = int(os.environ.get("PORTAL_CACHE_SECONDS", "300"))
# 异议 lodged on the portal per visitor address (django-ratelimit rate, e.g. "5/h"); counters in "default".
PORTAL_OBJECTION_RATE = os.environ.get("PORTAL_OBJECTION_RATE", "5/h")
# Outbound sync of published results to the provincial platform (paperwork/outbound.py; `manage.py
# sync_outbound` from cron, or 省级平台上报 → 立即上报): an HTTP JSON endpoint, or else an exchange folder.
OUTBOUND_SYNC_URL = os.environ.get("OUTBOUND_SYNC_URL", "")
OUTBOUND_SYNC_TOKEN = os.environ.get("OUTBOUND_SYNC_TOKEN", "")
OUTBOUND_SYNC_DIR = os.environ.get("OUTBOUND_SYNC_DIR", "")

# The hash suite of new draw commitments (fairdraw spec §2.3): "sha256" (default) or "sm3" (国密 SM3,
# GB/T 32905-2016, for offices whose 密码应用安全性评估 requires it). Each commitment names its suite, so
# changing this affects only draws committed afterwards; draws.E001 refuses "sm3" where OpenSSL lacks it.
FAIRDRAW_HASH_SUITE = os.environ.get("FAIRDRAW_HASH_SUITE", "sha256").strip().lower()

# Background work (django.tasks with the database backend of django-tasks-db): a view records a
# core.BackgroundJob and enqueues it; `manage.py db_worker` runs it (docs/production.md, "任务进程").
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A running job whose worker has not written its heartbeat for this long counts as interrupted (the worker
# was killed); its owner may then run it again (core/jobs.py).
JOBS_STALE_SECONDS = int(os.environ.get("JOBS_STALE_SECONDS", "300"))
# Work that fits in a request stays there: imports and exports of at most JOBS_INLINE_ROWS rows, uploads of at
# most JOBS_INLINE_UPLOAD_BYTES; larger ones run as background jobs (0 = always in the background).
JOBS_INLINE_ROWS = int(os.environ.get("JOBS_INLINE_ROWS", "2000"))
JOBS_INLINE_UPLOAD_BYTES = int(os.environ.get("JOBS_INLINE_UPLOAD_BYTES", str(512 * 1024)))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "shuangsuiji.accounts.backends.RoleBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# 等保 2.0 身份鉴别: at least 10 characters from three of four classes, not like the username, not common.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email", "phone")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "shuangsuiji.accounts.password_validation.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login throttling (等保: 登录失败处理): lock a username+IP pair after 5 failures for 30 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# The address a lockout is keyed by: behind TRUSTED_PROXY_COUNT proxies that append to X-Forwarded-For
# (nginx `proxy_add_x_forwarded_for`), the entry that many places from the right; anything a client
# wrote further left is ignored. 0: REMOTE_ADDR only.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "shuangsuiji.core.client_ip.client_ip"

# Sessions: idle timeout (等保: 连接超时自动退出).
SESSION_IDLE_SECONDS = int(os.environ.get("SESSION_IDLE_SECONDS", str(30 * 60)))
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# HTTPS behind nginx (docs/production.md): the proxy terminates TLS and sets X-Forwarded-Proto.
BEHIND_HTTPS_PROXY = env_bool("BEHIND_HTTPS_PROXY")
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", BEHIND_HTTPS_PROXY)
if BEHIND_HTTPS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content Security Policy (Django 6 built-in): no inline script, no third-party origins.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# Source maps (several MB each, only fetched by browser developer tools) are not pre-compressed: brotli at its
# highest quality on them was most of collectstatic's time. Fonts and images are already compressed.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    "jpg", "jpeg", "png", "gif", "webp", "zip", "gz", "tgz", "bz2", "tbz", "xz", "br", "swf", "flv",
    "woff", "woff2", "3gp", "3gpp", "asf", "avi", "m4v", "mov", "mp4", "mpeg", "mpg", "webm", "wmv", "map",
)  # fmt: skip
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG and env_bool("MANIFEST_STATIC", True)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Audit chain anchoring (core/anchoring.py): the Ed25519 private key that signs the daily chain head lives
# outside the database (readable only by the account running `audit_publish_head`); signed heads and the
# public key are kept in AUDIT_HEADS_DIR (not served as media; 纪检 downloads them from 审计链尾签名).
AUDIT_SIGNING_KEY_FILE = os.environ.get("AUDIT_SIGNING_KEY_FILE", "")
AUDIT_HEADS_DIR = Path(os.environ.get("AUDIT_HEADS_DIR", BASE_DIR / "audit-heads"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # request bodies other than files (API sync JSON)
# Spreadsheet import budget (issue #11): a workbook whose declared or actual sheet size exceeds IMPORT_MAX_CELLS
# (rows x columns of the first sheet) is refused before it is read; 6,000,000 = 200,000 rows x 30 columns, about
# 200 MB in the reader. IMPORT_MAX_UNCOMPRESSED_BYTES caps the unpacked size of an xlsx/ods (zip bombs).
IMPORT_MAX_CELLS = int(os.environ.get("IMPORT_MAX_CELLS", str(6_000_000)))
IMPORT_MAX_UNCOMPRESSED_BYTES = int(os.environ.get("IMPORT_MAX_UNCOMPRESSED_BYTES", str(256 * 1024 * 1024)))

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
DJANGO_TABLES2_TEMPLATE = "tables/bootstrap5.html"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "shuangsuiji.accounts.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["shuangsuiji.core.api.permissions.RolePermission"],
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_USER_RATE", "6000/hour"),
        "anon": os.environ.get("API_ANON_RATE", "600/hour"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["shuangsuiji.core.api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "EXCEPTION_HANDLER": "shuangsuiji.core.api.exceptions.api_exception_handler",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "双随机一公开监管平台 API",
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # every operation documents its error responses with the one error body (core/api/schema.py)
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "shuangsuiji.core.api.schema.add_error_responses",
    ],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {  # several models have a "status" field with different choices
        "CaseStatusEnum": "shuangsuiji.cases.choices.CaseStatus",
        "UnitStatusEnum": "shuangsuiji.directory.choices.UnitStatus",
        "ItemStatusEnum": "shuangsuiji.directory.choices.ItemStatus",
        "DrawStatusEnum": "shuangsuiji.draws.choices.DrawStatus",
        "TargetStatusEnum": "shuangsuiji.draws.choices.TargetStatus",
        "ResultStatusEnum": "shuangsuiji.inspections.choices.ResultStatus",
        "PlanStatusEnum": "shuangsuiji.plans.choices.PlanStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

SITE_TITLE = "双随机一公开监管平台"
# Public portal footer (政府网站 requirements): empty values hide their line.
PORTAL_SPONSOR = os.environ.get("PORTAL_SPONSOR", "")  # 主办单位
PORTAL_ICP = os.environ.get("PORTAL_ICP", "")  # ICP备案号, e.g. 鲁ICP备12345678号
PORTAL_GOV_ID = os.environ.get("PORTAL_GOV_ID", "")  # 网站标识码 (政府网站), e.g. 3703000001
PORTAL_CONTACT = os.environ.get("PORTAL_CONTACT", "")  # 联系方式
