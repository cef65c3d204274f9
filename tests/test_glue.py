"""The route glue in common, on its own: run_form, show_error, form_page, see_other, the query
parsers (requested_page, id_arg, int_arg), page_url and contains_text."""
import pytest
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import ValidationError as FieldError

from app.accounts.models import User
from app.common.errors import Conflict, PermissionDenied, ValidationError
from app.common.forms import BaseForm, show_error
from app.common.paging import MAX_PAGE, page_url, requested_page
from app.common.params import MAX_ID, id_arg, int_arg
from app.common.rendering import form_page, run_form, see_other
from app.common.text import contains_text
from tests.factories import make_user


class NameForm(BaseForm):
    class Meta:
        csrf = False

    code = StringField()
    note = StringField()

    def validate_code(self, field):
        if not field.data:
            raise FieldError("Enter a code.")


def _form(app, **data):
    with app.test_request_context("/", method="POST", data=data):
        return NameForm()


# run_form


def test_run_form_runs_nothing_when_the_form_is_invalid(app):
    with app.test_request_context("/", method="POST", data={"code": ""}):
        form, calls = NameForm(), []
        assert run_form(form, lambda: calls.append("ran")) == (False, None)
        assert calls == [] and form.code.errors == ["Enter a code."]


def test_run_form_returns_what_the_service_returned(app):
    with app.test_request_context("/", method="POST", data={"code": "Mai"}):
        form = NameForm()
        assert run_form(form, lambda: f"hello {form.code.data}") == (True, "hello Mai")
        assert not form.errors


def test_run_form_puts_a_refusal_on_its_field_and_rolls_back(app, db):
    with app.test_request_context("/", method="POST", data={"code": "Mai"}):
        form = NameForm()

        def refuse():
            db.session.add(User(email="never@example.vn", full_name="Never Stored"))
            db.session.flush()
            raise ValidationError("note", "Not like this.")

        assert run_form(form, refuse) == (False, None)
        assert form.note.errors == ["Not like this."] and not form.code.errors
    assert db.session.scalar(select(User).where(User.email == "never@example.vn")) is None


def test_run_form_puts_a_conflict_on_the_fallback_field(app):
    with app.test_request_context("/", method="POST", data={"code": "Mai"}):
        form = NameForm()

        def conflict():
            raise Conflict("Someone changed it first.")

        assert run_form(form, conflict, "code") == (False, None)
        assert form.code.errors == ["Someone changed it first."]


def test_run_form_lets_a_permission_refusal_through_to_the_403_page(app):
    with app.test_request_context("/", method="POST", data={"code": "Mai"}):
        form = NameForm()

        def forbidden():
            raise PermissionDenied("No.")

        with pytest.raises(PermissionDenied):
            run_form(form, forbidden)


# show_error


@pytest.mark.parametrize(("field", "fallback", "on_code", "on_note", "on_form"), [
    ("note", None, [], ["Nope."], []),  # the field the error names
    ("note", "code", [], ["Nope."], []),  # the named field wins over the fallback
    ("missing", "code", ["Nope."], [], []),  # a field the form lacks: the fallback
    (None, "code", ["Nope."], [], []),
    (None, None, [], [], ["Nope."]),  # nowhere to put it: the summary at the top
    ("missing", "also-missing", [], [], ["Nope."]),
])
def test_show_error_puts_the_message_where_the_reader_sees_it(app, field, fallback, on_code, on_note, on_form):
    form = _form(app, code="Mai")
    show_error(form, ValidationError(field, "Nope."), fallback)
    assert (list(form.code.errors), list(form.note.errors), form.form_errors) == (on_code, on_note, on_form)


def test_an_error_for_no_field_links_to_the_form_in_the_summary(app):
    form = _form(app, code="Mai")
    show_error(form, Conflict("Changed meanwhile."))
    assert form.error_list == [("", "Changed meanwhile.")]


# form_page and see_other


