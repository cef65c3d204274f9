"""Open data: CSV (UTF-8 with BOM) that Python's csv and LibreOffice read with Vietnamese
intact, JSON Lines that validate against the JSON Schemas in docs/, streamed, filtered like
the public list; the nightly dump with its SHA-256 checksums; the dictionary and licence."""
import csv
import gzip
import hashlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from app.common import export
from app.common.roles import Role
from app.stats.refresh import refresh
from app.submissions import workflow
from tests.factories import agency_id, make_staff, make_submission, make_user
from tools import opendata_schema

DOCS = Path(__file__).resolve().parent.parent / "docs" / "opendata"
FILES = {"gop-y": "/du-lieu-mo/gop-y", "buoc-xu-ly": "/du-lieu-mo/buoc-xu-ly", "thong-ke": "/thong-ke/du-lieu"}


@pytest.fixture()
def published(db):
    """Three published submissions (one answered, one by an organisation, one anonymous)
    and one that is not."""
    org = make_user(kind="organisation", org_name="Hợp tác xã Chè Shan Tuyết", tax_code="0100109106")
    answered, _ = make_submission(consent_publish=True, title="Đường cáp quang đến bản Lũng Cú còn thiếu",
                                  province_code=1, legal_reference="Nghị định 13/2023/NĐ-CP, Điều 5")
    coordinator, officer, lead = (make_staff(Role.COORDINATOR), make_staff(Role.OFFICER, "BKHCN"),
                                  make_staff(Role.LEAD, "BKHCN"))
    workflow.assign(answered, coordinator, answered.version, agency_id("BKHCN"))
    workflow.take(answered, officer, answered.version)
    workflow.draft(answered, officer, answered.version, "Bộ đã đưa bản Lũng Cú vào kế hoạch năm nay.")
    workflow.answer(answered, lead, answered.version)
    by_org, _ = make_submission(user=org, consent_publish=True, title="Thủ tục khai thuế điện tử cho hợp tác xã",
                                province_code=79)
    anonymous, _ = make_submission(consent_publish=True, anonymous_public=True, title="Ứng dụng định danh khó dùng")
    make_submission(consent_publish=False, title="Việc riêng không công khai")
    refresh()
    return {"answered": answered, "by_org": by_org, "anonymous": anonymous}


