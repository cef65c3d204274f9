"""Open311 GeoReport v2 at /open311/v2, in XML (the standard's required format) and JSON:
discovery, services (our topics), service definitions, requests (published submissions; a
POST with api_key creates one), one request, and tokens. Our submissions are located by
commune: address_id is the commune's code and address reads "commune, province"; a lat/long
a client sends is kept. With extensions=true a request also carries our detailed status and
a few fields FixMyStreet's extensions carry (title, agency_sent_datetime, interface_used)."""
import xml.etree.ElementTree as ET
from datetime import timedelta
from functools import lru_cache

from flask import current_app, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.api import bp_open311 as bp
from app.api import creating, http
from app.api.problems import PROBLEM_TYPES, Problem
from app.api.schemas import UtcDateTime
from app.api.tokens import Scope
from app.common import errors, places
from app.common.time import utcnow
from app.extensions import db
from app.submissions import codes
from app.submissions.models import Submission, SubmissionEvent, Topic
from app.submissions.states import KIND_CHOICES, Kind, Status, status_label

FORMATS = "<any(json, xml):fmt>"
CLOSED = (Status.ANSWERED, Status.CLOSED, Status.REJECTED)
MAX_REQUESTS = 1000
DEFAULT_WINDOW = timedelta(days=90)
CHANGESET = "2026-12-01T00:00:00Z"
# The XML element of one item of each list.
ITEM_NAMES = {"services": "service", "attributes": "attribute", "values": "value", "endpoints": "endpoint",
              "formats": "format", "service_requests": "request", "errors": "error"}


def _jurisdiction() -> str:
    return current_app.config.get("OPEN311_JURISDICTION", "gopy.gov.vn")


def _reply(root: str, data, status: int = 200):
    """The same data as JSON, or as XML under `root`, as the URL's extension asks."""
    if (request.view_args or {}).get("fmt") == "xml" or request.path.endswith(".xml"):
        body = ET.tostring(_element(root, data), encoding="utf-8", xml_declaration=True)
        response = current_app.response_class(body, status=status, mimetype="text/xml")
        response.headers["Cache-Control"] = "private, no-cache"
        return response
    return http.json_response(data, status=status)


def _element(name: str, value) -> ET.Element:
    element = ET.Element(name)
    if isinstance(value, list):
        for item in value:
            element.append(_element(ITEM_NAMES.get(name, "item"), item))
    elif isinstance(value, dict):
        for key, item in value.items():
            element.append(_element(key, item))
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)
    return element


def _check_jurisdiction() -> None:
    given = request.values.get("jurisdiction_id")
    if given and given != _jurisdiction():
        raise Problem("not-found", _("This server answers for the jurisdiction %(id)s only.", id=_jurisdiction()))


@bp.errorhandler(Problem)
def _open311_error(problem: Problem):
    """Open311's own error form: a list of {code, description}."""
    description = problem.detail or str(PROBLEM_TYPES[problem.slug][1])
    if problem.errors:
        description += " " + "; ".join(f"{e['name']}: {e['reason']}" for e in problem.errors)
    response = _reply("errors", [{"code": problem.status, "description": description}], status=problem.status)
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def _http_error(error):
    slug = next((s for s, (code, _title) in PROBLEM_TYPES.items() if code == error.code), "bad-request")
    return _open311_error(Problem(slug))


def _server_error():
    return _open311_error(Problem("server-error"))


# Errors the routing meets (an unknown path, a wrong method) answer in Open311's form too.
bp.record_once(lambda state: errors.answer_machines(state.app, ("/open311/",), _http_error, _server_error))


def _guarded(scope: str | None = None):
    _check_jurisdiction()
    who = http.require(scope)
    http.rate_limit(who)
    return who


@bp.get(f"/discovery.{FORMATS}")
def discovery(fmt):
    """Where this server's GeoReport v2 endpoint is and what it speaks."""
    _guarded()
    endpoint = {"specification": "http://wiki.open311.org/GeoReport_v2", "url": _root(), "changeset": CHANGESET,
                "type": "production", "formats": ["text/xml", "application/json"]}
    data = {"changeset": CHANGESET, "contact": url_for("api_docs.guide", _external=True, _anchor="open311"),
            "key_service": url_for("api_docs.guide", _external=True, _anchor="tokens"), "endpoints": [endpoint]}
    return _reply("discovery", data)


def _root() -> str:
    return url_for("open311.discovery", fmt="json", _external=True).rsplit("/", 1)[0]


def _services() -> list[Topic]:
    """Every active topic that submissions are filed under: the leaves of the tree."""
    topics = db.session.scalars(select(Topic).where(Topic.active).order_by(Topic.position, Topic.id)).all()
    parents = {t.parent_id for t in topics if t.parent_id}
    return [t for t in topics if t.id not in parents]


