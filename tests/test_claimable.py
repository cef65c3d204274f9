"""Which guest submissions an account may claim: the query 'my submissions' runs every time."""
from app.accounts.services import claimable_submissions
from app.common.time import utcnow
from tests.factories import make_submission, make_user


def test_only_unclaimed_guest_submissions_with_a_verified_contact_are_claimable(db):
    user = make_user(email="khach@example.vn", email_verified_at=utcnow())
    guest, _token = make_submission(contact_email="khach@example.vn", contact_phone=None)
    make_submission(contact_email="nguoi-khac@example.vn", contact_phone=None)
    mine, _token = make_submission(user=user)  # sent signed in: its contact is the account's
    assert claimable_submissions(user) == [guest]
    guest.user_id = user.id
    db.session.commit()
    assert claimable_submissions(user) == []
    assert mine.user_id == user.id
