"""The roles an account can hold: the only place their names are written."""
from flask_babel import lazy_gettext as _l


class Role:
    CITIZEN = "citizen"
    COORDINATOR = "coordinator"
    OFFICER = "officer"
    LEAD = "lead"
    MODERATOR = "moderator"
    ADMIN = "admin"
    # The agency desk: the receiving office's coordinators and each agency's staff.
    STAFF = (COORDINATOR, OFFICER, LEAD)
    AGENCY_STAFF = (OFFICER, LEAD)
    MODERATORS = (MODERATOR, ADMIN)
    ALL = (CITIZEN, COORDINATOR, OFFICER, LEAD, MODERATOR, ADMIN)


ROLE_LABELS = {
    Role.CITIZEN: _l("Citizen"),
    Role.COORDINATOR: _l("Coordinator (receiving office)"),
    Role.OFFICER: _l("Officer"),
    Role.LEAD: _l("Agency lead"),
    Role.MODERATOR: _l("Forum moderator"),
    Role.ADMIN: _l("Administrator"),
}


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))