def _csv(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf"), "Excel needs the UTF-8 byte-order mark"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def _jsonl(client, url: str) -> list[dict]:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


def test_the_csv_opens_with_vietnamese_intact_and_stable_columns(client, published):
    rows = _csv(client, "/du-lieu-mo/gop-y.csv")
    assert list(rows[0]) == [column.name for column in export.DATASETS["gop-y"].columns]
    by_code = {row["code"]: row for row in rows}
    assert set(by_code) == {published[key].code for key in ("answered", "by_org", "anonymous")}
    answered = by_code[published["answered"].code]
    assert answered["title"] == "Đường cáp quang đến bản Lũng Cú còn thiếu"
    assert answered["province"] == "Thành phố Hà Nội"
    assert answered["answer"] == "Bộ đã đưa bản Lũng Cú vào kế hoạch năm nay." and answered["status"] == "answered"
    assert answered["agency"] == "Bộ Khoa học và Công nghệ" and answered["answered_on_time"] == "true"
    assert answered["id"] == str(published["answered"].id)
    assert by_code[published["by_org"].code]["organisation_name"] == "Hợp tác xã Chè Shan Tuyết"
    assert by_code[published["anonymous"].code]["sender_kind"] == "anonymous"
    assert "Lò Văn Thử" not in json.dumps(rows, ensure_ascii=False)  # the factories' sender


@pytest.mark.parametrize("name", FILES)
def test_every_json_lines_file_validates_against_its_schema_in_docs(client, published, name):
    schema = json.loads((DOCS / f"{name}.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    records = _jsonl(client, f"{FILES[name]}.jsonl")
    assert records, f"{name} is empty"
    for record in records:
        errors = sorted(validator.iter_errors(record), key=str)
        assert not errors, f"{name}: {errors[0].message} in {record}"
    assert list(records[0]) == list(schema["properties"]), "the keys come in the dictionary's order"


def test_a_record_that_breaks_the_schema_is_caught(client, published):
    schema = json.loads((DOCS / "gop-y.schema.json").read_text(encoding="utf-8"))
    record = _jsonl(client, "/du-lieu-mo/gop-y.jsonl")[0]
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    assert list(validator.iter_errors({**record, "contact_phone": "0912345678"}))  # no such column
    assert list(validator.iter_errors({**record, "id": "1"}))
    assert list(validator.iter_errors({key: value for key, value in record.items() if key != "code"}))


def test_the_schemas_in_docs_are_written_from_the_published_columns():
    assert opendata_schema.is_current(), "docs/opendata is out of date: python -m tools.opendata_schema --write"


def test_files_are_filtered_like_the_public_list(client, published):
    hanoi = _csv(client, "/du-lieu-mo/gop-y.csv?province=1")
    assert [row["code"] for row in hanoi] == [published["answered"].code]
    found = _csv(client, "/du-lieu-mo/gop-y.csv?q=khai+thue+dien+tu")
    assert [row["code"] for row in found] == [published["by_org"].code]
    steps = _jsonl(client, "/du-lieu-mo/buoc-xu-ly.jsonl?status=answered&province=1")
    assert {step["submission_code"] for step in steps} == {published["answered"].code}
    assert [step["action"] for step in steps] == ["submit", "assign", "take", "answer"]  # public steps only
    assert next(step for step in steps if step["action"] == "answer")["note"].startswith("Bộ đã đưa")


def test_a_bad_filter_is_a_422_in_vietnamese_and_an_unknown_format_a_404(client, db):
    response = client.get("/du-lieu-mo/gop-y.csv?status=hacked")
    assert response.status_code == 422 and "Hãy chọn một trong các lựa chọn" in response.get_data(as_text=True)
    assert client.get("/du-lieu-mo/gop-y.xlsx").status_code == 404


def test_files_are_streamed(client, published):
    for url in ("/du-lieu-mo/gop-y.csv", "/du-lieu-mo/buoc-xu-ly.jsonl", "/thong-ke/du-lieu.csv"):
        response = client.get(url, buffered=False)
        assert response.is_streamed, url
        assert response.headers["Content-Disposition"].startswith("attachment;")
        response.close()


def test_rows_read_in_batches_are_every_row_once(client, published, monkeypatch):
    from app.opendata import exports

    whole = [_csv(client, "/du-lieu-mo/gop-y.csv"), _jsonl(client, "/du-lieu-mo/buoc-xu-ly.jsonl")]
    monkeypatch.setattr(exports, "BATCH", 1)
    assert [_csv(client, "/du-lieu-mo/gop-y.csv"), _jsonl(client, "/du-lieu-mo/buoc-xu-ly.jsonl")] == whole
    assert len(whole[0]) == 3 and len(whole[1]) == 6  # submit ×3, and assign, take, answer of one


def test_the_nightly_dump_has_every_file_and_checksums_that_verify(app, client, published, tmp_path, monkeypatch):
    result = app.test_cli_runner().invoke(args=["opendata", "dump", "--directory", str(tmp_path)])
    assert result.exit_code == 0, result.output
    sums = dict(reversed(line.split("  ")) for line in (tmp_path / "SHA256SUMS").read_text().splitlines())
    assert set(sums) == {f"{name}.{fmt}.gz" for name in FILES for fmt in ("csv", "jsonl")}
    for name, digest in sums.items():
        assert hashlib.sha256((tmp_path / name).read_bytes()).hexdigest() == digest, name
    dumped = gzip.decompress((tmp_path / "gop-y.jsonl.gz").read_bytes()).decode()
    assert dumped == client.get("/du-lieu-mo/gop-y.jsonl").get_data(as_text=True)
    if shutil.which("sha256sum"):
        check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path, capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
    monkeypatch.setitem(app.config, "OPENDATA_DIR", tmp_path)
    page = client.get("/du-lieu-mo").get_data(as_text=True)
    assert sums["gop-y.csv.gz"] in page and "CC BY 4.0" in page
    download = client.get("/du-lieu-mo/ban-sao/gop-y.csv.gz")
    assert download.status_code == 200 and hashlib.sha256(download.get_data()).hexdigest() == sums["gop-y.csv.gz"]
    assert client.get("/du-lieu-mo/ban-sao/manifest.json").status_code == 200
    for name in ("secret_key", "..%2Fsecret_key", "gopy.sqlite3", "khong-co.csv.gz"):
        assert client.get(f"/du-lieu-mo/ban-sao/{name}").status_code == 404


def test_the_dictionary_names_every_column_with_its_meaning_in_vietnamese(client, db):
    html = client.get("/du-lieu-mo/tu-dien").get_data(as_text=True)
    for dataset in export.DATASETS.values():
        for column in dataset.columns:
            assert f"<code>{column.name}</code>" in html, column.name
    assert "Số ngày làm việc từ khi tiếp nhận đến câu trả lời đầu tiên" in html and "CC BY 4.0" in html


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed (optional)")
def test_libreoffice_reads_the_csv(client, published, tmp_path):
    source = tmp_path / "gop-y.csv"
    source.write_bytes(client.get("/du-lieu-mo/gop-y.csv").get_data())
    # Opened as UTF-8 (filter option 76) with commas and double quotes, and saved again as CSV.
    subprocess.run(["soffice", "--headless", "--infilter=CSV:44,34,76,1", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(tmp_path / "out"), str(source)],
                   check=True, capture_output=True, timeout=180, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    converted = list(csv.DictReader(io.StringIO((tmp_path / "out" / "gop-y.csv").read_text(encoding="utf-8"))))
    assert list(converted[0]) == [column.name for column in export.DATASETS["gop-y"].columns]
    assert "Đường cáp quang đến bản Lũng Cú còn thiếu" in {row["title"] for row in converted}
    assert len(converted) == 3


def test_the_page_offers_the_files_for_the_filters_chosen(client, published):
    html = client.get("/du-lieu-mo?province=1&kind=concern").get_data(as_text=True)
    links = re.findall(r'href="(/du-lieu-mo/(?:gop-y|buoc-xu-ly)\.(?:csv|jsonl)[^"]*)"', html)
    assert len(links) == 4 and all("province=1" in link and "kind=concern" in link for link in links)
    assert 'href="/thong-ke/du-lieu.csv"' in html and "CC BY 4.0" in html
