"""Sign-in with OpenID Connect providers, the national digital identity (VNeID / VNConnect)
among them: the platform is a relying party through Authlib (authorization code flow with
PKCE; state, nonce, the ID token's signature, issuer, audience and times all checked). An
identity keeps the provider, the subject and the assurance level the provider vouches for."""
from dataclasses import dataclass

import requests
from authlib.integrations.flask_client import OAuth, OAuthError
from flask import current_app
from flask_babel import gettext as _
from joserfc.errors import JoseError
from sqlalchemy import select

from app.accounts.models import AssuranceLevel, Identity, User
from app.common.roles import Role
from app.common.text import clean_line
from app.common.time import utcnow
from app.common.validators import normalize_mobile
from app.extensions import db

_REGISTRY_KEY = "gopy.oidc"


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    level_claim: str
    level2_values: tuple[str, ...]


class SignInFailed(Exception):
    """A sign-in the provider or the checks refused: the page says why, with this status."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


def providers() -> list[Provider]:
    """The configured providers, in the order OIDC_PROVIDERS names them."""
    return [Provider(name, settings["label"], settings["level_claim"], tuple(settings["level2_values"]))
            for name, settings in current_app.config.get("OIDC_PROVIDERS", {}).items()]


def find_provider(name: str) -> Provider | None:
    return next((provider for provider in providers() if provider.name == name), None)


def client(name: str):
    """Authlib's client for a provider. The registry is built from the configuration the first
    time and again whenever the configuration changes (a test may point at a new provider)."""
    configured = current_app.config.get("OIDC_PROVIDERS", {})
    fingerprint = repr(sorted((name, sorted(settings.items())) for name, settings in configured.items()))
    cached = current_app.extensions.get(_REGISTRY_KEY)
    if cached is None or cached[0] != fingerprint:
        registry = OAuth(current_app)
        for provider_name, settings in configured.items():
            registry.register(
                provider_name, client_id=settings["client_id"], client_secret=settings["client_secret"],
                server_metadata_url=settings["discovery_url"],
                client_kwargs={"scope": settings["scopes"], "code_challenge_method": "S256",
                               "default_timeout": current_app.config.get("OIDC_TIMEOUT_SECONDS", 10)})
        cached = current_app.extensions[_REGISTRY_KEY] = (fingerprint, registry)
    return cached[1].create_client(name)


def start(name: str, redirect_uri: str):
    """The redirect to the provider's sign-in page; state, nonce and the PKCE verifier are kept
    in the signed session until the person comes back."""
    try:
        return client(name).authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as error:
        current_app.logger.warning("oidc provider %s unreachable: %s", name, type(error).__name__)
        raise SignInFailed(_("The identity service is not answering. Try again in a few minutes, or sign in "
                             "with your password."), 502) from error


def finish(name: str) -> dict:
    """The verified claims of the ID token the provider sent back, or SignInFailed."""
    oauth = client(name)
    try:
        token = oauth.authorize_access_token()
    except OAuthError as error:
        if error.error == "access_denied":
            raise SignInFailed(_("The sign-in was cancelled at the identity service. Nothing was changed."),
                               403) from error
        if error.error == "mismatching_state":
            raise SignInFailed(_("This sign-in link has already been used or did not start here. Start the "
                                 "sign-in again from this site."), 400) from error
        raise SignInFailed(_("The identity service refused the sign-in. Start again from this site."), 400) \
            from error
    except JoseError as error:
        current_app.logger.warning("oidc id token refused from %s: %s", name, type(error).__name__)
        raise SignInFailed(_("The identity service's answer could not be verified, so it was not accepted. "
                             "Start the sign-in again."), 400) from error
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as error:
        current_app.logger.warning("oidc provider %s failed: %s", name, type(error).__name__)
        raise SignInFailed(_("The identity service is not answering. Try again in a few minutes, or sign in "
                             "with your password."), 502) from error
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        # No ID token, or one Authlib did not check (no nonce in the session): never trusted.
        raise SignInFailed(_("The identity service's answer could not be verified, so it was not accepted. "
                             "Start the sign-in again."), 400)
    return dict(claims)


def assurance_level(provider: Provider, claims: dict) -> int:
    """2 when the configured claim (`acr` by default) holds a value meaning "verified in
    person"; 1 for any other identity the provider vouches for."""
    value = claims.get(provider.level_claim)
    if value is not None and str(value) in provider.level2_values:
        return AssuranceLevel.IN_PERSON
    return AssuranceLevel.DECLARED


