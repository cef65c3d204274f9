"""Verified organisations: a request with a document, an administrator's review (or the
owner's strong identity), one verified organisation per tax code, members who act for it."""
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError

from app.accounts import oidc
from app.accounts.models import Organisation, OrganisationMember, OrganisationStatus, User
from app.common import paging
from app.common.errors import Conflict, PermissionDenied, ValidationError
from app.common.paging import Page
from app.common.params import valid_id
from app.common.text import clean_line
from app.common.time import utcnow
from app.common.validators import normalize_identifier, normalize_tax_code
from app.extensions import db
from app.submissions import attachments
from app.submissions.models import Submission


class VerifiedBy:
    ADMINISTRATOR = "administrator"
    IDENTITY = "identity"


@dataclass(frozen=True)
class Document:
    """What attachments.serve needs to send a stored file."""

    storage_key: str
    original_name: str
    content_type: str


def request_verification(user: User, name: str, tax_code: str, upload=None) -> Organisation:
    """Ask for an organisation's badge. With ORGANISATION_AUTO_VERIFY_LEVEL reached by the
    owner's identity it is verified at once; otherwise an administrator reviews the document."""
    required = current_app.config.get("ORGANISATION_REQUIRED_LEVEL", 0)
    level = oidc.level_of(user)
    if required and level < required:
        raise ValidationError(None, _("Sign in with the national digital identity (verified in person) before "
                                      "asking to verify an organisation."))
    code = normalize_tax_code(tax_code)
    if not code:
        raise ValidationError("tax_code", _("Enter a valid tax code: 10 digits, or 13 for a branch "
                                            "(0100109106-001)."))
    if _verified_with(code) is not None:
        raise Conflict(_("An organisation with this tax code is already verified. Ask its owner to add you "
                         "as a member."))
    pending = db.session.scalar(select(Organisation).where(
        Organisation.owner_id == user.id, Organisation.tax_code == code,
        Organisation.status == OrganisationStatus.PENDING))
    automatic = current_app.config.get("ORGANISATION_AUTO_VERIFY_LEVEL", 0)
    if upload is None and not (automatic and level >= automatic):
        raise ValidationError("document", _("Attach the business registration certificate or another paper "
                                            "that shows you act for the organisation (PDF or photo)."))
    organisation = pending or Organisation(owner_id=user.id, tax_code=code)
    organisation.name = clean_line(name)[:200]
    if upload is not None:
        try:
            data, content_type, file_name = attachments.prepare(upload)
        except ValidationError as error:
            raise ValidationError("document", str(error)) from error
        if organisation.document_key:
            attachments.remove(organisation.document_key)
        stored = attachments.store(data, content_type, file_name)
        organisation.document_key, organisation.document_name = stored.storage_key, stored.original_name
        organisation.document_type = stored.content_type
    db.session.add(organisation)
    if automatic and level >= automatic:
        _verify(organisation, None, VerifiedBy.IDENTITY)
    _commit_unique()
    return organisation


def review(admin: User, organisation_id: int, approve: bool, note: str = "") -> Organisation:
    """An administrator's decision on a pending request."""
    organisation = find(organisation_id)
    if organisation is None or organisation.status != OrganisationStatus.PENDING:
        raise ValidationError(None, _("This request has already been decided."))
    organisation.note = clean_line(note or "")[:500]
    if approve:
        required = current_app.config.get("ORGANISATION_REQUIRED_LEVEL", 0)
        if required and oidc.level_of(organisation.owner) < required:
            raise ValidationError(None, _("The owner has not signed in with an identity verified in person, "
                                          "which this site requires."))
        if _verified_with(organisation.tax_code) is not None:
            raise Conflict(_("An organisation with this tax code is already verified."))
        _verify(organisation, admin, VerifiedBy.ADMINISTRATOR)
    else:
        organisation.status, organisation.decided_by_id, organisation.decided_at = (
            OrganisationStatus.REJECTED, admin.id, utcnow())
    _commit_unique()
    return organisation


def pending_requests(page: int, per_page: int = 20) -> Page:
    query = (select(Organisation).where(Organisation.status == OrganisationStatus.PENDING)
             .order_by(Organisation.created_at, Organisation.id))
    return paging.fetch(query, page, per_page)


def find(organisation_id: int) -> Organisation | None:
    return db.session.get(Organisation, organisation_id) if valid_id(organisation_id) else None


