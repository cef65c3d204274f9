"""A real OpenID Connect provider on loopback (oidc-provider-mock, in a thread on a free
port) and the steps a browser would take through it, for the identity tests."""
from contextlib import contextmanager
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests
from oidc_provider_mock import User, run_server_in_thread

CLIENT_ID = "gopy-test"
CLIENT_SECRET = "bi-mat-thu"

# People the provider knows: a citizen verified in person (acr 2) and one who is not.
STRONG = User(sub="vneid-001", claims={"name": "Nguyễn Văn Định", "email": "dinh@example.vn", "email_verified": True,
                                       "phone_number": "0912345678", "phone_number_verified": True, "acr": "2"})
WEAK = User(sub="vneid-002", claims={"name": "Trần Thị Mới", "email": "moi@example.vn", "email_verified": False,
                                     "acr": "1"})


@contextmanager
def provider(require_nonce: bool = True):
    with run_server_in_thread(require_nonce=require_nonce, user_claims=[STRONG, WEAK]) as server:
        yield f"http://localhost:{server.server_port}"


def settings(issuer: str, label: str = "VNeID") -> dict:
    return {"issuer": issuer, "discovery_url": f"{issuer}/.well-known/openid-configuration", "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "scopes": "openid profile email phone", "label": label,
            "level_claim": "acr", "level2_values": ["2"]}


def approve(authorize_url: str, sub: str, **changes) -> str:
    """Sign in at the provider as `sub` (with some parameters of the request changed, as an
    attacker would); returns the URL the provider sends the browser back to."""
    if changes:
        parts = urlsplit(authorize_url)
        query = {key: values[0] for key, values in parse_qs(parts.query).items()}
        query.update(changes)
        authorize_url = urlunsplit(parts._replace(query=urlencode(query)))
    response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:300]
    return response.headers["Location"]


def deny(authorize_url: str) -> str:
    response = requests.post(authorize_url, data={"action": "deny"}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text[:300]
    return response.headers["Location"]


def local(url: str) -> str:
    """The path and query of a URL on the app under test."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def query_of(url: str) -> dict:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
