"""The one list of every table and column that holds personal data, and how each is linked to
the person it is about: the export reads it to find everything held about someone, erasure
to know what to delete or empty, retention to know what to clear. A table with a person's
column that is neither here nor in NOT_PERSONAL fails tests/test_privacy.py."""
from dataclasses import dataclass

# What erasing an account does to a table's rows about the person.
DELETE = "delete"  # the rows go
ANONYMISE = "anonymise"  # the rows stay with their personal columns emptied
KEEP = "keep"  # the rows stay: they hold nothing personal once the account row is emptied,
# or the law (the handling record, the moderation log) requires them


@dataclass(frozen=True)
class PersonalTable:
    table: str
    erase: str
    # Columns holding the person's own account id: rows about them.
    owners: tuple[str, ...] = ()
    # Columns holding an e-mail address or phone number, matched against the person's own.
    contacts: tuple[str, ...] = ()
    # Rows of the person's own submissions (by submission_id): exported, and erased with them.
    via_submission: bool = False
    # Only erasure follows submission_id (messages to staff about the person's case).
    erase_via_submission: bool = False
    # Columns that hold personal data: emptied on erasure and by retention.
    personal: tuple[str, ...] = ()
    # The staff member who acted (an official act, not data about the person): exported, kept.
    actors: tuple[str, ...] = ()
    # Never exported: secrets (hashes) and the agency's internal working notes.
    withheld: tuple[str, ...] = ()
    # Columns whose names look personal but hold none, each table saying why in `why`.
    not_personal: tuple[str, ...] = ()
    why: str = ""

    @property
    def columns(self) -> set[str]:
        return {*self.owners, *self.contacts, *self.personal, *self.actors, *self.withheld, *self.not_personal}


REGISTRY: tuple[PersonalTable, ...] = (
    PersonalTable("user", ANONYMISE, owners=("id",),
                  personal=("email", "phone", "full_name", "org_name", "tax_code", "password_hash", "locale",
                            "email_verified_at", "phone_verified_at", "totp_secret"),
                  withheld=("password_hash", "totp_secret"),
                  why="The row stays, emptied, so forum posts and timelines show 'a former member'."),
    PersonalTable("identity", DELETE, owners=("user_id",), personal=("subject",)),
    PersonalTable("verification_code", DELETE, owners=("user_id",), withheld=("code_hash",)),
    PersonalTable("password_reset", DELETE, owners=("user_id",), withheld=("token_hash", "recipient_hash")),
    PersonalTable("recovery_code", DELETE, owners=("user_id",), withheld=("code_hash",)),
    PersonalTable("organisation", DELETE, owners=("owner_id",), actors=("decided_by_id",),
                  personal=("document_name",), not_personal=("name", "tax_code"),
                  why="A business's registered name and tax code are public; the owner's request and its "
                      "document go with the owner."),
    PersonalTable("organisation_member", DELETE, owners=("user_id",)),
    PersonalTable("submission", ANONYMISE, owners=("user_id",),
                  personal=("user_id", "contact_name", "contact_email", "contact_phone", "org_name", "tax_code",
                            "latitude", "longitude"),
                  not_personal=("submitter_kind",),
                  why="The case stays with the agency (the law on handling citizens' feedback); who sent it goes."),
    PersonalTable("attachment", DELETE, via_submission=True, personal=("original_name",),
                  why="Files may show faces, addresses, ID cards: deleted with their stored bytes."),
    PersonalTable("consent", KEEP, via_submission=True, actors=("recorded_by_id",),
                  why="The record of what was agreed names no one."),
    PersonalTable("submission_event", KEEP, via_submission=True, actors=("actor_id",), withheld=("internal_note",),
                  why="The handling record; the sender's details typed into notes are masked on erasure."),
    PersonalTable("answer_draft", KEEP, actors=("author_id",)),
    PersonalTable("rating", KEEP, via_submission=True),
    PersonalTable("support", ANONYMISE, owners=("user_id",), contacts=("phone",), personal=("user_id", "phone"),
                  why="The support still counts; whose it was goes."),
    PersonalTable("support_code", DELETE, contacts=("phone",), withheld=("code_hash",)),
    PersonalTable("submission_follower", DELETE, owners=("user_id",)),
    PersonalTable("forum_thread", KEEP, owners=("author_id",), why="Shown as from 'a former member'."),
    PersonalTable("forum_post", KEEP, owners=("author_id",), why="Shown as from 'a former member'."),
    PersonalTable("forum_post_vote", KEEP, owners=("user_id",), why="A score, pointing to an emptied account."),
    PersonalTable("forum_thread_read", DELETE, owners=("user_id",)),
    PersonalTable("forum_follow", DELETE, owners=("user_id",)),
    PersonalTable("forum_badge", DELETE, owners=("user_id",), actors=("granted_by_id",)),
    PersonalTable("forum_panelist", DELETE, owners=("user_id",)),
    PersonalTable("moderation_flag", KEEP, owners=("user_id",), why="Moderators' record of a report."),
    PersonalTable("moderation_action", KEEP, owners=("subject_id",), actors=("moderator_id",),
                  why="The public moderation log."),
    PersonalTable("moderation_appeal", KEEP, owners=("user_id",), why="Part of the moderation record."),
    PersonalTable("moderation_suspension", KEEP, owners=("user_id",), why="Part of the moderation record."),
    PersonalTable("outbox_message", DELETE, owners=("user_id",), contacts=("recipient",), erase_via_submission=True,
                  personal=("recipient", "subject", "body", "html"), actors=("given_up_by_id",)),
    PersonalTable("sms_inbound", DELETE, contacts=("phone",), personal=("phone",),
                  why="Which gateway messages were already processed, by number."),
    PersonalTable("sms_part", DELETE, contacts=("phone",), personal=("phone", "text")),
    PersonalTable("sms_pending", DELETE, contacts=("phone",), personal=("phone", "content")),
    PersonalTable("sms_opt_out", KEEP, contacts=("phone",),
                  why="The number asked for no more messages (HUY): kept so that it is never messaged again."),
    PersonalTable("notification", DELETE, owners=("user_id",)),
    PersonalTable("api_token", KEEP, actors=("acting_user_id", "created_by_id"), not_personal=("name", "contact_email"),
                  why="A machine client's name and its operator's service address."),
    PersonalTable("personal_data_read", KEEP, owners=("subject_user_id",), via_submission=True, actors=("staff_id",),
                  why="Accountability of the staff who read the data; it names no one once the account is emptied."),
    PersonalTable("data_export", DELETE, owners=("user_id",)),
)

BY_TABLE = {entry.table: entry for entry in REGISTRY}

# Tables with a column whose name looks personal but that hold nobody's personal data.
NOT_PERSONAL = {
    "topic": "Topic names.",
    "agency": "Agency names and their public contact.",
    "forum_board": "Board names.",
    "webhook_endpoint": "A machine endpoint's address.",
    "api_call": "Which token called which route.",
    "periodic_run": "The worker's jobs: their names and when they last ran.",
    "attachment_blob": "File bytes, reached through attachment.storage_key and data_export.storage_key.",
}


def entry(table: str) -> PersonalTable:
    return BY_TABLE[table]