def document(organisation: Organisation) -> Document | None:
    if not organisation.document_key:
        return None
    return Document(organisation.document_key, organisation.document_name or "giay-to",
                    organisation.document_type or "application/octet-stream")


def of_user(user: User) -> list[Organisation]:
    """The organisations this account owns (any status) or is a member of (verified ones)."""
    member = select(OrganisationMember.organisation_id).where(OrganisationMember.user_id == user.id)
    return list(db.session.scalars(select(Organisation).where(or_(
        Organisation.owner_id == user.id,
        Organisation.id.in_(member) & (Organisation.status == OrganisationStatus.VERIFIED),
    )).order_by(Organisation.created_at.desc(), Organisation.id.desc())))


def acts_for(user, organisation: Organisation) -> bool:
    """The owner, or a member of a verified organisation."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if organisation.owner_id == user.id:
        return True
    return organisation.verified and db.session.scalar(select(exists().where(
        OrganisationMember.organisation_id == organisation.id, OrganisationMember.user_id == user.id)))


def add_member(owner: User, organisation: Organisation, identifier: str) -> OrganisationMember:
    """The owner lets an existing account act for the verified organisation."""
    _ensure_owner(owner, organisation)
    parsed = normalize_identifier(identifier)
    column = User.email if parsed and parsed[0] == "email" else User.phone
    user = db.session.scalar(select(User).where(column == parsed[1])) if parsed else None
    if user is None:
        raise ValidationError("identifier", _("No account has this e-mail address or mobile number. Ask the "
                                              "person to create one first."))
    if user.id == organisation.owner_id or any(member.user_id == user.id for member in organisation.members):
        raise ValidationError("identifier", _("This account already acts for the organisation."))
    member = OrganisationMember(organisation_id=organisation.id, user_id=user.id)
    db.session.add(member)
    db.session.commit()
    return member


def remove_member(owner: User, organisation: Organisation, member_id: int) -> None:
    _ensure_owner(owner, organisation)
    member = db.session.get(OrganisationMember, member_id) if valid_id(member_id) else None
    if member is None or member.organisation_id != organisation.id:
        raise ValidationError(None, _("This person is no longer a member."))
    db.session.delete(member)
    db.session.commit()


def submissions(organisation: Organisation, page: int, per_page: int = 20) -> Page:
    """What the organisation sent: submissions under its tax code by its owner or members."""
    people = select(OrganisationMember.user_id).where(OrganisationMember.organisation_id == organisation.id)
    query = (select(Submission)
             .where(Submission.tax_code == organisation.tax_code,
                    or_(Submission.user_id == organisation.owner_id, Submission.user_id.in_(people)))
             .order_by(Submission.received_at.desc(), Submission.id.desc()))
    return paging.fetch(query, page, per_page)


def verified_names(user_ids) -> dict[int, str]:
    """The verified organisation each account acts for (the first, if several), by user id:
    the forum's organisation badge follows this and nothing the account declares itself."""
    ids = list(user_ids)
    if not ids:
        return {}
    verified = Organisation.status == OrganisationStatus.VERIFIED
    owned = db.session.execute(select(Organisation.owner_id, Organisation.name)
                               .where(Organisation.owner_id.in_(ids), verified).order_by(Organisation.id)).all()
    joined = db.session.execute(
        select(OrganisationMember.user_id, Organisation.name).join(Organisation)
        .where(OrganisationMember.user_id.in_(ids), verified).order_by(Organisation.id)).all()
    names: dict[int, str] = {}
    for user_id, name in [*owned, *joined]:
        names.setdefault(user_id, name)
    return names


def _verify(organisation: Organisation, admin: User | None, how: str) -> None:
    organisation.status, organisation.verified_by = OrganisationStatus.VERIFIED, how
    organisation.decided_by_id = admin.id if admin else None
    organisation.decided_at = utcnow()


def _verified_with(code: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.tax_code == code,
                                                        Organisation.status == OrganisationStatus.VERIFIED))


def _commit_unique() -> None:
    """The partial unique index decides between two verifications at the same moment."""
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict(_("An organisation with this tax code is already verified.")) from error


def _ensure_owner(user: User, organisation: Organisation) -> None:
    if organisation.owner_id != user.id or not organisation.verified:
        raise PermissionDenied(_("Only the owner of a verified organisation can change its members."))