@bp.get(f"/services.{FORMATS}")
def services(fmt):
    """Our topics as service types; the parent topic is the group."""
    _guarded()
    locale = str(get_locale())
    names = {t.id: t.localized_name(locale) for t in db.session.scalars(select(Topic))}
    data = [{"service_code": t.slug, "service_name": t.localized_name(locale),
             "description": _("Feedback, proposals and initiatives about: %(topic)s", topic=t.localized_name(locale)),
             "metadata": True, "type": "realtime", "keywords": t.slug.replace("-", ","),
             "group": names.get(t.parent_id)} for t in _services()]
    return _reply("services", data)


@bp.get(f"/services/<service_code>.{FORMATS}")
def service_definition(service_code, fmt):
    """The attributes a request of this service may carry besides the standard fields."""
    _guarded()
    if service_code not in {t.slug for t in _services()}:
        raise Problem("not-found", _("There is no service with this code."))
    kinds = [{"key": key, "name": str(label)} for key, label in KIND_CHOICES]
    yes_no = [{"key": "false", "name": _("No")}, {"key": "true", "name": _("Yes")}]
    attributes = [
        _attribute("kind", "singlevaluelist", 1, _("What is sent (a concern by default)."), kinds),
        _attribute("title", "string", 2, _("A short title, 5 to 200 characters (the description's start by "
                                             "default).")),
        _attribute("publish", "singlevaluelist", 3, _("The person agrees to publish the submission and its answer."),
                   yes_no),
        _attribute("legal_reference", "string", 4, _("The legal document concerned, if any.")),
    ]
    return _reply("service_definition", {"service_code": service_code, "attributes": attributes})


def _attribute(code: str, datatype: str, order: int, description: str, values=None) -> dict:
    attribute = {"variable": True, "code": code, "datatype": datatype, "required": False,
                 "datatype_description": None, "order": order, "description": description}
    if values is not None:
        attribute["values"] = values
    return attribute


@bp.post(f"/requests.{FORMATS}")
def create_request(fmt):
    """Create a request (a submission) with a token holding create:submissions, as api_key.
    The request is made at once: the answer carries its service_request_id (and a token)."""
    who = _guarded(Scope.CREATE_SUBMISSIONS)
    values = request.form
    created, _private, _replayed = creating.create(_body(values), who.token_id)
    notice = _("Received. Follow it with the tracking code %(code)s.", code=codes.display(created.code))
    data = [{"service_request_id": created.code, "token": created.idempotency_key, "service_notice": notice,
             "account_id": None}]
    return _reply("service_requests", data, status=201)


def _body(values) -> dict:
    """Open311's fields as the API's submission: the service is the topic, the commune comes
    from address_id, the person's consent to processing is the client app's to collect."""
    description = (values.get("description") or "").strip()
    title = (values.get("attribute[title]") or description.split("\n", 1)[0][:120]).strip()
    name = " ".join(part for part in (values.get("first_name"), values.get("last_name")) if part).strip()
    commune = _int(values.get("address_id"))
    body = {"kind": values.get("attribute[kind]") or Kind.CONCERN, "topic": values.get("service_code") or "",
            "title": title, "content": description, "contact_name": name,
            "contact_phone": values.get("phone") or None, "contact_email": values.get("email") or None,
            "legal_reference": values.get("attribute[legal_reference]") or None,
            "consent_processing": True, "consent_publish": values.get("attribute[publish]") == "true",
            "province": _province_of(commune), "commune": commune if _province_of(commune) else None,
            "lat": _float(values.get("lat"), 90), "long": _float(values.get("long"), 180)}
    if not body["topic"]:
        raise Problem("invalid-input", errors=[{"name": "service_code", "reason": _("Choose a service.")}])
    if body["kind"] not in Kind.ALL:
        raise Problem("invalid-input", errors=[{"name": "attribute[kind]", "reason": _("Choose one of the options.")}])
    return body


def _int(raw) -> int | None:
    return int(raw) if raw and raw.isdigit() and len(raw) < 10 else None


def _float(raw, bound: float) -> float | None:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return None
    return value if -bound <= value <= bound else None


@lru_cache(maxsize=1)
def _province_by_commune() -> dict[int, int]:
    return {ward: province for province, _name in places.provinces() for ward, _w in places.wards(province)}


def _province_of(commune: int | None) -> int | None:
    return _province_by_commune().get(commune) if commune else None


@bp.get(f"/requests.{FORMATS}")
def requests_list(fmt):
    """Published submissions, newest first: by ids, or by service, status and date range
    (the last 90 days by default), at most 1,000."""
    _guarded()
    query = select(Submission).where(Submission.consent_publish.is_(True), Submission.merged_into_id.is_(None))
    ids = _list_arg("service_request_id")
    if ids:
        query = query.where(Submission.code.in_([c for c in ids if codes.is_valid(c)][:MAX_REQUESTS]))
    else:
        query = _filtered(query)
    rows = db.session.scalars(query.order_by(Submission.received_at.desc(), Submission.id.desc())
                              .limit(MAX_REQUESTS)).all()
    return _reply("service_requests", _requests(rows))


