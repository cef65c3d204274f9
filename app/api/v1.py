"""The JSON API, version 1: published submissions and reference data for everyone; an
agency's own cases and its workflow steps, and new submissions, for tokens with the scope."""
from flask import request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.agencies.models import Agency
from app.api import bp_v1 as bp
from app.api import creating, http, resources, schemas, spec, steps
from app.api.http import json_response
from app.api.problems import Problem, from_domain_error
from app.api.spec import operation
from app.api.tokens import Scope
from app.common import places
from app.common.errors import DomainError
from app.desk.services import on_time_rates
from app.extensions import db
from app.submissions import attachments
from app.submissions.lookups import find_by_code
from app.submissions.models import Attachment, Topic

CODE = ({"type": "string", "pattern": schemas.CODE_PATTERN}, _l("The tracking code, 10 digits."))
SUBMISSIONS, CASES, REFERENCE = "submissions", "cases", "reference"


def _listing(listing, items: list) -> dict:
    following = url_for(request.endpoint, **{**request.args.to_dict(), "cursor": listing.next_cursor},
                        _external=True) if listing.next_cursor else None
    return {"items": items, "next_cursor": listing.next_cursor, "links": {"next": following}}


def _link_header(page: dict) -> dict:
    return {"Link": f'<{page["links"]["next"]}>; rel="next"'} if page["links"]["next"] else {}


@bp.get("/submissions")
@operation(summary=_l("List published submissions"), tag=SUBMISSIONS, query=schemas.SubmissionListArgs,
           response=schemas.SubmissionPage,
           description=_l("Submissions whose senders agreed to publication, with filters, by last change. "
                          "Follow next_cursor (or the Link header) to the end; for a sync, ask with "
                          "updated_since and order=asc."))
def submissions(who, args):
    listing = resources.page(resources.filtered(resources.public_query(), args), args)
    answers = resources.published_answers(listing.items)
    body = schemas.SubmissionPage().dump(_listing(listing, [resources.public_view(s, answers) for s in listing.items]))
    newest = max((s.updated_at for s in listing.items), default=None)
    return json_response(body, last_modified=newest, headers=_link_header(body))


@bp.get("/submissions/<code>")
@operation(summary=_l("One submission by its tracking code"), tag=SUBMISSIONS, path={"code": CODE},
           response=schemas.SubmissionDetail,
           description=_l("What the public tracking page shows: status, agency, deadline and the steps; "
                          "title, content, answer and notes only when the sender agreed to publication. "
                          "Never any personal data."))
def submission(who, code):
    found = find_by_code(code) or _not_found()
    body = resources.public_view(found, resources.published_answers([found]))
    body["timeline"] = resources.public_timeline(found)
    return json_response(schemas.SubmissionDetail().dump(body), last_modified=found.updated_at)


@bp.get("/submissions/<code>/timeline")
@operation(summary=_l("The public timeline of a submission"), tag=SUBMISSIONS, path={"code": CODE},
           response=schemas.TimelineEntry(many=True))
def timeline(who, code):
    found = find_by_code(code) or _not_found()
    return json_response(schemas.TimelineEntry(many=True).dump(resources.public_timeline(found)),
                         last_modified=found.updated_at)


@bp.post("/submissions")
@operation(summary=_l("Send a submission on a person's behalf"), tag=SUBMISSIONS, scope=Scope.CREATE_SUBMISSIONS,
           body=schemas.SubmissionCreate, multipart=True, response=schemas.Created, status=201,
           errors=(413, 415, 422),
           headers={"Idempotency-Key": _l("Any unique string up to 200 characters. Sending the same request "
                                          "again with the same key (a retry after a lost answer) returns the "
                                          "submission made the first time, never a second one.")},
           links={"GetSubmission": {"operationId": "submission", "parameters": {"code": "$response.body#/code"}}},
           description=_l("Checked exactly like the website's form. As multipart/form-data, up to 3 files "
                          "(JPEG, PNG, WebP up to 20 MB, stored shrunk; PDF up to 5 MB) under the name attachments. "
                          "The person is told of every step by e-mail or SMS, like any submitter."))
def create_submission(who, body):
    created, token, replayed = creating.create(body, who.token_id, request.files.getlist("attachments"))
    reply = {"code": created.code, "url": url_for("api_v1.submission", code=created.code, _external=True),
             "web_url": url_for("tracking.show", code=created.code, _external=True),
             "private_url": url_for("tracking.private", token=token, _external=True),
             "status": created.status, "replayed": replayed}
    return json_response(schemas.Created().dump(reply), status=201, personal=True,
                         headers={"Location": reply["url"], **({"Idempotent-Replayed": "true"} if replayed else {})})


@bp.get("/cases")
@operation(summary=_l("The agency's own cases, with contact details"), tag=CASES, scope=Scope.READ_CASES,
           query=schemas.SubmissionListArgs, response=schemas.CasePage,
           description=_l("Every submission the token's agency handles now, published or not, with the "
                          "submitter's contact and the steps the token may take. Nothing of other agencies."))
def cases(who, args):
    listing = resources.page(resources.filtered(resources.cases_query(who), args), args)
    answers, names = resources.published_answers(listing.items), resources.assignee_names(listing.items)
    items = [resources.case_view(s, who, answers, names) for s in listing.items]
    body = schemas.CasePage().dump(_listing(listing, items))
    return json_response(body, personal=True, headers=_link_header(body))


@bp.get("/cases/<code>")
@operation(summary=_l("One of the agency's cases"), tag=CASES, scope=Scope.READ_CASES, path={"code": CODE},
           response=schemas.CaseDetail,
           description=_l("The whole case as the desk shows it: contact, attachments, the draft answer, "
                          "every event with internal notes, and the steps open now."))
