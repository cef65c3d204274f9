"""Open311 GeoReport v2: every answer validates against the GeoReport JSON Schemas
(docs/open311), the XML form carries the same data as the JSON, and a third-party client
(the `georeport` package) lists services and reads requests back from a live server."""
import json
import threading
import xml.etree.ElementTree as ET
from pathlib import Path

import georeport
import jsonschema
import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from app.api.tokens import Scope
from app.common import places
from app.submissions import workflow
from app.submissions.models import Submission
from tests.api_support import make_token, routed_case
from tests.factories import make_staff

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "docs/open311/georeport-v2.schema.json").read_text())
ROOT = "/open311/v2"


def valid(data, definition: str) -> None:
    validator = jsonschema.Draft202012Validator({**SCHEMA, "$ref": f"#/$defs/{definition}"},
                                                format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    validator.validate(data)


def _commune():
    province = places.provinces()[0][0]
    return province, places.wards(province)[0][0]


def _post(client, key, **values):
    data = {"api_key": key, "service_code": "vien-thong", "first_name": "Lò Thị", "last_name": "Mai",
            "phone": "0912345678", "description": "Cả bản không có sóng 4G ổn định để làm thủ tục trực tuyến.",
            "attribute[publish]": "true"}
    data.update(values)
    return client.post(f"{ROOT}/requests.json", data=data)


def test_every_answer_validates_against_the_georeport_schemas(client, db):
    routed_case("BKHCN", consent_publish=True)
    _token, key = make_token(Scope.CREATE_SUBMISSIONS)
    province, commune = _commune()
    created = _post(client, key, address_id=str(commune), lat="21.0278", long="105.8342")
    assert created.status_code == 201, created.get_data(as_text=True)
    valid(created.get_json(), "created")
    code, token = created.get_json()[0]["service_request_id"], created.get_json()[0]["token"]
    for path, definition in (("discovery.json", "discovery"), ("services.json", "services"),
                             ("services/vien-thong.json", "service_definition"), ("requests.json", "requests"),
                             ("requests.json?extensions=true&status=open", "requests"),
                             (f"requests/{code}.json", "requests"), (f"tokens/{token}.json", "tokens"),
                             ("services/khong-co.json", "errors"), ("requests/1234567890.json", "errors"),
                             ("requests.json?status=maybe", "errors"), ("requests.json?start_date=hom-qua", "errors")):
        response = client.get(f"{ROOT}/{path}")
        assert response.mimetype == "application/json", path
        valid(response.get_json(), definition)
    request = client.get(f"{ROOT}/requests/{code}.json").get_json()[0]
    assert request["address_id"] == str(commune) and request["lat"] == 21.0278
    assert request["address"].endswith(places.province_name(province))
    stored = db.session.scalar(select(Submission).where(Submission.code == code))
    assert stored.province_code == province and stored.latitude == 21.0278


def _leaves(element) -> list[str]:
    return [(child.tag, (child.text or "")) for child in element.iter() if len(child) == 0]


def _json_leaves(value, tag="root") -> list:
    if isinstance(value, list):
        return [leaf for item in value for leaf in _json_leaves(item, tag)]
    if isinstance(value, dict):
        return [leaf for key, item in value.items() for leaf in _json_leaves(item, key)]
    if isinstance(value, bool):
        return [(tag, "true" if value else "false")]
    return [(tag, "" if value is None else str(value))]


@pytest.mark.parametrize("path", ["discovery", "services", "services/vien-thong", "requests",
                                  "requests?extensions=true", "REQUEST"])
def test_the_xml_form_parses_and_carries_what_the_json_does(client, db, path):
    case, _t = routed_case("BKHCN", consent_publish=True)
    path = f"requests/{case.code}" if path == "REQUEST" else path
    base, _sep, query = path.partition("?")
    as_json = client.get(f"{ROOT}/{base}.json?{query}")
    as_xml = client.get(f"{ROOT}/{base}.xml?{query}")
    assert as_xml.status_code == 200 and as_xml.mimetype == "text/xml"
    root = ET.fromstring(as_xml.get_data())
    assert root.tag in ("discovery", "services", "service_definition", "service_requests")
    xml_leaves = sorted(_leaves(root))
    # A list of plain values (formats) is named by its item element in XML.
    json_leaves = sorted(("format", v) if t == "formats" else (t, v) for t, v in _json_leaves(as_json.get_json()))
    assert xml_leaves == json_leaves and len(xml_leaves) > 3


def test_errors_come_in_both_forms(client, db):
    xml = client.get(f"{ROOT}/services/khong-co.xml")
    assert xml.status_code == 404 and ET.fromstring(xml.get_data()).find("error/code").text == "404"
    assert client.post(f"{ROOT}/requests.json", data={"service_code": "vien-thong"}).status_code == 401
    other = client.get(f"{ROOT}/services.json?jurisdiction_id=hanoi.gov.vn")
    assert other.status_code == 404 and other.get_json()[0]["code"] == 404
    assert client.get(f"{ROOT}/services.json?jurisdiction_id=gopy.gov.vn").status_code == 200
    assert client.delete(f"{ROOT}/services.json").status_code == 405


def test_a_post_is_checked_like_the_web_form(client, db):
    _token, key = make_token(Scope.CREATE_SUBMISSIONS)
    short = _post(client, key, description="Ngắn quá")
    assert short.status_code == 400 and "content" in short.get_json()[0]["description"]
    unknown = _post(client, key, service_code="khong-co")
    assert unknown.status_code == 400
    _public, public_key = make_token(Scope.READ_PUBLIC)
    assert _post(client, public_key).status_code == 403


def test_extensions_expose_the_detailed_status(client, db):
    case, _t = routed_case("BKHCN", consent_publish=True)
    officer = make_staff("officer", "BKHCN")
    workflow.take(case, officer, case.version)
    plain = client.get(f"{ROOT}/requests/{case.code}.json").get_json()[0]
    extended = client.get(f"{ROOT}/requests/{case.code}.json?extensions=true").get_json()[0]
    assert plain["status"] == extended["status"] == "open" and "detailed_status" not in plain
    assert extended["detailed_status"] == "in_progress" and extended["title"] == case.title
    assert extended["agency_sent_datetime"]


@pytest.fixture()
def live_root(app):
    """The app served on loopback, for a client that speaks HTTP itself."""
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{ROOT}"
    server.shutdown()
    thread.join(timeout=5)


def test_a_third_party_client_lists_services_creates_a_request_and_reads_it_back(db, live_root):
    _token, key = make_token(Scope.CREATE_SUBMISSIONS)
    client = georeport.GeoReport(live_root, jurisdiction="gopy.gov.vn", api_key=key)
    services = client.get_service_list()
    valid(services, "services")
    assert "vien-thong" in {s["service_code"] for s in services}
    definition = client.get_service_definition("vien-thong")
    assert {a["code"] for a in definition["attributes"]} >= {"kind", "publish"}
    # georeport 0.3 has no call for POST: the request is sent as the standard describes, form
    # encoded with api_key, by the same HTTP library the client uses.
    created = requests.post(f"{live_root}/requests.json", timeout=10, data={
        "api_key": key, "jurisdiction_id": "gopy.gov.vn", "service_code": "vien-thong", "email": "mai@example.vn",
        "first_name": "Lò Thị", "last_name": "Mai", "attribute[publish]": "true", "attribute[kind]": "initiative",
        "description": "Đề xuất lắp thêm trạm phát sóng cho ba bản vùng cao của xã."})
    assert created.status_code == 201, created.text
    code = created.json()[0]["service_request_id"]
    read_back = client.get_service_request(code)
    assert read_back["service_request_id"] == code and read_back["status"] == "open"
    assert read_back["description"].startswith("Đề xuất lắp thêm trạm")
    listed = client.get_service_requests(service_code="vien-thong", status="open")
    assert code in {r["service_request_id"] for r in listed}
    as_xml = georeport.GeoReport(live_root, jurisdiction="gopy.gov.vn", output_format="xml")
    assert as_xml.get_service_request(code)["service_request_id"] == code
    assert {s["service_code"] for s in as_xml.get_service_list()} == {s["service_code"] for s in services}
    assert "mai@example.vn" not in json.dumps(client.get_service_requests())