def _filtered(query):
    services = _list_arg("service_code")
    if services:
        query = query.where(Submission.topic_id.in_(select(Topic.id).where(Topic.slug.in_(services))))
    statuses = set(_list_arg("status"))
    if statuses - {"open", "closed"}:
        raise Problem("invalid-input", errors=[{"name": "status", "reason": _("open or closed.")}])
    if statuses == {"open"}:
        query = query.where(Submission.status.not_in(CLOSED))
    elif statuses == {"closed"}:
        query = query.where(Submission.status.in_(CLOSED))
    end = _date_arg("end_date") or utcnow()
    start = _date_arg("start_date") or end - DEFAULT_WINDOW
    return query.where(Submission.received_at >= start, Submission.received_at <= end)


def _list_arg(name: str) -> list[str]:
    return [part.strip() for part in request.args.get(name, "").split(",") if part.strip()][:MAX_REQUESTS]


def _date_arg(name: str):
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return UtcDateTime().deserialize(raw)
    except Exception:
        raise Problem("invalid-input", errors=[{"name": name, "reason": _("A W3C date and time, like "
                                                                            "2026-01-31T08:00:00Z.")}]) from None


@bp.get(f"/requests/<service_request_id>.{FORMATS}")
def request_detail(service_request_id, fmt):
    """One request by its id (the tracking code)."""
    _guarded()
    submission = None
    if codes.is_valid(service_request_id):
        submission = db.session.scalar(select(Submission).where(Submission.code == service_request_id))
    if submission is None:
        raise Problem("not-found", _("No request has this id."))
    return _reply("service_requests", _requests([submission]))


@bp.get(f"/tokens/<token>.{FORMATS}")
def token_lookup(token, fmt):
    """The request id a POST's token stands for (our requests are made at once)."""
    _guarded()
    submission = None
    if len(token) == 32 and all(c in "0123456789abcdef" for c in token):
        submission = db.session.scalar(select(Submission).where(Submission.idempotency_key == token))
    if submission is None:
        raise Problem("not-found", _("No request has this token."))
    return _reply("service_requests", [{"service_request_id": submission.code, "token": token}])


def _requests(rows) -> list[dict]:
    """Requests as GeoReport describes them; only what the public tracking page shows, and
    the text only for published submissions."""
    locale, extended = str(get_locale()), request.args.get("extensions") == "true"
    sent = _sent_times([s.id for s in rows]) if extended else {}
    result = []
    for s in rows:
        item = {"service_request_id": s.code, "status": "closed" if s.status in CLOSED else "open",
                "status_notes": status_label(s.status),
                "service_name": s.topic.localized_name(locale) if s.topic else None,
                "service_code": s.topic.slug if s.topic else "",
                "description": s.content if s.consent_publish else None,
                "agency_responsible": s.agency.localized_name(locale) if s.agency else None,
                "service_notice": None, "requested_datetime": _w3c(s.received_at),
                "updated_datetime": _w3c(s.closed_at or s.updated_at),
                "expected_datetime": f"{s.due_date.isoformat()}T17:00:00+07:00" if s.due_date else None,
                "address": _address(s), "address_id": str(s.ward_code) if s.ward_code else None, "zipcode": None,
                "lat": s.latitude if s.consent_publish else None, "long": s.longitude if s.consent_publish else None,
                "media_url": None}
        if extended:
            item.update(detailed_status=s.status, title=s.title if s.consent_publish else None,
                        agency_sent_datetime=_w3c(sent.get(s.id)), interface_used="Góp Ý")
        result.append(item)
    return result


def _sent_times(ids: list[int]) -> dict:
    """When each submission first went to an agency (FixMyStreet's agency_sent_datetime)."""
    if not ids:
        return {}
    first = aliased(SubmissionEvent)
    rows = db.session.execute(select(first.submission_id, first.created_at)
                              .where(first.submission_id.in_(ids), first.action == "assign")).all()
    return dict(rows)


@lru_cache(maxsize=1)
def _commune_names() -> dict[int, str]:
    """Every commune's name by code, built once: a list of 1,000 requests names one each."""
    return {ward: name for province, _p in places.provinces() for ward, name in places.wards(province)}


def _address(submission) -> str | None:
    parts = [_commune_names().get(submission.ward_code, "") if submission.province_code else "",
             places.province_name(submission.province_code)]
    text = ", ".join(part for part in parts if part)
    return text or None


def _w3c(moment) -> str | None:
    return moment.replace(microsecond=0).isoformat() + "Z" if moment else None