def test_form_page_answers_422_while_the_form_has_errors(app):
    with app.test_request_context("/", method="POST", data={"code": ""}):
        form = NameForm()
        form.validate()
        response = form_page("tracking/lookup.html", "tracking/_lookup.html", form=form)
        assert response.status_code == 422
        assert "HX-Request" in response.headers["Vary"]


def test_form_page_answers_200_for_a_form_without_errors(app):
    with app.test_request_context("/"):
        form = NameForm()
        response = form_page("tracking/lookup.html", "tracking/_lookup.html", form=form)
        assert response.status_code == 200 and "<html" in response.get_data(as_text=True)


def test_form_page_answers_the_fragment_to_htmx(app):
    with app.test_request_context("/", headers={"HX-Request": "true"}):
        app.preprocess_request()  # htmx-flask reads the headers before the view
        response = form_page("tracking/lookup.html", "tracking/_lookup.html", form=NameForm())
        body = response.get_data(as_text=True)
        assert body.lstrip().startswith('<div id="lookup"') and "<html" not in body


def test_see_other_is_a_303_to_the_endpoint(app):
    with app.test_request_context("/"):
        response = see_other("tracking.show", code="1234567890")
        assert response.status_code == 303 and response.headers["Location"] == "/tra-cuu/1234567890"


# Numbers from the query string


@pytest.mark.parametrize(("query", "page"), [
    ("", 1), ("page=", 1), ("page=abc", 1), ("page=0", 1), ("page=-3", 1), ("page=7", 7),
    (f"page={MAX_PAGE}", MAX_PAGE), (f"page={MAX_PAGE + 1}", MAX_PAGE), (f"page={10**30}", MAX_PAGE),
])
def test_requested_page_is_always_a_page_that_can_be_fetched(app, query, page):
    with app.test_request_context(f"/?{query}"):
        assert requested_page() == page


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), ("", None), ("abc", None), ("1.5", None), ("0", None), ("-1", None),
    ("1", 1), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None), (str(2**63), None), (str(10**30), None),
])
def test_id_arg_is_an_id_the_database_can_hold_or_none(app, value, expected):
    query = "" if value is None else f"?id={value}"
    with app.test_request_context(f"/{query}"):
        assert id_arg("id") == expected


def test_int_arg_keeps_within_its_bounds_or_gives_the_default(app):
    with app.test_request_context(f"/?n=5&big={10**30}&neg=-2&word=five"):
        assert int_arg("n", low=1, high=10) == 5
        assert int_arg("n", low=6, default=6) == 6
        assert int_arg("big", default=3) == 3
        assert int_arg("neg") is None and int_arg("neg", low=-5) == -2
        assert int_arg("word", default=1) == 1 and int_arg("absent") is None


# page_url and contains_text


def test_page_url_keeps_the_filters_and_the_path(app):
    with app.test_request_context("/tra-cuu/1234567890?q=xe+buyt&kind=a&kind=b&page=3"):
        url = page_url(4)
    assert url.startswith("/tra-cuu/1234567890?")
    assert "q=xe+buyt" in url and "kind=a&kind=b" in url and "page=4" in url and "page=3" not in url


def test_page_url_never_lets_the_query_override_the_path(app):
    with app.test_request_context("/tra-cuu/1234567890?code=999"):
        assert page_url(2).startswith("/tra-cuu/1234567890?")


@pytest.mark.parametrize(("typed", "found"), [
    ("50%", ["Giảm 50% phí"]),
    ("a_b", ["Mã a_b"]),
    ("\\", ["Đường dẫn C:\\tep"]),
    ("Giảm", ["Giảm 50% phí", "Giảm 500 đồng"]),
])
def test_contains_text_takes_like_wildcards_literally(db, typed, found):
    for name in ("Giảm 50% phí", "Giảm 500 đồng", "Mã a_b", "Mã axb", "Đường dẫn C:\\tep"):
        make_user(full_name=name)
    names = db.session.scalars(select(User.full_name).where(contains_text(User.full_name, typed))).all()
    assert sorted(names) == sorted(found)
