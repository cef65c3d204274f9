"""Public statistics: every figure of /thong-ke and of the scorecard equals a recount in plain
SQL over the submissions and their event table (working days counted like the deadlines,
Tết included); the page reads a snapshot, charts are inline SVG with their tables, bad
filters are a 422 in the reader's language."""
import random
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, select, text

from app.agencies.models import Agency
from app.extensions import db as ext_db
from app.stats import refresh, services
from app.stats.services import StatsFilters
from app.submissions import calendar, deadlines
from app.submissions.models import Rating, Topic
from app.submissions.states import Kind, Status
from app.submissions.workflow import record_event
from tests.factories import agency_id, make_submission

YEAR = "2026"
OPEN = ("received", "assigned", "in_progress", "awaiting_info", "reopened")
DEADLINE_OPEN = ("received", "assigned", "in_progress", "reopened")


def _topic(slug: str) -> int:
    return ext_db.session.scalar(select(Topic.id).where(Topic.slug == slug))


def _utc(local: str) -> datetime:
    """A Vietnamese wall-clock time, stored as naive UTC like every timestamp."""
    return datetime.fromisoformat(local) - timedelta(hours=7)


def _case(kind=Kind.CONCERN, topic="vien-thong", province=1, received="2026-01-05 09:00", agency=None,
          answered=None, due=None, after=(), stars=None, publish=True, status=None):
    """One submission with a hand-made timeline: received, assigned to `agency` the same day
    (due by the legal deadline in working days, unless `due` says otherwise), answered at
    `answered`, then the steps in `after` (action, local time)."""
    submission, _token = make_submission(kind=kind, topic_id=_topic(topic), province_code=province,
                                         consent_publish=publish, title=f"Góp ý {received}")
    received_at = _utc(received)
    submission.received_at = submission.events[0].created_at = received_at
    if agency:
        submission.agency_id = agency_id(agency)
        assigned = record_event(submission, "assign", Status.ASSIGNED)
        assigned.created_at = received_at
        submission.due_date = due or deadlines.answer_due(kind, deadlines.local_date(received_at))
        if answered:
            record_event(submission, "take", Status.IN_PROGRESS).created_at = received_at + timedelta(hours=1)
            step = record_event(submission, "answer", Status.ANSWERED, public_note="Trả lời.")
            step.created_at = submission.answered_at = _utc(answered)
    elif due:
        submission.due_date = due
    for action, when in after:
        target = {"close": Status.CLOSED, "reopen": Status.REOPENED, "reject": Status.REJECTED,
                  "request_info": Status.AWAITING_INFO}[action]
        record_event(submission, action, target).created_at = _utc(when)
    if status:
        submission.status = status
    if stars:
        ext_db.session.add(Rating(submission_id=submission.id, stars=stars))
    ext_db.session.commit()
    return submission


@pytest.fixture()
def seeded(db):
    """A year of submissions over kinds, topics, provinces, agencies and every status; Tết
    2026 (16-20 February) inside the period; one just outside it."""
    cases = [
        _case(received="2026-01-05 09:00", agency="BKHCN", answered="2026-01-12 10:00", stars=5),
        # Assigned before Tết: 20 working days run to 17 March, 35 calendar days later.
        _case(kind=Kind.POLICY, topic="du-lieu-mo", province=79, received="2026-02-10 08:00", agency="BKHCN",
              answered="2026-03-16 15:00", stars=3),
        _case(topic="cong-dvc", received="2026-02-12 14:00", agency="T01", answered="2026-04-20 09:00",
              after=[("reopen", "2026-04-25 09:00")], stars=2),
        _case(kind=Kind.INITIATIVE, topic="tri-tue-nhan-tao", province=None, received="2026-03-03 10:00",
              agency="BKHCN"),
        _case(received="2026-03-20 11:00", after=[("reject", "2026-03-21 09:00")]),
        _case(received="2026-04-01 08:30", due=date(2026, 4, 6)),
        # Received on the 31st of January at 18:00 UTC: already 1 February in Vietnam.
        _case(kind=Kind.POLICY, received="2026-02-01 01:00", agency="BTC", answered="2026-02-25 09:00",
              after=[("close", "2026-02-26 09:00")], stars=4, publish=False),
        _case(kind=Kind.POLICY, topic="du-lieu-mo", province=79, received="2026-05-04 09:00", agency="T79",
              answered="2026-05-06 09:00", after=[("close", "2026-05-07 09:00")]),
        _case(received="2026-06-01 09:00", agency="T01", after=[("request_info", "2026-06-03 09:00")]),
        _case(received="2025-12-15 09:00", agency="BKHCN", answered="2025-12-20 09:00", stars=1),
    ]
    rng = random.Random(10)
    for index in range(25):  # volume, so the percentiles have something to choose from
        month = rng.randint(1, 9)
        received = f"2026-{month:02d}-{rng.randint(1, 28):02d} 09:00"
        answered = None
        if index % 3:
            start = datetime.fromisoformat(received)
            answered = (start + timedelta(days=rng.randint(1, 40))).isoformat(sep=" ")
        cases.append(_case(kind=rng.choice(Kind.ALL), topic=rng.choice(("vien-thong", "du-lieu-mo", "khoi-nghiep")),
                           province=rng.choice((1, 79, None)), received=received,
                           agency=rng.choice(("BKHCN", "T01", "T79")), answered=answered,
                           stars=rng.choice((None, 1, 4, 5)) if answered else None))
    refresh.refresh()
    return cases


