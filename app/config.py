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


def _oidc_providers() -> dict[str, dict]:
    """OpenID Connect providers, side by side: OIDC_PROVIDERS=vneid,other, then for each name
    OIDC_<NAME>_ISSUER, _CLIENT_ID, _CLIENT_SECRET, _SCOPES, _LABEL (README.md lists them all)."""
    providers = {}
    for name in os.environ.get("OIDC_PROVIDERS", "").lower().split(","):
        name = name.strip()
        if not name.isalnum() or not name.isascii():
            continue  # a name is a URL segment and part of the variables' names
        prefix = f"OIDC_{name.upper()}_"
        issuer = os.environ.get(prefix + "ISSUER", "").rstrip("/")
        providers[name] = {
            "issuer": issuer,
            "discovery_url": os.environ.get(prefix + "DISCOVERY_URL", "")
            or f"{issuer}/.well-known/openid-configuration",
            "client_id": os.environ.get(prefix + "CLIENT_ID", ""),
            "client_secret": os.environ.get(prefix + "CLIENT_SECRET", ""),
            "scopes": os.environ.get(prefix + "SCOPES", "openid profile email phone"),
            "label": os.environ.get(prefix + "LABEL", name),
            # The claim that says how the person was identified, and its values that mean
            # "verified in person" (assurance level 2).
            "level_claim": os.environ.get(prefix + "LEVEL_CLAIM", "acr"),
            "level2_values": [value.strip() for value in os.environ.get(prefix + "LEVEL2_VALUES", "2").split(",")
                              if value.strip()],
        }
    return providers


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
    # The remember-me cookie follows the session cookie: Secure with it, never read by scripts.
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = int(os.environ.get("REMEMBER_COOKIE_DAYS", "30")) * 86400
    # The password rule (app/accounts/passwords.py): a length, and zxcvbn's score (0-4).
    PASSWORD_MIN_LENGTH = int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))
    PASSWORD_MIN_SCORE = int(os.environ.get("PASSWORD_MIN_SCORE", "3"))
    # Roles that must sign in in two steps (TOTP), comma-separated, e.g.
    # "coordinator,officer,lead,moderator,admin". Empty (the default): optional for everyone.
    REQUIRE_2FA_ROLES = os.environ.get("REQUIRE_2FA_ROLES", "")
    # Verification codes and password-reset links sent to one account or one address.
    SEND_LIMIT_PER_HOUR = int(os.environ.get("SEND_LIMIT_PER_HOUR", "3"))
    SEND_LIMIT_PER_DAY = int(os.environ.get("SEND_LIMIT_PER_DAY", "10"))
    # Requests for a reset link from one client address, and forms that message a contact
    # (registration, reset) naming one contact, whoever asks.
    PASSWORD_RESET_LIMIT = os.environ.get("PASSWORD_RESET_LIMIT", "10 per hour")
    CONTACT_MESSAGE_LIMIT = os.environ.get("CONTACT_MESSAGE_LIMIT", "3 per hour;10 per day")
    # Wrong second-step codes for one account, from anywhere.
    TWO_FACTOR_LIMIT = os.environ.get("TWO_FACTOR_LIMIT", "10 per 10 minutes")
    COMPRESS_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                          "text/plain"]
    COMPRESS_ALGORITHM = ["br", "gzip"]
    COMPRESS_MIN_SIZE = 256
    COMPRESS_LEVEL = 6
    COMPRESS_BR_LEVEL = 5
    SEND_FILE_MAX_AGE_DEFAULT = 31536000
    # The privacy notice (Law 91/2025/QH15): its version, recorded with every consent, and the
    # controller it names. A new text is a new version.
    PRIVACY_NOTICE_VERSION = os.environ.get("PRIVACY_NOTICE_VERSION", "2026-12")
    PRIVACY_CONTROLLER_NAME = os.environ.get(
        "PRIVACY_CONTROLLER_NAME", "Văn phòng tiếp nhận phản ánh, kiến nghị — đơn vị vận hành Góp Ý")
    PRIVACY_CONTROLLER_CONTACT = os.environ.get("PRIVACY_CONTROLLER_CONTACT", "bao-ve-du-lieu@gopy.local")
    # A guest's name, contact and attachments are removed this many months after the
    # submission closes (`flask privacy retention`, daily).
    PRIVACY_RETENTION_MONTHS = int(os.environ.get("PRIVACY_RETENTION_MONTHS", "24"))
    # "My data": the ZIP is offered this long; up to these sizes it is built during the request.
    PRIVACY_EXPORT_HOURS = int(os.environ.get("PRIVACY_EXPORT_HOURS", "72"))
    PRIVACY_EXPORT_INLINE_SUBMISSIONS = int(os.environ.get("PRIVACY_EXPORT_INLINE_SUBMISSIONS", "20"))
    PRIVACY_EXPORT_INLINE_BYTES = int(os.environ.get("PRIVACY_EXPORT_INLINE_BYTES", str(2 * 1024 * 1024)))
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
    # Seconds a mail server or SMS gateway may take to answer each step before the try counts
    # as failed (the message waits and is tried again; the channel's queue waits with it).
    MAIL_TIMEOUT = float(os.environ.get("MAIL_TIMEOUT", "10"))
    SMS_TIMEOUT = float(os.environ.get("SMS_TIMEOUT", "10"))
    # How a step's messages leave: "thread" (a background thread per process, which sends them
    # or hands them to RQ when REDIS_URL is set) or "sync" (in the request's thread once the
    # response is closed: the tests, which want to see them sent).
    NOTIFY_DELIVERY = os.environ.get("NOTIFY_DELIVERY", "thread")
    SMS_FILE = os.environ.get("SMS_FILE", str(INSTANCE_DIR / "sms.log"))
    SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
    SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
    SMS_SENDER = os.environ.get("SMS_SENDER", "GOPY")
    # Two-way SMS (docs/sms.md): the secret the gateway signs inbound messages with (none:
    # every inbound message is refused), messages a number may send in an hour, and how long
    # a GY waits for its DONG Y.
    SMS_WEBHOOK_SECRET = os.environ.get("SMS_WEBHOOK_SECRET", "")
    SMS_INBOUND_PER_HOUR = int(os.environ.get("SMS_INBOUND_PER_HOUR", "20"))
    SMS_CONSENT_WAIT_HOURS = int(os.environ.get("SMS_CONSENT_WAIT_HOURS", "24"))
    # The number people text ("TC <code>") to ask for a status, printed in every receipt.
    SMS_GATEWAY_NUMBER = os.environ.get("SMS_GATEWAY_NUMBER", "8077")
    # No SMS at night (each person's quiet hours, 21:00-07:00 Vietnam time by default).
    SMS_QUIET_HOURS = True
    # The API: a limit per token (set when it is issued), on by default; Open311's jurisdiction_id.
    API_RATELIMIT_ENABLED = os.environ.get("API_RATELIMIT_ENABLED", "1") == "1"
    OPEN311_JURISDICTION = os.environ.get("OPEN311_JURISDICTION", "gopy.gov.vn")
    # Links in e-mail and SMS are built outside any request, so the site's address is set here.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    PUBLIC_BASE_URL_FROM_ENV = bool(os.environ.get("PUBLIC_BASE_URL"))
    # Sign-in with OpenID Connect (the national digital identity, VNeID): app/accounts/oidc.py.
    OIDC_PROVIDERS = _oidc_providers()
    OIDC_TIMEOUT_SECONDS = float(os.environ.get("OIDC_TIMEOUT_SECONDS", "10"))
    # Identity assurance levels (1: self-declared, 2: verified in person) some actions need;
    # 0 asks for none. An organisation's request for verification, a dialogue panel seat:
    ORGANISATION_REQUIRED_LEVEL = int(os.environ.get("ORGANISATION_REQUIRED_LEVEL", "0"))
    PANEL_REQUIRED_LEVEL = int(os.environ.get("PANEL_REQUIRED_LEVEL", "0"))
    # An owner whose identity reaches this level gets the organisation verified at once, without
    # an administrator's review (0: always reviewed).
    ORGANISATION_AUTO_VERIFY_LEVEL = int(os.environ.get("ORGANISATION_AUTO_VERIFY_LEVEL", "0"))


class TestConfig(Config):
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
    SQLALCHEMY_ENGINE_OPTIONS = {}
    RATELIMIT_ENABLED = False
    API_RATELIMIT_ENABLED = False  # the rate-limit tests turn it on for themselves
    SERVER_NAME = None
    NOTIFY_DELIVERY = "sync"
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # fast hashing keeps the suite quick
    # The suite must not depend on the hour it runs at: tests/test_alerts.py turns quiet hours on.
    SMS_QUIET_HOURS = False

