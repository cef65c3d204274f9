"""Helpers for desk tests: act through the real forms (sign in with the login_as fixture)."""
import re


def desk_url(submission) -> str:
    return f"/can-bo/ho-so/{submission.id}"


def post_step(client, submission, step: str, headers=None, version=None, **fields):
    """Post a step's form the way the page does: CSRF token and version from the page."""
    page = client.get(desk_url(submission)).get_data(as_text=True)
    if f'name="{step}-version"' not in page:  # a large form lives on a page of its own
        own = client.get(f"{desk_url(submission)}/buoc/{step}")
        page = own.get_data(as_text=True) if own.status_code == 200 else page
    if version is None:
        match = re.search(rf'name="{step}-version" type="hidden" value="(\d+)"', page)
        version = match.group(1) if match else "1"
    # Every form of a session carries the same token; a form not on the page borrows it.
    token = re.search(r'name="[a-z_]*-?csrf_token" type="hidden" value="([^"]+)"', page)
    data = {f"{step}-csrf_token": token.group(1) if token else "", f"{step}-version": str(version)}
    data.update({f"{step}-{name}": value for name, value in fields.items()})
    return client.post(f"{desk_url(submission)}/{step}", data=data, headers=headers or {})
