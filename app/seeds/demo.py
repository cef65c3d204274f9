"""Demo data: an account for every role and a few hundred realistic submissions, so a
newcomer can try each person's path. Never run it on a production database."""
import random
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, text

from app.accounts.models import AccountKind, Organisation, OrganisationStatus, User
from app.agencies.models import Agency
from app.common import places
from app.common.roles import Role
from app.common.text import search_key
from app.common.time import utcnow
from app.extensions import db
from app.forum import markup
from app.forum.models import Badge, Board, Panelist, Post, Thread
from app.forum.services import publish
from app.moderation.services import seed_words
from app.notify.models import OutboxMessage
from app.seeds.reference import RECEIVING_OFFICE, seed_reference
from app.submissions import deadlines, intake, workflow
from app.submissions.models import Submission, Topic
from app.submissions.states import Kind, Status

DEMO_PASSWORD = "gopy-demo-2026"

# (role, e-mail, name, agency code): the README lists these.
DEMO_ACCOUNTS = [
    (Role.ADMIN, "admin@gopy.local", "Quản trị viên Hệ thống", None),
    (Role.COORDINATOR, "dieuphoi@gopy.local", "Nguyễn Thị Điều Phối", RECEIVING_OFFICE),
    (Role.OFFICER, "chuyenvien@gopy.local", "Trần Văn Chuyên", "BKHCN"),
    (Role.LEAD, "lanhdao@gopy.local", "Lê Minh Lãnh", "BKHCN"),
    # A province's desk, to try transfers between agencies.
    (Role.OFFICER, "chuyenvien.hanoi@gopy.local", "Đỗ Thu Hà", "T01"),
    (Role.LEAD, "lanhdao.hanoi@gopy.local", "Bùi Quốc Dũng", "T01"),
    (Role.MODERATOR, "kiemduyet@gopy.local", "Phạm Thu Kiểm", None),
    (Role.CITIZEN, "congdan@gopy.local", "Hoàng Văn Dân", None),
]

SUBJECTS = [
    ("Sóng di động yếu tại thôn",
     "Thôn chúng tôi ở vùng núi, sóng điện thoại 4G rất yếu, không thể làm thủ tục trực tuyến hay cho con học online."),
    ("Cổng dịch vụ công thường xuyên bị lỗi khi nộp hồ sơ",
     "Khi nộp hồ sơ cấp giấy phép trên cổng dịch vụ công, hệ thống báo lỗi ở bước tải tệp đính kèm, "
     "phải làm lại nhiều lần."),
    ("Đề nghị đơn giản hóa thủ tục đăng ký đề tài khoa học",
     "Hồ sơ đăng ký đề tài cấp bộ yêu cầu quá nhiều bản giấy, đề nghị cho phép nộp hoàn toàn điện tử và ký số."),
    ("Sáng kiến ứng dụng AI hỗ trợ nông dân nhận diện sâu bệnh",
     "Chúng tôi đã thử nghiệm ứng dụng điện thoại dùng trí tuệ nhân tạo chụp lá lúa để nhận diện sâu bệnh, "
     "xin được hỗ trợ nhân rộng."),
    ("Chi phí đăng ký sáng chế còn cao với doanh nghiệp nhỏ",
     "Doanh nghiệp khởi nghiệp gặp khó khăn về phí và thời gian thẩm định đơn đăng ký sáng chế, "
     "đề nghị có cơ chế ưu tiên."),
    ("Đề xuất mở dữ liệu giao thông công cộng",
     "Đề nghị công bố dữ liệu lộ trình và giờ chạy xe buýt dưới dạng dữ liệu mở "
     "để các nhà phát triển xây dựng ứng dụng."),
    ("Vướng mắc khi xác thực định danh điện tử mức 2",
     "Người cao tuổi trong xã gặp khó khăn khi kích hoạt tài khoản định danh điện tử "
     "vì không có điện thoại thông minh."),
    ("Kiến nghị sửa quy định về khoán chi đề tài",
     "Quy định hiện hành về khoán chi còn yêu cầu nhiều chứng từ, đề nghị khoán chi đến sản phẩm cuối cùng."),
    ("Thiếu nhân lực công nghệ thông tin cấp xã",
     "Sau sắp xếp đơn vị hành chính, xã chỉ có một cán bộ kiêm nhiệm chuyển đổi số, "
     "đề nghị bổ sung biên chế và đào tạo."),
    ("Giải pháp thanh toán không dùng tiền mặt ở chợ nông thôn",
     "Đề xuất mô hình chợ 4.0 với mã QR cho tiểu thương, đã thử nghiệm thành công tại một số chợ."),
]
STATUS_MIX = [Status.RECEIVED] * 4 + [Status.ASSIGNED] * 3 + [Status.IN_PROGRESS] * 3 + [
    Status.AWAITING_INFO, Status.ANSWERED, Status.ANSWERED, Status.CLOSED, Status.CLOSED, Status.REJECTED,
    Status.REOPENED]
