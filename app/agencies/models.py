"""An agency: a ministry or central office, one of the 34 provinces, or a commune."""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db


class AgencyLevel:
    CENTRAL = "central"
    PROVINCE = "province"
    COMMUNE = "commune"


class Agency(db.Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16), index=True)
    province_code: Mapped[int | None] = mapped_column(index=True)
    ward_code: Mapped[int | None]
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    # The receiving office classifies and routes everything new (the coordinators' desk).
    is_receiving_office: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    parent = relationship("Agency", remote_side=[id])

    def localized_name(self, locale: str) -> str:
        return self.name_en if locale == "en" and self.name_en else self.name
