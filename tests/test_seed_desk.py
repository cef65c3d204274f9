"""The demo seed gives every desk role an account that can sign in and reach its page, and
moves its submissions only through the workflow, as the people of the demo would."""
from types import SimpleNamespace

from sqlalchemy import func, select

from app.accounts.models import User
from app.common.permissions import handling_roles
from app.notify.models import OutboxMessage
from app.seeds.demo import DEMO_PASSWORD, seed_demo
from app.submissions import workflow
from app.submissions.models import Submission
from app.submissions.states import Status
from tests.conftest import FreshContextClient, csrf_token


def test_demo_staff_reach_their_desk(app, db):
    seed_demo(count=20)
    app.test_client_class = FreshContextClient
    for email, url in (("dieuphoi@gopy.local", "/can-bo"), ("chuyenvien.hanoi@gopy.local", "/can-bo"),
                       ("lanhdao@gopy.local", "/can-bo/dung-han"), ("admin@gopy.local", "/quan-tri/can-bo")):
        assert db.session.scalar(select(User).where(User.email == email)) is not None
        client = app.test_client()
        page = client.get("/dang-nhap").get_data(as_text=True)
        response = client.post("/dang-nhap", data={"csrf_token": csrf_token(page), "identifier": email,
                                                   "password": DEMO_PASSWORD})
        assert response.status_code == 303, email
        assert client.get(url).status_code == 200, email


def test_every_seeded_event_is_one_a_transition_can_write(db):
    """From the status before it, by someone who plays one of its parts, to its target."""
    seed_demo(count=40)
    reached = set()
    for submission in db.session.scalars(select(Submission)):
        first, *steps = submission.events
        assert (first.action, first.from_status, first.to_status) == ("submit", None, Status.RECEIVED)
        status = Status.RECEIVED
        for event in steps:
            transition = workflow.TRANSITIONS.get(event.action)
            assert transition is not None, event.action
            assert event.from_status == status and status in transition.sources, (event.action, status)
            assert event.to_status == transition.target, event.action
            assert _parts(event, submission) & set(transition.actors), (event.action, event.actor_id)
            assert event.created_at >= first.created_at
            status = event.to_status or status
        assert status == submission.status
        reached.add(status)
    assert reached == set(Status.ALL)  # the demo shows every state


def _parts(event, submission) -> set:
    """The parts the event's author played: staff by the agency handling it at the time."""
    if event.actor is None or event.actor_id == submission.user_id:
        return {workflow.SUBMITTER}
    return handling_roles(event.actor, SimpleNamespace(agency_id=event.agency_id))


def test_the_demo_queues_no_message_to_its_invented_people(db):
    seed_demo(count=10)
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
