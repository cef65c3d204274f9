"""The state machine: who may take each step, what it records, and that a refused or
stale step changes nothing."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.common.errors import Conflict, PermissionDenied, ValidationError
from app.common.roles import Role
from app.common.time import utcnow
from app.submissions import workflow
from app.submissions.models import Submission, SubmissionEvent
from app.submissions.states import Status
from tests.factories import agency_id, any_topic_id, make_staff, make_submission


@pytest.fixture()
def people(db):
    return dict(
        coordinator=make_staff(Role.COORDINATOR),
        officer=make_staff(Role.OFFICER, "BKHCN"),
        lead=make_staff(Role.LEAD, "BKHCN"),
        other_officer=make_staff(Role.OFFICER, "BTC"),
        other_lead=make_staff(Role.LEAD, "BTC"),
    )


def _events(db, submission) -> int:
    return db.session.scalar(select(func.count()).select_from(SubmissionEvent)
                             .where(SubmissionEvent.submission_id == submission.id))


def _assigned(people):
    submission, _token = make_submission()
    workflow.classify(submission, people["coordinator"], submission.version, "policy", any_topic_id())
    workflow.assign(submission, people["coordinator"], submission.version, agency_id("BKHCN"))
    return submission


def test_full_path_records_one_event_per_step(db, people):
    submission, _token = make_submission()
    steps = [
        lambda: workflow.classify(submission, people["coordinator"], submission.version, "concern", any_topic_id()),
        lambda: workflow.assign(submission, people["coordinator"], submission.version, agency_id("BKHCN")),
        lambda: workflow.take(submission, people["officer"], submission.version),
        lambda: workflow.request_info(submission, people["officer"], submission.version, "Thôn nào, xã nào?"),
        lambda: workflow.provide_info(submission, "Thôn Nà Hang, xã Minh Quang."),
        lambda: workflow.draft(submission, people["officer"], submission.version, "Đã giao nhà mạng lắp trạm."),
        lambda: workflow.answer(submission, people["lead"], submission.version),
        lambda: workflow.close(submission, people["officer"], submission.version),
    ]
    for count, step in enumerate(steps, start=2):
        step()
        assert _events(db, submission) == count
    assert submission.status == Status.CLOSED
    events = db.session.scalars(select(SubmissionEvent).order_by(SubmissionEvent.id)).all()
    assert [e.action for e in events] == ["submit", "classify", "assign", "take", "request_info", "provide_info",
                                          "draft", "answer", "close"]
    assert [e.to_status for e in events][-2:] == [Status.ANSWERED, Status.CLOSED]
    answer = events[-2]
    assert answer.actor_id == people["lead"].id and answer.public_note == "Đã giao nhà mạng lắp trạm."
    assert answer.from_status == Status.IN_PROGRESS
    assert not events[1].is_public and not events[6].is_public  # classify and draft stay internal


def test_answering_a_rejected_submission_is_refused_and_changes_nothing(db, people):
    submission, _token = make_submission()
    workflow.reject(submission, people["coordinator"], submission.version, "abusive")
    before = (_events(db, submission), submission.version, submission.status)
    with pytest.raises((Conflict, PermissionDenied)):
        workflow.draft(submission, people["officer"], submission.version, "Trả lời")
    with pytest.raises(Conflict):
        workflow.assign(submission, people["coordinator"], submission.version, agency_id("BKHCN"))
    db.session.rollback()
    db.session.refresh(submission)
    assert (_events(db, submission), submission.version, submission.status) == before


def test_answering_without_the_lead_role_is_refused(db, people):
    submission = _assigned(people)
    workflow.take(submission, people["officer"], submission.version)
    workflow.draft(submission, people["officer"], submission.version, "Trả lời")
    with pytest.raises(PermissionDenied):
        workflow.answer(submission, people["officer"], submission.version)
    with pytest.raises(PermissionDenied):
        workflow.answer(submission, people["other_lead"], submission.version)
    assert submission.status == Status.IN_PROGRESS


def test_answering_needs_a_pending_draft(db, people):
    submission = _assigned(people)
    workflow.take(submission, people["officer"], submission.version)
    with pytest.raises(Conflict):
        workflow.answer(submission, people["lead"], submission.version)
    workflow.draft(submission, people["officer"], submission.version, "Bản nháp")
    workflow.send_back(submission, people["lead"], submission.version, "Bổ sung căn cứ pháp lý")
    with pytest.raises(Conflict):
        workflow.answer(submission, people["lead"], submission.version)
    assert workflow.allowed_steps(people["lead"], submission).count("answer") == 0


def test_officer_of_another_agency_may_not_take_steps(db, people):
    submission = _assigned(people)
    with pytest.raises(PermissionDenied):
        workflow.take(submission, people["other_officer"], submission.version)
    assert workflow.allowed_steps(people["other_officer"], submission) == []


def test_stale_version_is_a_conflict_and_writes_nothing(db, people):
    submission = _assigned(people)
    stale = submission.version
    workflow.take(submission, people["officer"], stale)
    events = _events(db, submission)
    with pytest.raises(Conflict):
        workflow.note(submission, people["lead"], stale, "Ghi chú")
    db.session.rollback()
    assert _events(db, submission) == events


def test_concurrent_commit_does_not_overwrite(app, db, people):
    """Two officers load the same version; the second commit fails and keeps nothing."""
    from app.extensions import db as ext_db

    submission = _assigned(people)
    submission_id, version = submission.id, submission.version
    engine = ext_db.engine
    from sqlalchemy.orm import Session

    with Session(engine) as other:
        theirs = other.get(Submission, submission_id)
        theirs.assignee_id = people["lead"].id
        theirs.updated_at = utcnow()
        other.commit()  # the other officer got there first
    with pytest.raises(Conflict):
        workflow.take(submission, people["officer"], version)
    db.session.rollback()
    fresh = db.session.get(Submission, submission_id)
    db.session.refresh(fresh)
    assert fresh.assignee_id == people["lead"].id
    assert fresh.version == version + 1


def test_request_info_pauses_the_clock(db, people):
    submission = _assigned(people)
    workflow.take(submission, people["officer"], submission.version)
    due = submission.due_date
    workflow.request_info(submission, people["officer"], submission.version, "Ảnh chụp?")
    assert submission.paused_on is not None
    submission.paused_on -= timedelta(days=7)  # a week waiting for the submitter
    workflow.provide_info(submission, "Ảnh đây.")
    assert submission.paused_on is None and submission.due_date > due


def test_transfer_needs_a_reason_and_another_agency(db, people):
    submission = _assigned(people)
    with pytest.raises(ValidationError):
        workflow.transfer(submission, people["lead"], submission.version, agency_id("BTC"), " ")
    with pytest.raises(ValidationError):
        workflow.transfer(submission, people["lead"], submission.version, agency_id("BKHCN"), "Lý do")
    workflow.transfer(submission, people["lead"], submission.version, agency_id("BTC"), "Thuộc thẩm quyền Bộ Tài chính")
    assert submission.agency_id == agency_id("BTC") and submission.status == Status.ASSIGNED
    assert workflow.allowed_steps(people["officer"], submission) == []
    assert "take" in workflow.allowed_steps(people["other_officer"], submission)


def test_reject_needs_a_listed_reason(db, people):
    submission, _token = make_submission()
    with pytest.raises(ValidationError):
        workflow.reject(submission, people["coordinator"], submission.version, "boring")
    workflow.reject(submission, people["coordinator"], submission.version, "duplicate")
    assert submission.status == Status.REJECTED


def test_reopen_within_thirty_days_only(db, people):
    submission = _assigned(people)
    workflow.take(submission, people["officer"], submission.version)
    workflow.draft(submission, people["officer"], submission.version, "Trả lời")
    workflow.answer(submission, people["lead"], submission.version)
    submission.answered_at = utcnow() - timedelta(days=31)
    with pytest.raises(Conflict):
        workflow.reopen(submission, "Chưa thỏa đáng")
    submission.answered_at = utcnow() - timedelta(days=29)
    workflow.reopen(submission, "Chưa thỏa đáng")
    assert submission.status == Status.REOPENED
    assert "take" in workflow.allowed_steps(people["officer"], submission)


def test_merge_closes_the_duplicate_into_the_original(db, people):
    original, _t = make_submission()
    duplicate, _t2 = make_submission()
    with pytest.raises(ValidationError):
        workflow.merge(duplicate, people["coordinator"], duplicate.version, duplicate.code)
    workflow.merge(duplicate, people["coordinator"], duplicate.version, original.code)
    assert duplicate.status == Status.CLOSED and duplicate.merged_into_id == original.id


def test_staff_cannot_take_submitter_steps(db, people):
    submission = _assigned(people)
    assert "provide_info" not in workflow.allowed_steps(people["coordinator"], submission)
    with pytest.raises(PermissionDenied):
        workflow._check("reopen", submission, people["coordinator"], None)
