"""Configuration from the environment, with an embedded default that needs no server."""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))


def _secret_key() -> str:
    """Use SECRET_KEY, or generate one on first start and keep it in the instance folder."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        # Created 0600 from the start: no moment when another user could read it.
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return key_file.read_text().strip()


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres://"):  # the form some hosts hand out
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url or f"sqlite:///{INSTANCE_DIR / 'gopy.sqlite3'}"


class Config:
    # production refuses unsafe settings at start (app/ops/settings.py); development allows them.
    GOPY_ENV = os.environ.get("GOPY_ENV", "development")
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    GOPY_ALLOW_UNSAFE = os.environ.get("GOPY_ALLOW_UNSAFE", "")
    SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
    SECRET_KEY = _secret_key()
    SECRET_KEY_FROM_ENV = bool(os.environ.get("SECRET_KEY"))
    SQLALCHEMY_DATABASE_URI = _database_url()
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL", "")
    # Empty: X-Forwarded-For is ignored. A number of proxy hops, or the proxies' networks
    # ("127.0.0.1/32,::1/128"): see app/common/proxy.py.
    TRUSTED_PROXIES = os.environ.get("TRUSTED_PROXIES", "")
    # How long nginx may keep an anonymous public page (deploy/nginx.conf; 0: never).
    MICRO_CACHE_SECONDS = int(os.environ.get("MICRO_CACHE_SECONDS", "1"))
    # Counted together by every worker and node: Redis, else a SQLite file (common/ratelimit.py).
    RATELIMIT_STORAGE_URI = REDIS_URL or f"gopy+sqlite://{INSTANCE_DIR / 'ratelimits.sqlite3'}"
    RATELIMIT_STORAGE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5} if REDIS_URL else {}
    # A store that is down lets requests through, with a log line, rather than answer 500.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_HEADERS_ENABLED = True
    UPLOAD_DIR = Path(os.environ.get("UPLOAD_DIR", INSTANCE_DIR / "uploads"))
    # database (default: every node sees every file), s3, or disk (app/submissions/storage.py)
    ATTACHMENT_STORAGE = os.environ.get("ATTACHMENT_STORAGE", "database")
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
    S3_REGION = os.environ.get("S3_REGION", "")
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID", "")
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY", "")
    # With disk storage behind nginx: the internal location that aliases UPLOAD_DIR.
    ATTACHMENT_ACCEL_PREFIX = os.environ.get("ATTACHMENT_ACCEL_PREFIX", "")
    # The nightly open-data dump (`flask opendata dump`), served from /du-lieu-mo/ban-sao/.
    OPENDATA_DIR = Path(os.environ.get("OPENDATA_DIR", INSTANCE_DIR / "opendata"))
    # Three photos of 20 MB plus the text; a larger body is refused before it is read (nginx's
    # client_max_body_size in deploy/nginx.conf says the same).
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    MAX_FORM_MEMORY_SIZE = 1024 * 1024
    # A PDF is stored as it came (rewritten, not shrunk): 5 MB. A photo straight from a phone
    # may be larger, and every image is shrunk to MAX_SIDE before it is stored: 20 MB.
    ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
    IMAGE_MAX_BYTES = int(os.environ.get("IMAGE_MAX_BYTES", 20 * 1024 * 1024))
    ATTACHMENT_MAX_COUNT = 3
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = ("vi", "en")
    # A slow 2G typist gets three hours before the form's token expires.
    WTF_CSRF_TIME_LIMIT = 3 * 3600
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                          "text/plain"]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIN_SIZE = 256
    COMPRESS_LEVEL = 6
    COMPRESS_BR_LEVEL = 5
    SEND_FILE_MAX_AGE_DEFAULT = 31536000
    PRIVACY_NOTICE_VERSION = "2026-01"
    TRACKING_LOOKUP_LIMIT = os.environ.get("TRACKING_LOOKUP_LIMIT", "30 per minute")
    LOGIN_LIMIT = os.environ.get("LOGIN_LIMIT", "10 per minute")
    # Failed sign-ins to one account from anywhere: slows a guesser spread over many addresses
    # to 144 tries a day, and locks the owner out for ten minutes at most.
    LOGIN_ACCOUNT_LIMIT = os.environ.get("LOGIN_ACCOUNT_LIMIT", "10 per 10 minutes")
    # A guest's support sends an SMS code: a cap per address, besides the one per phone.
    SUPPORT_CODE_LIMIT = os.environ.get("SUPPORT_CODE_LIMIT", "10 per hour")
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0") == "1"
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Góp Ý <khong-tra-loi@gopy.local>")
    SMS_FILE = os.environ.get("SMS_FILE", str(INSTANCE_DIR / "sms.log"))
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
    SMS_SENDER = os.environ.get("SMS_SENDER", "GOPY")
    # The API: a limit per token (set when it is issued), on by default; Open311's jurisdiction_id.
    API_RATELIMIT_ENABLED = os.environ.get("API_RATELIMIT_ENABLED", "1") == "1"
    OPEN311_JURISDICTION = os.environ.get("OPEN311_JURISDICTION", "gopy.gov.vn")
    # Links in e-mail and SMS are built outside any request, so the site's address is set here.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    PUBLIC_BASE_URL_FROM_ENV = bool(os.environ.get("PUBLIC_BASE_URL"))


class TestConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS = {}
    RATELIMIT_ENABLED = False
    API_RATELIMIT_ENABLED = False  # the rate-limit tests turn it on for themselves
    SERVER_NAME = None
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing keeps the suite quick