def linked_identity(provider: str, subject: str) -> Identity | None:
    return db.session.scalar(select(Identity).where(Identity.provider == provider, Identity.subject == subject))


def sign_in(provider: Provider, claims: dict) -> User:
    """The account this identity opens: the one it is linked to, else an account with the same
    verified e-mail address or phone (linked now), else a new account made from the claims."""
    identity = linked_identity(provider.name, claims["sub"])
    if identity is not None:
        if not identity.user.active:
            raise SignInFailed(_("This account has been suspended."), 403)
        _refuse_staff(identity.user)
        _refresh(identity, provider, claims)
        db.session.commit()
        return identity.user
    email, phone = _verified_contacts(claims)
    user = _matching_account(email, phone)
    if user is None:
        # A contact another account holds but never proved stays with it: the new account
        # goes without it rather than take over (or be taken over through) that account.
        email = None if email and _holder(User.email, email) else email
        phone = None if phone and _holder(User.phone, phone) else phone
        user = User(full_name=_name(claims), email=email, phone=phone,
                    email_verified_at=utcnow() if email else None, phone_verified_at=utcnow() if phone else None)
        db.session.add(user)
        db.session.flush()
    elif not user.active:
        raise SignInFailed(_("This account has been suspended."), 403)
    else:
        _refuse_staff(user)
    _attach(user, provider, claims)
    db.session.commit()
    return user


def link(user: User, provider: Provider, claims: dict) -> Identity:
    """Attach the identity to the signed-in account; one already linked elsewhere is refused."""
    identity = linked_identity(provider.name, claims["sub"])
    if identity is not None and identity.user_id != user.id:
        raise SignInFailed(_("This identity is already linked to another account. Sign in with it, or ask us "
                             "to move it."), 409)
    if identity is None:
        identity = _attach(user, provider, claims)
    else:
        _refresh(identity, provider, claims)
    db.session.commit()
    return identity


def level_of(user) -> int:
    """The highest assurance level among the account's identities (0 without any)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return AssuranceLevel.NONE
    found = db.session.scalar(select(db.func.max(Identity.assurance_level)).where(Identity.user_id == user.id))
    return found or AssuranceLevel.NONE


def identities(user: User) -> list[Identity]:
    return list(db.session.scalars(select(Identity).where(Identity.user_id == user.id).order_by(Identity.id)))


def _refuse_staff(user: User) -> None:
    """Staff and moderators sign in with their password (and its second factor), never through
    a provider: an identity may be linked to their account, but it does not open it."""
    if user.is_staff or user.role in Role.MODERATORS:
        raise SignInFailed(_("Staff accounts sign in with their password on this site, not with a digital "
                             "identity."), 403)


def _attach(user: User, provider: Provider, claims: dict) -> Identity:
    identity = Identity(user_id=user.id, provider=provider.name, subject=str(claims["sub"])[:255])
    _refresh(identity, provider, claims)
    db.session.add(identity)
    return identity


def _refresh(identity: Identity, provider: Provider, claims: dict) -> None:
    identity.assurance_level = assurance_level(provider, claims)
    acr = claims.get(provider.level_claim)
    identity.acr = str(acr)[:64] if acr is not None else None
    identity.last_login_at = utcnow()


def _verified_contacts(claims: dict) -> tuple[str | None, str | None]:
    """Only contacts the provider says it verified: an unverified one could be anyone's."""
    email = phone = None
    if claims.get("email") and claims.get("email_verified") is True:
        email = str(claims["email"]).strip().lower()[:254]
    if claims.get("phone_number") and claims.get("phone_number_verified") is True:
        phone = normalize_mobile(str(claims["phone_number"]))
    return email, phone


def _matching_account(email: str | None, phone: str | None) -> User | None:
    """The account that proved it holds the same e-mail address or phone."""
    for column, verified, value in ((User.email, User.email_verified_at, email),
                                    (User.phone, User.phone_verified_at, phone)):
        if value:
            user = db.session.scalar(select(User).where(column == value, verified.is_not(None)))
            if user is not None:
                return user
    return None


def _holder(column, value: str) -> User | None:
    return db.session.scalar(select(User).where(column == value))


def _name(claims: dict) -> str:
    parts = (claims.get("family_name"), claims.get("middle_name"), claims.get("given_name"))
    name = claims.get("name") or " ".join(str(part) for part in parts if part)
    return clean_line(str(name or ""))[:120] or _("Member")
