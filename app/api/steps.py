"""The workflow steps the API offers, mapped onto the one workflow. This is the only module
of the API that names the workflow's functions, so a rename there is a change of one line
here. The API's step names are the transitions' names."""
from app.submissions import workflow

STEPS = ("take", "request_info", "note", "draft", "answer", "transfer")


def allowed(principal, submission) -> list[str]:
    """The steps this principal may take on this submission now, as the desk would offer them."""
    return [name for name in workflow.allowed_steps(principal, submission) if name in STEPS]


def current_draft(submission):
    return workflow.current_draft(submission)


def take(name: str, submission, principal, version: int, text: str | None = None, agency_id: int | None = None):
    """Run one step through the workflow: the same checks, event and messages as the desk."""
    runners = {
        "take": lambda: workflow.take(submission, principal, version),
        "request_info": lambda: workflow.request_info(submission, principal, version, text),
        "note": lambda: workflow.note(submission, principal, version, text),
        "draft": lambda: workflow.draft(submission, principal, version, text),
        "answer": lambda: workflow.answer(submission, principal, version),
        "transfer": lambda: workflow.transfer(submission, principal, version, agency_id, text),
    }
    return runners[name]()
