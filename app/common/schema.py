"""Schema rules shared by Alembic's env.py and the migration tests."""


def include_for_dialect(dialect_name: str):
    """An Alembic include_object hook: an index declared for one dialect only (Index.ddl_if,
    e.g. PostgreSQL's trigram search index) is not expected on the others."""

    def include(obj, name, type_, reflected, compare_to) -> bool:
        ddl_if = getattr(obj, "_ddl_if", None)
        if type_ == "index" and ddl_if is not None and ddl_if.dialect:
            return ddl_if.dialect == dialect_name
        return True

    return include