FAMILY_NAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ"]
GIVEN_NAMES = ["Văn An", "Thị Bình", "Minh Châu", "Quốc Dũng", "Thu Hà", "Đức Hùng", "Ngọc Lan", "Thanh Sơn"]


def seed_demo(count: int = 300, seed: int = 2026) -> int:
    """Fill an empty database; returns how many submissions were made."""
    seed_reference()
    rng = random.Random(seed)
    _demo_accounts()
    if db.session.scalar(select(func.count()).select_from(Submission)):
        seed_forum_demo()
        return 0
    topics = db.session.scalars(select(Topic.id).where(Topic.parent_id.is_not(None))).all()
    agencies = db.session.scalars(select(Agency.id).where(Agency.active)).all()
    people = _Staff.of_demo()
    citizen = db.session.scalar(select(User).where(User.email == "congdan@gopy.local"))
    made = []
    with _commits_not_waiting_for_the_disk():
        for index in range(count):
            submitter = citizen if index % 10 == 0 else None
            submission, _token = intake.submit_feedback(_random_input(rng, topics, index), user=submitter)
            _advance(submission, rng.choice(STATUS_MIX), rng, people, agencies, submitter)
            made.append(submission.id)
    # The demo's submitters are invented, but their random phone numbers may be someone's:
    # the e-mails and SMS their steps queued must never leave. Their inbox lines stay.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.submission_id.in_(made)))
    db.session.commit()
    seed_forum_demo()
    return count


def _demo_accounts() -> None:
    method = current_app.config.get("PASSWORD_HASH_METHOD")
    for role, email, name, agency_code in DEMO_ACCOUNTS:
        if db.session.scalar(select(User).where(User.email == email)):
            continue
        agency = db.session.scalar(select(Agency).where(Agency.code == agency_code)) if agency_code else None
        user = User(email=email, full_name=name, role=role, agency=agency, email_verified_at=utcnow())
        user.set_password(DEMO_PASSWORD, method)
        db.session.add(user)
    if not db.session.scalar(select(User).where(User.email == "doanhnghiep@gopy.local")):
        business = User(email="doanhnghiep@gopy.local", full_name="Vũ Thị Doanh", kind=AccountKind.ORGANISATION,
                        org_name="Công ty Cổ phần Công nghệ Sông Hồng", tax_code="0100109106",
                        email_verified_at=utcnow())
        business.set_password(DEMO_PASSWORD, method)
        db.session.add(business)
        db.session.flush()
        # Verified, as an administrator would after seeing its papers: the demo shows the badge.
        db.session.add(Organisation(owner_id=business.id, name=business.org_name, tax_code=business.tax_code,
                                    status=OrganisationStatus.VERIFIED, verified_by="administrator",
                                    decided_at=utcnow()))
    db.session.commit()


def _random_input(rng: random.Random, topics: list[int], index: int) -> intake.SubmissionInput:
    title, content = rng.choice(SUBJECTS)
    province_code, _name = rng.choice(places.provinces())
    wards = places.wards(province_code)
    national = rng.random() < 0.2
    name = f"{rng.choice(FAMILY_NAMES)} {rng.choice(GIVEN_NAMES)}"
    return intake.SubmissionInput(
        idempotency_key=secrets.token_hex(16),
        kind=rng.choice(Kind.ALL),
        topic_id=rng.choice(topics),
        province_code=None if national else province_code,
        ward_code=None if national or not wards else rng.choice(wards)[0],
        title=title,
        content=f"{content} (Ý kiến số {index + 1}.)",
        contact_name=name,
        contact_phone=f"09{rng.randrange(10**8):08d}",
        consent_processing=True,
        consent_publish=rng.random() < 0.7,
        anonymous_public=rng.random() < 0.3,
    )