def _local(column: str) -> str:
    """Vietnam's date of a stored UTC time, in each database's SQL."""
    if ext_db.engine.dialect.name == "postgresql":
        return f"CAST({column} + INTERVAL '7 hours' AS DATE)"
    return f"date({column}, '+7 hours')"


def _month(column: str) -> str:
    if ext_db.engine.dialect.name == "postgresql":
        return f"to_char({column} + INTERVAL '7 hours', 'YYYY-MM')"
    return f"strftime('%Y-%m', {column}, '+7 hours')"


def _recount_base() -> str:
    """Each submission received in 2026 with what the figures need, in plain SQL."""
    return f"""
        WITH first_answer AS (
            SELECT submission_id, MIN(created_at) AS answered FROM submission_event
            WHERE action = 'answer' GROUP BY submission_id),
        reopens AS (
            SELECT submission_id, COUNT(*) AS n FROM submission_event
            WHERE action = 'reopen' GROUP BY submission_id)
        SELECT s.id, {_month('s.received_at')} AS month, s.kind, COALESCE(t.parent_id, t.id, 0) AS topic,
               COALESCE(s.province_code, 0) AS province, COALESCE(s.agency_id, 0) AS agency, s.status,
               s.due_date, s.received_at, f.answered,
               CASE WHEN f.answered IS NOT NULL AND s.due_date IS NOT NULL
                         AND {_local('f.answered')} <= s.due_date THEN 1 ELSE 0 END AS on_time,
               COALESCE(r.n, 0) AS reopens, rt.stars
        FROM submission s
        LEFT JOIN topic t ON t.id = s.topic_id
        LEFT JOIN first_answer f ON f.submission_id = s.id
        LEFT JOIN reopens r ON r.submission_id = s.id
        LEFT JOIN rating rt ON rt.submission_id = s.id
        WHERE {_month('s.received_at')} BETWEEN '{YEAR}-01' AND '{YEAR}-12'"""


def _recount(group: str | None = None, where: str = "1 = 1") -> dict:
    """The counts of the figures, grouped by `group` (a column of the base) or in total."""
    open_list = ", ".join(f"'{s}'" for s in OPEN)
    deadline_list = ", ".join(f"'{s}'" for s in DEADLINE_OPEN)
    key = f"{group} AS grp," if group else ""
    sql = f"""
        SELECT {key}
               COUNT(*) AS received,
               SUM(CASE WHEN status IN ({open_list}) THEN 1 ELSE 0 END) AS open_now,
               SUM(CASE WHEN status IN ({deadline_list}) AND due_date < :today THEN 1 ELSE 0 END) AS overdue_now,
               SUM(CASE WHEN status = 'answered' THEN 1 ELSE 0 END) AS answered_now,
               SUM(CASE WHEN status = 'closed' THEN 1 ELSE 0 END) AS closed_now,
               SUM(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END) AS rejected_now,
               SUM(CASE WHEN answered IS NOT NULL THEN 1 ELSE 0 END) AS answered,
               SUM(on_time) AS answered_on_time,
               SUM(CASE WHEN stars IS NOT NULL THEN 1 ELSE 0 END) AS rated,
               SUM(CASE WHEN stars >= 4 THEN 1 ELSE 0 END) AS rated_good,
               COALESCE(SUM(stars), 0) AS stars_total,
               SUM(reopens) AS reconsiderations
        FROM ({_recount_base()}) base WHERE {where}
        {'GROUP BY ' + group if group else ''}"""
    rows = ext_db.session.execute(text(sql), {"today": deadlines.today()}).mappings().all()
    if group:
        return {row["grp"]: {k: int(v or 0) for k, v in row.items() if k != "grp"} for row in rows}
    return {k: int(v or 0) for k, v in rows[0].items()}


