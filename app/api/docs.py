"""The API's documentation for people, rendered on the server in Vietnamese or English: a
guide (tokens, paging, caching, errors, limits, webhooks, Open311) and a reference built from
the same OpenAPI document the machines read, so the two always agree."""
from dataclasses import dataclass, field

from flask import abort, url_for

from app.api import bp_docs as bp
from app.api import spec
from app.api.problems import PROBLEM_TYPES
from app.api.tokens import SCOPE_LABELS
from app.api.webhooks import DISABLE_AFTER, EVENTS
from app.common.rendering import render

TAGS = ("submissions", "cases", "reference")


@dataclass
class Field:
    name: str
    type: str
    required: bool = False
    description: str = ""
    where: str = ""


@dataclass
class Operation:
    method: str
    path: str
    operation_id: str
    summary: str
    description: str = ""
    scope: str | None = None
    params: list = field(default_factory=list)
    body: list = field(default_factory=list)
    body_types: list = field(default_factory=list)
    responses: list = field(default_factory=list)


@bp.get("")
def guide():
    """How to use the API: tokens, scopes, paging, caching, errors, limits, webhooks, Open311."""
    return render("api/guide.html", scopes=SCOPE_LABELS, problems=PROBLEM_TYPES, events=EVENTS,
                  disable_days=DISABLE_AFTER.days, tags=TAGS, base=url_for("api_docs.guide", _external=True))


@bp.get("/tham-chieu/<tag>")
def reference(tag: str):
    """Every operation of one part of the API, with its parameters, body and answers."""
    if tag not in TAGS:
        abort(404)
    document = spec.document()
    operations = [op for op in _operations(document) if op[0] == tag]
    return render("api/reference.html", tag=tag, tags=TAGS, operations=[op[1] for op in operations],
                  schemas=_schemas_used(document, [op[1] for op in operations]))


def _operations(document: dict) -> list[tuple[str, Operation]]:
    found = []
    for path, item in document["paths"].items():
        for method, doc in item.items():
            body = doc.get("requestBody", {}).get("content", {})
            any_body = next(iter(body.values()), {}).get("schema")
            found.append((doc["tags"][0], Operation(
                method=method.upper(), path="/api/v1" + path, operation_id=doc["operationId"], summary=doc["summary"],
                description=doc.get("description", ""), scope=doc.get("x-scope"),
                params=[Field(p["name"], type_name(p.get("schema", {})), p.get("required", False),
                              p.get("description", ""), p["in"]) for p in doc.get("parameters", [])],
                body=_fields(document, any_body) if any_body else [], body_types=list(body),
                responses=[(status, r["description"], _schema_name(r)) for status, r in doc["responses"].items()],
            )))
    return found


def _schema_name(response: dict) -> str | None:
    for content in response.get("content", {}).values():
        return type_name(content.get("schema", {}))
    return None


def _component(document: dict, schema: dict) -> dict:
    ref = schema.get("$ref") or schema.get("items", {}).get("$ref")
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def _fields(document: dict, schema: dict) -> list[Field]:
    resolved = _component(document, schema)
    required = set(resolved.get("required", []))
    return [Field(name, type_name(prop), name in required, prop.get("description", ""))
            for name, prop in resolved.get("properties", {}).items()]


def _schemas_used(document: dict, operations: list[Operation]) -> dict[str, list[Field]]:
    """Every schema the operations answer with, and the schemas nested in those."""
    pending = [name for op in operations for _s, _d, name in op.responses if name]
    seen: dict[str, list[Field]] = {}
    components = document["components"]["schemas"]
    while pending:
        name = pending.pop().removeprefix("array of ").removesuffix(" | null")
        if name in seen or name not in components:
            continue
        seen[name] = _fields(document, {"$ref": f"#/components/schemas/{name}"})
        pending += [f.type.removeprefix("array of ").removesuffix(" | null") for f in seen[name]]
    return dict(sorted(seen.items()))


def type_name(schema: dict) -> str:
    """A schema as a reader says it: "string", "integer | null", "array of Case", an enum."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    if "allOf" in schema or "anyOf" in schema:
        parts = [type_name(s) for s in schema.get("allOf", schema.get("anyOf", []))]
        return " | ".join(parts)
    if "enum" in schema:
        return " | ".join(str(value) for value in schema["enum"])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        return " | ".join(type_name({**schema, "type": k}) for k in kind)
    if kind == "array":
        return "array of " + type_name(schema.get("items", {}))
    return {"string": schema.get("format", "string")}.get(kind, kind)