# The steps that bring a new submission to each status, as the people of the demo take them.
_ROUTED = ("classify", "assign")
_ANSWERED = (*_ROUTED, "take", "draft", "answer")
PATHS = {
    Status.RECEIVED: (),
    Status.REJECTED: ("reject",),
    Status.ASSIGNED: _ROUTED,
    Status.IN_PROGRESS: (*_ROUTED, "take"),
    Status.AWAITING_INFO: (*_ROUTED, "take", "request_info"),
    Status.ANSWERED: _ANSWERED,
    Status.CLOSED: (*_ANSWERED, "close"),
    Status.REOPENED: (*_ANSWERED, "reopen"),
}
QUESTION = "Xin cho biết địa chỉ cụ thể và thời điểm xảy ra vướng mắc."
REPLY = "Thôn Nà Hang, xã Minh Quang; vướng mắc từ đầu tháng này."
ANSWER = "Cơ quan đã trả lời: kiến nghị được ghi nhận và đưa vào kế hoạch sửa đổi."
REOPEN_REASON = "Câu trả lời chưa giải quyết được vướng mắc của tôi."


@dataclass
class _Staff:
    """The demo accounts who move submissions: the coordinator, and each staffed agency's
    officer and lead (by agency id). Only staffed agencies take submissions further than
    "assigned", since someone there must take each step."""

    coordinator: User
    officers: dict[int, User]
    leads: dict[int, User]

    @property
    def staffed(self) -> list[int]:
        return sorted(self.officers.keys() & self.leads.keys())

    @classmethod
    def of_demo(cls) -> "_Staff":
        staff = db.session.scalars(select(User).where(User.email.in_([a[1] for a in DEMO_ACCOUNTS]))).all()
        by_role = {role: {u.agency_id: u for u in staff if u.role == role} for role in Role.STAFF}
        return cls(next(iter(by_role[Role.COORDINATOR].values())), by_role[Role.OFFICER], by_role[Role.LEAD])


def _advance(submission, target: str, rng: random.Random, people: _Staff, agencies: list[int], submitter) -> None:
    """Walk a demo submission to the target status through the workflow, each step taken by
    the person whose part it is, then date its history back over the weeks before today."""
    received = utcnow() - timedelta(days=rng.randint(0, 90), minutes=rng.randint(0, 1440))
    submission.received_at = received  # classify counts its deadline from here
    agency = rng.choice(agencies if target == Status.ASSIGNED else people.staffed)
    steps = list(PATHS[target])
    if "draft" in steps and rng.random() < 0.3:  # some answers needed more from the submitter first
        steps[steps.index("draft"):steps.index("draft")] = ["request_info", "provide_info"]
    if not steps and rng.random() < 0.5:
        steps = ["classify"]
    officer, lead, coordinator = people.officers.get(agency), people.leads.get(agency), people.coordinator
    move = {
        "classify": lambda: workflow.classify(submission, coordinator, submission.version, submission.kind,
                                              submission.topic_id),
        "reject": lambda: workflow.reject(submission, coordinator, submission.version, "out_of_scope"),
        "assign": lambda: workflow.assign(submission, coordinator, submission.version, agency),
        "take": lambda: workflow.take(submission, officer, submission.version),
        "request_info": lambda: workflow.request_info(submission, officer, submission.version, QUESTION),
        "provide_info": lambda: workflow.provide_info(submission, REPLY, user=submitter),
        "draft": lambda: workflow.draft(submission, officer, submission.version, ANSWER),
        "answer": lambda: workflow.answer(submission, lead, submission.version),
        "close": lambda: workflow.close(submission, officer, submission.version),
        "reopen": lambda: workflow.reopen(submission, REOPEN_REASON, user=submitter),
    }
    for step in steps:
        move[step]()
    _date_back(submission, received, timedelta(days=rng.uniform(0.5, 5)))


