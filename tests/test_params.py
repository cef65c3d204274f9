"""Numbers and keys in URLs: old Vietnamese query keys redirect, ids out of range are 404."""
import pytest


@pytest.mark.parametrize(("old", "new"), [
    ("/gop-y?trang=2&q=so", "/gop-y?page=2&q=so"),
    ("/tra-cuu?ma=1234567890", "/tra-cuu?code=1234567890"),
])
def test_old_query_keys_redirect_to_the_new_ones(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response.headers["Location"] == new


@pytest.mark.parametrize("number", [0, 2**31, 2**63, 10**30])
def test_ids_outside_the_database_range_are_not_found(client, number):
    assert client.get(f"/tep/{number}").status_code == 404
