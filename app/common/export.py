"""Open-data files written as they are read: CSV (UTF-8 with a byte-order mark, so Excel,
which Vietnamese offices use, reads the diacritics) and JSON Lines, produced a batch of rows
at a time so that memory stays flat whatever the number of rows."""
import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

from flask import Response, stream_with_context

BOM = "\ufeff"
ROWS_PER_CHUNK = 500
FORMATS = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}


@dataclass(frozen=True)
class Column:
    """One column of a published file: its stable name, its type (JSON Schema's words:
    integer, string, boolean, number; a date or time is a string in ISO 8601), and what it
    means (a lazy string, shown on the data dictionary page)."""

    name: str
    type: str
    description: object
    format: str | None = None  # "date" or "date-time" for strings that hold one
    nullable: bool = True  # False: every row has a value


def _plain(value):
    if isinstance(value, datetime):
        return value.replace(microsecond=0).isoformat() + "Z"  # stored as naive UTC
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_chunks(columns: list[Column], rows: Iterable[dict]) -> Iterator[str]:
    """The header, then the rows, in chunks of text; None is an empty cell, a boolean is
    true/false (the words JSON uses, so the two files read alike)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    yield BOM + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(rows, start=1):
        writer.writerow([_csv_cell(row.get(column.name)) for column in columns])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _csv_cell(value):
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def jsonl_chunks(columns: list[Column], rows: Iterable[dict]) -> Iterator[str]:
    """One JSON object a line, its keys in the columns' order."""
    lines = []
    for row in rows:
        record = {column.name: _plain(row.get(column.name)) for column in columns}
        lines.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        if len(lines) == ROWS_PER_CHUNK:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def chunks(fmt: str, columns: list[Column], rows: Iterable[dict]) -> Iterator[str]:
    return csv_chunks(columns, rows) if fmt == "csv" else jsonl_chunks(columns, rows)


def download(fmt: str, filename: str, columns: list[Column], rows: Iterable[dict]) -> Response:
    """A streamed download: the rows are read from the database while the file is sent."""
    body = (chunk.encode() for chunk in chunks(fmt, columns, rows))
    response = Response(stream_with_context(body), mimetype=FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@dataclass(frozen=True)
class Dataset:
    """A published file: its stable name (the file's name, never changed), a title, its
    columns and the rows of the whole file. Areas register theirs when imported; the data
    dictionary page and the nightly dump list whatever is registered, so no area needs to
    import another's."""

    name: str
    title: object
    columns: list[Column]
    rows: object  # a callable returning an iterator of dicts
    endpoint: str  # where the file is served, with a `fmt` argument


DATASETS: dict[str, Dataset] = {}


def register(dataset: Dataset) -> Dataset:
    DATASETS[dataset.name] = dataset
    return dataset


def json_schema(dataset: Dataset, base_url: str = "https://gopy.gov.vn/du-lieu-mo/") -> dict:
    """The JSON Schema a line of the dataset's JSON Lines file validates against."""
    properties = {}
    for column in dataset.columns:
        schema = {"type": [column.type, "null"] if column.nullable else column.type,
                  "description": str(column.description)}
        if column.format:
            schema["format"] = column.format
        properties[column.name] = schema
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": f"{base_url}{dataset.name}.schema.json",
            "title": str(dataset.title), "type": "object", "properties": properties,
            "required": [column.name for column in dataset.columns], "additionalProperties": False}
