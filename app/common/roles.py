"""The roles an account can hold: the only place their names are written."""


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
