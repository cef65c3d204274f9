"""The real client's address and scheme, taken from X-Forwarded-* only when a trusted proxy
sent them: otherwise anyone could pick the address a rate limit counts.

TRUSTED_PROXIES is empty (the headers are ignored: the app faces clients itself), a number
of proxy hops in front of the app (Werkzeug's ProxyFix: 1 for nginx alone, 2 for a load
balancer in front of nginx), or a comma-separated list of the proxies' networks
("127.0.0.1/32, ::1/128, 10.0.0.0/8"): then X-Forwarded-For is read from the right, and
the first address that is not a trusted proxy is the client, as nginx's real_ip_recursive
does, however many hops there are.
"""
import ipaddress

from flask import Flask, current_app, g, request, session
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def install(app: Flask) -> None:
    app.after_request(allow_micro_cache)
    setting = str(app.config.get("TRUSTED_PROXIES") or "").strip()
    if not setting:
        return
    if setting.isdigit():
        hops = int(setting)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    else:
        app.wsgi_app = TrustedNetworks(app.wsgi_app, parse_networks(setting))


def parse_networks(setting: str) -> list[Network]:
    """Networks from "a/n, b/m"; a bad entry stops the start with the entry named."""
    networks = []
    for item in filter(None, (part.strip() for part in setting.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise ValueError(f"TRUSTED_PROXIES: {item!r} is neither a number of hops nor a network") from None
    return networks


class TrustedNetworks:
    """WSGI middleware: REMOTE_ADDR becomes the client behind the trusted proxies."""

    def __init__(self, wsgi_app, networks: list[Network]):
        self.wsgi_app = wsgi_app
        self.networks = networks

    def trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def __call__(self, environ, start_response):
        peer = environ.get("REMOTE_ADDR", "")
        if self.trusted(peer):
            environ["werkzeug.proxy_fix.orig_remote_addr"] = peer
            environ["REMOTE_ADDR"] = self.client(peer, environ.get("HTTP_X_FORWARDED_FOR", ""))
            scheme = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[-1].strip().lower()
            if scheme in ("http", "https"):
                environ["wsgi.url_scheme"] = scheme
        return self.wsgi_app(environ, start_response)

    def client(self, peer: str, forwarded_for: str) -> str:
        client = peer
        for address in reversed([part.strip() for part in forwarded_for.split(",") if part.strip()]):
            try:
                ipaddress.ip_address(address)
            except ValueError:
                break  # not an address: keep the last hop a trusted proxy vouched for
            client = address
            if not self.trusted(address):
                break
        return client


def allow_micro_cache(response):
    """Let nginx keep an anonymous public page for MICRO_CACHE_SECONDS (X-Accel-Expires, which
    nginx reads and never passes on): a page anyone would be given alike, so no signed-in
    reader, no page marked personal, no session being written (a CSRF token, a flash), no
    error and no write. Browsers still revalidate by ETag; nginx keys by URL and by the Vary
    headers (language, htmx, encoding), and serves a change at most that many seconds late."""
    seconds = current_app.config.get("MICRO_CACHE_SECONDS", 0)
    cacheable = (seconds and request.method == "GET" and response.status_code == 200
                 and response.mimetype == "text/html" and not g.get("personal_page") and not session.modified
                 and not current_user.is_authenticated and "no-store" not in response.headers.get("Cache-Control", "")
                 and "Set-Cookie" not in response.headers)
    if cacheable:
        response.headers["X-Accel-Expires"] = str(seconds)
    return response
