"""Each API view declares its operation once (`@operation`): the scope it needs, the query
and body it reads, what it answers. The decorator enforces that declaration on every call,
and `document()` turns the same declarations, walked from the URL map, into OpenAPI 3.1.
The document cannot drift from the code because it is read from the code."""
import re
from dataclasses import dataclass, field
from functools import wraps

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import current_app, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from app.api import http, schemas
from app.api.problems import PROBLEM_TYPES, Problem

API_VERSION = "1.0.0"
BLUEPRINT = "api_v1"


@dataclass
class Operation:
    summary: object
    tag: str
    scope: str | None = None
    description: object = None
    query: type | None = None
    body: type | None = None
    multipart: bool = False  # the body may also come as multipart/form-data (with files)
    response: type | None = None
    status: int = 200
    path: dict = field(default_factory=dict)  # name -> (JSON Schema, description)
    errors: tuple = ()
    headers: dict = field(default_factory=dict)  # request headers read: name -> description
    links: dict = field(default_factory=dict)


def operation(**declared):
    op = Operation(**declared)

    def decorator(view):
        @wraps(view)
        def wrapped(**path_values):
            who = http.require(op.scope)
            http.rate_limit(who)
            extra = {}
            if op.query is not None:
                extra["args"] = load(op.query, request.args.to_dict(flat=True))
            if op.body is not None:
                extra["body"] = load(op.body, _body(op))
            return view(who, **path_values, **extra)

        wrapped.api_operation = op
        return wrapped

    return decorator


def _body(op: Operation) -> dict:
    if request.is_json:
        data = request.get_json(silent=True)
        if not isinstance(data, dict):
            raise Problem("bad-request", _("The body is not a JSON object."))
        return data
    if op.multipart and request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return request.form.to_dict(flat=True)
    raise Problem("unsupported-media-type")


def load(schema_class, data: dict) -> dict:
    """Validate input; every refused value is named in the problem, in the caller's language."""
    try:
        return schema_class().load(data)
    except ValidationError as error:
        refused = [{"name": name, "reason": _reason(schema_class, name)}
                   for name in sorted(error.normalized_messages())]
        raise Problem("invalid-input", _("Check the values named below."), errors=refused) from None


def _reason(schema_class, name: str) -> str:
    described = schema_class().fields.get(name)
    description = described.metadata.get("description") if described is not None else None
    if description:
        return _("Not a valid value. %(expected)s", expected=description)
    return _("Not a valid value.")


# The document.

def document() -> dict:
    """OpenAPI 3.1 for /api/v1, in the request's language, built from the URL map."""
    spec = APISpec(
        title="Góp Ý API",
        version=API_VERSION,
        openapi_version="3.1.0",
        plugins=[MarshmallowPlugin()],
        info={"description": str(_l("The national feedback platform's API: published submissions, their "
                                    "timelines and answers, reference data and statistics for everyone; an "
                                    "agency's own cases and its workflow steps, and new submissions, for the "
                                    "holders of a token. The guide explains tokens, paging, caching, errors, "
                                    "rate limits and webhooks.")),
              "contact": {"url": url_for("api_docs.guide", _external=True)}},
        servers=[{"url": url_for("api_v1.openapi", _external=True).rsplit("/", 1)[0]}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": str(_l("A token issued by an administrator."))})
    spec.components.schema("Problem", schema=schemas.ProblemOut)
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith(BLUEPRINT + "."):
            continue
        op = getattr(current_app.view_functions[rule.endpoint], "api_operation", None)
        if op is None:
            continue
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        spec.path(path=openapi_path(rule.rule, "/api/v1"),
                  operations={m.lower(): _operation(op, rule.endpoint, m) for m in methods})
    return spec.to_dict()


def openapi_path(rule: str, prefix: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.removeprefix(prefix))


def _operation(op: Operation, endpoint: str, method: str) -> dict:
    doc = {"operationId": endpoint.split(".", 1)[1], "summary": str(op.summary), "tags": [op.tag],
           "parameters": _parameters(op), "responses": _responses(op, method)}
    if op.description:
        doc["description"] = str(op.description)
    if op.scope:
        doc["security"] = [{"bearer": [op.scope]}]
        doc["x-scope"] = op.scope
    else:
        doc["security"] = [{}, {"bearer": []}]
    if op.body is not None:
        content = {"application/json": {"schema": op.body}}
        if op.multipart:
            content["multipart/form-data"] = {"schema": op.body}
        doc["requestBody"] = {"required": True, "content": content}
    return doc


def _parameters(op: Operation) -> list:
    params = [{"in": "path", "name": name, "required": True, "schema": schema, "description": str(description)}
              for name, (schema, description) in op.path.items()]
    if op.query is not None:
        params.append({"in": "query", "schema": op.query})
    params += [{"in": "header", "name": name, "required": False, "schema": {"type": "string", "maxLength": 200},
                "description": str(description)} for name, description in op.headers.items()]
    return params


RATE_HEADERS = {
    "RateLimit-Limit": _l("Calls allowed per minute for this token (or address, without one)."),
    "RateLimit-Remaining": _l("Calls left in the current minute."),
    "RateLimit-Reset": _l("Seconds until the window starts again."),
}


def _responses(op: Operation, method: str) -> dict:
    headers = {name: {"description": str(text), "schema": {"type": "string"}} for name, text in RATE_HEADERS.items()}
    success = {"description": str(_l("Success.")), "headers": headers}
    if op.response is not None:
        success["content"] = {"application/json": {"schema": op.response}}
    if op.links:
        success["links"] = op.links
    responses = {str(op.status): success}
    if method == "GET":
        success["headers"] = {**headers, "ETag": {"description": str(_l("Send it as If-None-Match.")),
                                                  "schema": {"type": "string"}}}
        responses["304"] = {"description": str(_l("Not modified since the ETag or date you sent."))}
    statuses = {400, 401, 429, *op.errors}
    if op.scope:
        statuses.add(403)
    if op.path:
        statuses.add(404)
    for status in sorted(statuses):
        slug = next(s for s, (code, _title) in PROBLEM_TYPES.items() if code == status)
        responses[str(status)] = {"description": str(PROBLEM_TYPES[slug][1]),
                                  "content": {"application/problem+json": {"schema": "Problem"}}}
    return responses