def _date_back(submission, received: datetime, gap: timedelta) -> None:
    """The workflow stamps each step with the present moment; a demo needs a past. Spread
    the steps `gap` apart from receipt (never past now), and date what they derived from
    the clock the same way: the answer deadline, the pause, the answer and the closing."""
    events = submission.events
    gap = min(gap, (utcnow() - received) / len(events))
    for index, event in enumerate(events):
        event.created_at = received + gap * index
    when = {event.action: event.created_at for event in events}  # the latest of each step
    if "assign" in when:
        due = deadlines.answer_due(submission.kind, deadlines.local_date(when["assign"]))
        if "request_info" in when:
            paused = deadlines.local_date(when["request_info"])
            if "provide_info" in when:
                due = deadlines.resumed_due(due, paused, deadlines.local_date(when["provide_info"]))
            else:
                submission.paused_on = paused
        submission.due_date = due
    elif submission.status == Status.RECEIVED:  # the coordinators' clock, from receipt
        submission.due_date = deadlines.classify_due(submission.kind, received)
    if "answer" in when:
        submission.answered_at = when["answer"]
    if submission.closed_at is not None:
        submission.closed_at = events[-1].created_at
    # Stored by the next commit: the next submission's, or seed_demo's last.


# Per dialect: how a connection stops waiting for the disk at each commit, and goes back.
_DURABILITY = {
    "postgresql": ("SET synchronous_commit TO off", "RESET synchronous_commit"),
    "sqlite": ("PRAGMA synchronous = OFF", "PRAGMA synchronous = FULL"),
}


@contextmanager
def _commits_not_waiting_for_the_disk():
    """Every workflow step commits, so the demo makes some 1,500 small commits; waiting for
    the disk at each is most of the time on a busy machine. Demo data can be made again at
    will, and a crash loses only the last commits, never consistency. The setting belongs
    to the connection, which the session keeps reusing here (one thread, a pooled connection)."""
    statements = _DURABILITY.get(db.engine.dialect.name)
    if statements is None:
        yield
        return
    off, back = statements
    db.session.execute(text(off))
    db.session.commit()  # kept: a SET in a transaction rolled back would be undone
    try:
        yield
        db.session.commit()
    finally:
        db.session.rollback()  # SQLite changes this setting only outside a transaction
        db.session.execute(text(back))
        db.session.commit()


# The forum: boards, threads, a policy dialogue, badges and the word filter.

FORUM_BOARDS = [
    ("chuyen-doi-so", "Chuyển đổi số", "Dịch vụ công trực tuyến, hạ tầng số, kỹ năng số ở cơ sở.", "everyone"),
    ("khoa-hoc-cong-nghe", "Khoa học và công nghệ", "Đề tài, quỹ, sở hữu trí tuệ, chuyển giao công nghệ.", "everyone"),
    ("thong-bao", "Thông báo từ cơ quan", "Cơ quan nhà nước và chuyên gia đăng thông tin chính thức.", "officials"),
]
FORUM_THREADS = [
    ("chuyen-doi-so", "congdan@gopy.local", "Sóng 4G ở thôn bản: kinh nghiệm của các xã?",
     ["Xã tôi ở vùng núi, sóng yếu nên người dân khó **làm thủ tục trực tuyến**. Các xã khác xử lý thế nào?",
      "Chỗ chúng tôi nhà mạng đã lắp thêm trạm nhỏ sau khi xã gửi kiến nghị qua Góp Ý.",
      "> Chỗ chúng tôi nhà mạng đã lắp thêm trạm nhỏ\n\nBạn có thể chia sẻ mẫu kiến nghị không?",
      "Bộ đang tổng hợp danh sách thôn chưa có sóng để đưa vào chương trình viễn thông công ích."]),
    ("khoa-hoc-cong-nghe", "chuyengia@gopy.local", "Khoán chi đến sản phẩm cuối cùng: cần hướng dẫn gì thêm?",
     ["Nghị định mới cho phép khoán chi, nhưng các trường vẫn yêu cầu nhiều chứng từ. Cần:\n\n"
      "- mẫu hợp đồng khoán\n- tiêu chí nghiệm thu sản phẩm",
      "Doanh nghiệp chúng tôi cũng gặp vướng mắc tương tự khi tham gia đề tài hợp tác."]),
    ("thong-bao", "chuyenvien@gopy.local", "Lịch đối thoại trực tuyến về dữ liệu mở",
     ["Bộ Khoa học và Công nghệ tổ chức đối thoại về dữ liệu mở. Mời người dân đặt câu hỏi trước phiên."]),
]