def case(who, code):
    found = resources.handled_case(who, code) or _not_found()
    body = resources.case_view(found, who, resources.published_answers([found]), resources.assignee_names([found]))
    body.update(timeline=resources.case_timeline(found), attachments=resources.attachments_of(found),
                draft=resources.draft_of(found))
    return json_response(schemas.CaseDetail().dump(body), personal=True, last_modified=found.updated_at)


@bp.get("/cases/<code>/attachments/<id:attachment_id>")
@operation(summary=_l("Download an attachment of a case"), tag=CASES, scope=Scope.READ_CASES,
           path={"code": CODE, "attachment_id": ({"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
                                                 _l("The attachment's id, from the case."))})
def case_attachment(who, code, attachment_id):
    found = resources.handled_case(who, code) or _not_found()
    item = db.session.get(Attachment, attachment_id)
    if item is None or item.submission_id != found.id:
        _not_found()
    response = attachments.serve(item) or _not_found()
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/cases/<code>/steps/<step>")
@operation(summary=_l("Take a workflow step on a case"), tag=CASES, scope=Scope.WRITE_CASES,
           path={"code": CODE, "step": ({"type": "string", "enum": list(steps.STEPS)},
                                        _l("take, request_info, note, draft, answer or transfer."))},
           body=schemas.StepBody, response=schemas.StepResult, errors=(409, 415, 422),
           links={"GetCase": {"operationId": "case", "parameters": {"code": "$request.path.code"}}},
           description=_l("The same step as the desk's button, through the same workflow: the same "
                          "permission rule, the same event in the timeline, the same messages to the "
                          "submitter. answer publishes the pending draft and needs a lead's token; "
                          "transfer needs a lead's token too. Send the version you read; read the case "
                          "again (read:cases) for the rest."))
def take_step(who, code, step, body):
    if step not in steps.STEPS:
        _not_found()
    found = resources.handled_case(who, code) or _not_found()
    agency_id = _agency_id(body.get("agency")) if step == "transfer" else None
    try:
        steps.take(step, found, who, body["version"], text=body.get("text"), agency_id=agency_id)
    except DomainError as error:
        db.session.rollback()
        raise from_domain_error(error) from None
    db.session.refresh(found)
    ours = resources.handled_case(who, code) is not None  # a transfer takes the case away
    result = {"code": code, "status": found.status, "version": found.version if ours else None,
              "steps": steps.allowed(who, found) if ours else []}
    return json_response(schemas.StepResult().dump(result), personal=True)


def _agency_id(code: str | None) -> int:
    agency_id = db.session.scalar(select(Agency.id).where(Agency.code == (code or "").upper(), Agency.active))
    if agency_id is None:
        raise Problem("invalid-input", _("Choose an agency."),
                      errors=[{"name": "agency", "reason": _("Choose an agency.")}])
    return agency_id


@bp.get("/topics")
@operation(summary=_l("The topic tree"), tag=REFERENCE, response=schemas.TopicOut(many=True))
def topics(who):
    rows = db.session.scalars(select(Topic).order_by(Topic.parent_id.is_not(None), Topic.position, Topic.id)).all()
    slugs = {t.id: t.slug for t in rows}
    body = [{"slug": t.slug, "name": t.name, "name_en": t.name_en, "parent": slugs.get(t.parent_id),
             "active": t.active} for t in rows]
    return json_response(schemas.TopicOut(many=True).dump(body))


@bp.get("/agencies")
@operation(summary=_l("The agencies that handle submissions"), tag=REFERENCE, response=schemas.AgencyOut(many=True))
def agencies(who):
    rows = db.session.scalars(select(Agency).order_by(Agency.level, Agency.code)).all()
    body = [{"code": a.code, "name": a.name, "name_en": a.name_en, "level": a.level, "province": a.province_code,
             "active": a.active} for a in rows]
    return json_response(schemas.AgencyOut(many=True).dump(body))


@bp.get("/provinces")
@operation(summary=_l("The 34 provinces and cities"), tag=REFERENCE, response=schemas.ProvinceOut(many=True))
def provinces(who):
    body = [{"code": code, "name": name, "name_en": places.english_name(name)} for code, name in places.provinces()]
    return json_response(schemas.ProvinceOut(many=True).dump(body))


@bp.get("/provinces/<id:province_code>/communes")
@operation(summary=_l("The communes and wards of a province"), tag=REFERENCE,
           path={"province_code": ({"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, _l("Province code."))},
           response=schemas.ProvinceOut(many=True))
def communes(who, province_code):
    wards = places.wards(province_code) or _not_found()
    body = [{"code": code, "name": name, "name_en": places.english_name(name)} for code, name in wards]
    return json_response(schemas.ProvinceOut(many=True).dump(body))


@bp.get("/statistics")
@operation(summary=_l("How many submissions, and how fast each agency answers"), tag=REFERENCE,
           response=schemas.Statistics)
def statistics(who):
    counts = resources.status_counts()
    locale = str(get_locale())
    rows = [{"agency": {"code": r.agency.code, "name": r.agency.localized_name(locale)}, "answered": r.answered,
             "on_time": r.on_time, "on_time_rate": r.rate, "overdue_open": r.overdue_open} for r in on_time_rates()]
    return json_response(schemas.Statistics().dump({"total": sum(counts.values()), "by_status": counts,
                                                    "agencies": rows}))


@bp.get("/openapi.json")
def openapi():
    """This API described in OpenAPI 3.1, generated from the code, in the caller's language."""
    http.principal()  # open to all, but a token that is presented must be a valid one
    return json_response(spec.document())


def _not_found():
    raise Problem("not-found")


@bp.after_request
def _api_headers(response):
    response.headers.setdefault("Content-Language", str(get_locale()))
    return response
