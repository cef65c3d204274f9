"""The demo seed gives every desk role an account that can sign in and reach its page."""
from sqlalchemy import select

from app.accounts.models import User
from app.seeds.demo import DEMO_PASSWORD, seed_demo
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