def seed_forum_demo() -> None:
    """Boards, threads, a dialogue and the word list; skipped when boards exist."""
    if db.session.scalar(select(func.count()).select_from(Board)):
        return
    seed_words()
    users = _forum_people()
    boards = {slug: Board(slug=slug, name=name, description=text, post_policy=policy, position=index)
              for index, (slug, name, text, policy) in enumerate(FORUM_BOARDS)}
    db.session.add_all(boards.values())
    db.session.flush()
    speakers = [users["congdan@gopy.local"], users["doanhnghiep@gopy.local"], users["chuyenvien@gopy.local"]]
    for slug, email, title, bodies in FORUM_THREADS:
        thread = _forum_thread(boards[slug], users[email], title, bodies[0])
        for index, body in enumerate(bodies[1:]):
            _forum_post(thread, speakers[index % len(speakers)], body)
    submission = db.session.scalar(select(Submission).where(Submission.consent_publish.is_(True)).limit(1))
    if submission:
        linked = _forum_thread(boards["chuyen-doi-so"], users["congdan@gopy.local"],
                               f"Bàn về góp ý: {submission.title}",
                               "Mời mọi người cùng thảo luận góp ý này và theo dõi tình trạng xử lý.")
        linked.submission_id = submission.id
    _forum_dialogue(boards["thong-bao"], users)
    db.session.commit()


def _forum_people() -> dict:
    method = current_app.config.get("PASSWORD_HASH_METHOD")
    if not db.session.scalar(select(User).where(User.email == "chuyengia@gopy.local")):
        expert = User(email="chuyengia@gopy.local", full_name="Đỗ Minh Khoa", email_verified_at=utcnow())
        expert.set_password(DEMO_PASSWORD, method)
        db.session.add(expert)
        db.session.flush()
        db.session.add(Badge(user_id=expert.id, kind="expert", label="PGS.TS., Viện Công nghệ Thông tin"))
    return {user.email: user for user in db.session.scalars(select(User).where(User.email.like("%@gopy.local")))}


def _forum_thread(board, author, title: str, body: str):
    thread = Thread(board_id=board.id, author_id=author.id, title=title, search_text=search_key(title))
    db.session.add(thread)
    db.session.flush()
    _forum_post(thread, author, body, is_opening=True)
    return thread


def _forum_post(thread, author, body: str, **values):
    """Demo posts skip the new-account hold and rate limits; they go through publish()."""
    post = Post(thread_id=thread.id, author_id=author.id, body_source=body, body_html=markup.render(body),
                search_text=search_key(body), **values)
    db.session.add(post)
    db.session.flush()
    publish(post)
    return post


def _forum_dialogue(board, users) -> None:
    thread = _forum_thread(board, users["admin@gopy.local"], "Mở dữ liệu giao thông công cộng",
                           "Lãnh đạo Bộ trả lời các câu hỏi được bình chọn nhiều nhất. "
                           "Câu hỏi nhận đến khi phiên kết thúc.")
    thread.dialogue_starts_at = utcnow() - timedelta(hours=1)
    thread.dialogue_ends_at = utcnow() + timedelta(days=7)
    db.session.add(Panelist(thread_id=thread.id, user_id=users["lanhdao@gopy.local"].id))
    asked = _forum_post(thread, users["congdan@gopy.local"], "Khi nào dữ liệu giờ chạy xe buýt được công bố?")
    _forum_post(thread, users["doanhnghiep@gopy.local"], "Dữ liệu sẽ theo chuẩn GTFS chứ ạ?")
    asked.score = 2
    _forum_post(thread, users["lanhdao@gopy.local"], "Dự kiến trong quý tới, theo chuẩn GTFS.", answer_to_id=asked.id)
    asked.answered_at = utcnow()