def _days(group: str | None = None, where: str = "1 = 1") -> dict:
    """Working days to the first answer, walked day by day with deadlines.py, per group."""
    key = f"{group} AS grp," if group else ""
    sql = f"SELECT {key} received_at, answered FROM ({_recount_base()}) base WHERE answered IS NOT NULL AND {where}"
    found: dict = {}
    for row in ext_db.session.execute(text(sql)).mappings():
        received, answered = (_as_datetime(row["received_at"]), _as_datetime(row["answered"]))
        days = deadlines.working_days_between(deadlines.local_date(received), deadlines.local_date(answered))
        found.setdefault(row["grp"] if group else None, []).append(days)
    return found


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def _nearest_rank(values: list[int], share: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    rank = -(-len(ordered) * int(share * 10) // 10)  # ceil(share × n)
    return ordered[max(rank, 1) - 1]


MEASURES = ("received", "open_now", "overdue_now", "answered_now", "closed_now", "rejected_now", "answered",
            "answered_on_time", "rated", "rated_good", "stars_total", "reconsiderations")


def _same(figures: dict, recount: dict, days: list[int], where: str) -> None:
    for name in MEASURES:
        assert figures[name] == recount[name], f"{name} ({where}): page {figures[name]}, SQL {recount[name]}"
    assert figures["median_days"] == _nearest_rank(days, 0.5), where
    assert figures["p90_days"] == _nearest_rank(days, 0.9), where


def test_every_overview_figure_equals_a_recount_in_sql(seeded):
    figures = services.overview(StatsFilters(period=YEAR))
    total, days = _recount(), _days()
    assert total["received"] == 34 and total["answered"] > 10  # the data set is what it says
    _same(figures["totals"], total, days.get(None, []), "totals")
    by_month, month_days = _recount("month"), _days("month")
    assert figures["months"] == [f"{YEAR}-{m:02d}" for m in range(1, 13)]
    for row in figures["by_month"]:
        expected = by_month.get(row["month"], dict.fromkeys(MEASURES, 0))
        _same(row, expected, month_days.get(row["month"], []), row["month"])
    by_kind = _recount("kind || '/' || month")
    for kind in figures["by_kind"]:
        for month, count in zip(figures["months"], kind["received"], strict=True):
            assert count == by_kind.get(f"{kind['kind']}/{month}", {"received": 0})["received"], (kind["kind"], month)
    for name, rows in (("topic", figures["by_topic"]), ("province", figures["by_province"])):
        recount, grouped_days = _recount(name), _days(name)
        key = "topic_id" if name == "topic" else "province_code"
        assert {row[key] for row in rows} == set(recount)
        for row in rows:
            _same(row, recount[row[key]], grouped_days.get(row[key], []), f"{name} {row[key]}")


def test_every_scorecard_figure_equals_a_recount_in_sql(seeded):
    rows = services.scorecard(StatsFilters(period=YEAR))["agencies"]
    recount, days = _recount("agency"), _days("agency")
    assert {row["agency_id"] for row in rows} == set(recount)
    for row in rows:
        _same(row, recount[row["agency_id"]], days.get(row["agency_id"], []), f"agency {row['agency_id']}")
    trend = services.agency_trend(StatsFilters(period=YEAR), agency_id("BKHCN"))
    bkhcn = agency_id("BKHCN")
    _same(trend["totals"], recount[bkhcn], days.get(bkhcn, []), "BKHCN's page")
    by_month = _recount("month", where=f"agency = {bkhcn}")
    for row in trend["by_month"]:
        assert row["received"] == by_month.get(row["month"], {"received": 0})["received"], row["month"]


@pytest.mark.parametrize("filters, where", [
    (StatsFilters(period=YEAR, province=79), "province = 79"),
    (StatsFilters(period=YEAR, province=0, kind=Kind.INITIATIVE), "province = 0 AND kind = 'initiative'"),
    (StatsFilters(period=YEAR, kind=Kind.POLICY), "kind = 'policy'"),
])
def test_filtered_figures_equal_a_recount_in_sql(seeded, filters, where):
    _same(services.overview(filters)["totals"], _recount(where=where), _days(where=where).get(None, []), where)


def test_filtered_by_topic_counts_its_subtopics(seeded):
    data = _topic("du-lieu")
    figures = services.overview(StatsFilters(period=YEAR, topic=data))["totals"]
    _same(figures, _recount(where=f"topic = {data}"), _days(where=f"topic = {data}").get(None, []), "topic")


def test_on_time_counts_working_days_with_tet(seeded):
    """Assigned on 10 February 2026 with 20 working days: Tết (16-20 February) and weekends
    put the due date on 17 March. Answered on 16 March, 34 calendar days later: on time."""
    policy = seeded[1]
    assert policy.due_date == date(2026, 3, 17)
    assert deadlines.working_days_between(date(2026, 2, 10), date(2026, 3, 16)) == 19
    figures = services.overview(StatsFilters(period=YEAR, province=79, kind=Kind.POLICY))["totals"]
    assert figures["answered"] == _recount(where="province = 79 AND kind = 'policy'")["answered"]
    recount = ext_db.session.execute(text(
        f"SELECT CASE WHEN {_local('MIN(e.created_at)')} <= s.due_date THEN 1 ELSE 0 END FROM submission s "
        f"JOIN submission_event e ON e.submission_id = s.id WHERE s.id = :id AND e.action = 'answer' "
        f"GROUP BY s.due_date"), {"id": policy.id}).scalar()
    assert recount == 1
    one = [row for row in refresh.build()[0].rows(("month", "kind", "province_code", "topic_id"))
           if row["month"] == "2026-02" and row["kind"] == Kind.POLICY and row["province_code"] == 79]
    assert one and one[0]["answered_on_time"] >= 1 and "19:1" in one[0]["answer_days"]


def test_a_month_is_vietnams_month(seeded):
    """Received on 31 January at 18:00 UTC: 1 February in Hà Nội, and counted there."""
    figures = services.overview(StatsFilters(period=YEAR, kind=Kind.POLICY, province=1))
    months = {row["month"]: row["received"] for row in figures["by_month"]}
    assert months["2026-02"] >= 1 and months["2026-01"] == _recount("month", "kind = 'policy' AND province = 1").get(
        "2026-01", {"received": 0})["received"]


def test_constant_time_working_days_match_the_deadlines(db):
    rng = random.Random(3)
    for _ in range(300):
        start = date(2024, 1, 1) + timedelta(days=rng.randint(0, 1200))
        end = start + timedelta(days=rng.randint(-5, 400))
        assert calendar.working_days_between(start, end) == deadlines.working_days_between(start, end), (start, end)


def test_percentile_is_the_nearest_rank():
    days = refresh.decode_days("1:2 3:1 10:1")  # 1, 1, 3, 10
    assert refresh.percentile(days, 0.5) == 1 and refresh.percentile(days, 0.9) == 10
    assert refresh.percentile(refresh.decode_days(""), 0.5) is None
    assert refresh.encode_days(days) == "1:2 3:1 10:1"


def test_the_page_shows_the_figures_with_charts_and_tables(client, seeded):
    html = client.get(f"/thong-ke?period={YEAR}").get_data(as_text=True)
    total = _recount()
    assert f"<dd>{total['received']}</dd>" in html
    assert html.count('<svg class="app-chart') >= 5 and 'role="img"' in html
    assert "<script" not in html.split("<main", 1)[1] and "<img" not in html
    for caption in ("Theo tháng tiếp nhận", "Theo lĩnh vực", "Theo tỉnh, thành phố"):
        assert caption in html
    assert "Hà Nội" in html and "Viễn thông" not in html  # topics are the top-level ones
    assert "Hạ tầng số" in html


def test_pages_read_a_snapshot_until_the_next_refresh(client, seeded):
    client.get(f"/thong-ke?period={YEAR}")
    _case(received="2026-07-07 09:00")
    statements = []

    def count(*_args):
        statements.append(1)

    event.listen(ext_db.engine, "before_cursor_execute", count)
    try:
        page = client.get(f"/thong-ke?period={YEAR}").get_data(as_text=True)
    finally:
        event.remove(ext_db.engine, "before_cursor_execute", count)
    assert f"<dd>{_recount()['received'] - 1}</dd>" in page, "the snapshot is read, not the new submission"
    assert len(statements) <= 6, "a page view reads the run, the snapshot and the names, nothing more"
    refresh.refresh()
    page = client.get(f"/thong-ke?period={YEAR}").get_data(as_text=True)
    assert f"<dd>{_recount()['received']}</dd>" in page


def test_scorecard_sorts_and_links_each_agency(client, seeded):
    html = client.get(f"/thong-ke/co-quan?period={YEAR}&sort=on_time&order=asc").get_data(as_text=True)
    names = re.findall(r'<a href="/thong-ke/co-quan/(\d+)[^"]*">', html)
    rates = {row["agency_id"]: row for row in services.scorecard(StatsFilters(period=YEAR))["agencies"]}
    order = [int(n) for n in names]
    values = [rates[n]["answered_on_time"] / rates[n]["answered"] if rates[n]["answered"] else -1 for n in order]
    assert values == sorted(values), "ascending by on-time rate"
    assert 'aria-sort="ascending"' in html
    bkhcn = ext_db.session.scalar(select(Agency).where(Agency.code == "BKHCN"))
    page = client.get(f"/thong-ke/co-quan/{bkhcn.id}?period={YEAR}")
    assert page.status_code == 200 and "Bộ Khoa học và Công nghệ" in page.get_data(as_text=True)
    assert client.get("/thong-ke/co-quan/999999").status_code == 404


@pytest.mark.parametrize("query", ["period=1999x", "province=99999", "kind=hacked", "topic=-3", "sort=nope",
                                   f"province={10**30}"])
def test_a_filter_no_list_offers_is_a_422_in_vietnamese(client, db, query):
    url = "/thong-ke/co-quan" if query.startswith("sort") else "/thong-ke"
    response = client.get(f"{url}?{query}")
    assert response.status_code == 422
    assert "Hãy chọn một trong các lựa chọn" in response.get_data(as_text=True)


def test_english_page(client, seeded):
    html = client.get("/thong-ke", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Statistics" in html and "Answered on time" in html


def test_the_summary_as_open_data_adds_up_to_the_page(client, seeded):
    response = client.get("/thong-ke/du-lieu.csv")
    body = response.get_data(as_text=True)
    assert body.startswith("\ufefftable,month,kind,")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    area = [row for row in rows if row["table"] == "area" and row["month"].startswith(YEAR)]
    agency = [row for row in rows if row["table"] == "agency" and row["month"].startswith(YEAR)]
    total = _recount()
    for cells in (area, agency):
        assert sum(int(row["received"]) for row in cells) == total["received"]
        assert sum(int(row["answered_on_time"]) for row in cells) == total["answered_on_time"]
    assert client.get("/thong-ke/du-lieu.xlsx").status_code == 404


def test_the_pages_fit_one_window_with_every_province_agency_and_two_years(client, db):
    """The widest the figures get: every month of two years, every province, topic, kind and
    agency with submissions (the cubes filled directly, as a refresh of a big year would)."""
    from app.common import places
    from app.stats.models import MEASURES as COUNTS
    from app.stats.models import StatsAgency, StatsArea, StatsRun
    from app.submissions import topics

    rng = random.Random(1)
    months = [f"{year}-{month:02d}" for year in (2025, 2026) for month in range(1, 13)]
    provinces = [0] + [code for code, _name in places.provinces()]
    roots = [topic.id for topic in topics.top_level_topics()]
    agencies = ext_db.session.scalars(select(Agency.id)).all()

    def counts():
        received = rng.randint(900, 99_000)
        values = {name: rng.randint(0, received) for name in COUNTS}
        return {**values, "received": received, "answer_days": " ".join(f"{d}:{rng.randint(1, 900)}"
                                                                         for d in range(0, 60, 3))}

    ext_db.session.execute(StatsArea.__table__.insert(), [
        {"month": m, "kind": k, "province_code": p, "topic_id": t, **counts()}
        for m in months for k in Kind.ALL for p in provinces[::3] for t in roots] + [
        {"month": "2026-01", "kind": Kind.CONCERN, "province_code": p, "topic_id": roots[0], **counts()}
        for p in provinces if p not in provinces[::3]])
    ext_db.session.execute(StatsAgency.__table__.insert(), [
        {"month": m, "kind": k, "province_code": 1, "agency_id": a, **counts()}
        for m in months[::4] for k in Kind.ALL for a in agencies])
    ext_db.session.add(StatsRun(submissions=9_999_999, first_month=months[0], last_month=months[-1]))
    ext_db.session.commit()
    import gzip

    for url in ("/thong-ke?period=all", "/thong-ke/co-quan?period=all", f"/thong-ke/co-quan/{agencies[1]}?period=all",
                "/thong-ke?period=2025"):
        for lang in ("vi", "en"):
            html = client.get(url, headers={"Accept-Language": lang}).get_data()
            assert len(gzip.compress(html, 6)) <= 14_600, f"{url} ({lang}): {len(gzip.compress(html, 6))} bytes"
    page = client.get("/thong-ke?period=all").get_data(as_text=True)
    assert "Thành phố Hồ Chí Minh" in page and page.count("<tr>") > 34 + 24


def test_the_refresh_command_counts_every_submission(app, db):
    for index in range(3):
        make_submission(title=f"Góp ý số {index}")
    result = app.test_cli_runner().invoke(args=["stats", "refresh"])
    assert result.exit_code == 0 and "3 submissions" in result.output, result.output
    assert refresh.latest_run().submissions == 3
