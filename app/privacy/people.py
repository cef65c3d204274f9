"""Finding a person's rows in any registered table: by their account id, their own e-mail
address or phone, or their submissions. Tables are read through the metadata, so the
registry names them and no area's model has to be imported here."""
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.privacy.registry import PersonalTable


@dataclass(frozen=True)
class Person:
    user_id: int
    contacts: tuple[str, ...]
    submission_ids: tuple[int, ...]


def person_of(user) -> Person:
    submission = db.metadata.tables["submission"]
    ids = tuple(db.session.scalars(sa.select(submission.c.id).where(submission.c.user_id == user.id)
                                   .order_by(submission.c.id)))
    contacts = tuple(value for value in (user.email, user.phone) if value)
    return Person(user_id=user.id, contacts=contacts, submission_ids=ids)


def table(entry: PersonalTable) -> sa.Table:
    return db.metadata.tables[entry.table]


def link(entry: PersonalTable, person: Person, erasing: bool = False):
    """The condition selecting the rows of `entry` about `person` (None: none can be)."""
    columns = table(entry).c
    parts = [columns[name] == person.user_id for name in entry.owners]
    if person.contacts:
        parts += [columns[name].in_(person.contacts) for name in entry.contacts]
    if person.submission_ids and (entry.via_submission or (erasing and entry.erase_via_submission)):
        parts.append(columns["submission_id"].in_(person.submission_ids))
    return sa.or_(*parts) if parts else None


def blank(column: sa.Column):
    """The emptiest value a column accepts: NULL, or an empty string where NULL is refused."""
    return None if column.nullable else ""
