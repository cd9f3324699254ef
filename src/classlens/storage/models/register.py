"""The register: classes, pupils, their consent decisions and their parents' contacts."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from classlens.register.consent import Decision, PupilFacts
from classlens.storage.models.base import Base, UTCDateTime


class SchoolClass(Base):
    __tablename__ = "classes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)

    pupils: Mapped[list[Pupil]] = relationship(back_populates="school_class")


class Pupil(Base):
    __tablename__ = "pupils"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[str] = mapped_column(String(40), unique=True)  # UPN or MIS id
    given_name: Mapped[str] = mapped_column(String(100))
    family_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str | None] = mapped_column(String(100))
    class_id: Mapped[int | None] = mapped_column(ForeignKey("classes.id"))
    year_group: Mapped[str | None] = mapped_column(String(20))
    on_roll: Mapped[bool] = mapped_column(Boolean, default=True)
    left_on: Mapped[date | None] = mapped_column(Date)
    never_publish: Mapped[bool] = mapped_column(Boolean, default=False)
    # Only ict and slt users may read this (looked-after child, court order...).
    never_publish_reason: Mapped[str | None] = mapped_column(Text)

    school_class: Mapped[SchoolClass | None] = relationship(back_populates="pupils")
    consents: Mapped[list[Consent]] = relationship(
        back_populates="pupil", cascade="all, delete-orphan"
    )

    def decisions(self) -> list[Decision]:
        """The consent decisions as the consent rules see them."""
        return [Decision(c.category, c.status, c.decided_by, c.expires) for c in self.consents]

    def facts(self) -> PupilFacts:
        return PupilFacts(on_roll=self.on_roll, never_publish=self.never_publish)


class Consent(Base):
    """One decision by a parent or by the pupil for one category.

    A pupil has at most one decision per (category, decided_by): a parent's
    and the pupil's own can stand side by side, and the consent rules weigh
    them. Category `biometric` lives here in the same shape.
    """

    __tablename__ = "consents"
    __table_args__ = (UniqueConstraint("pupil_id", "category", "decided_by"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(10))
    decided_by: Mapped[str] = mapped_column(String(10))
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires: Mapped[date | None] = mapped_column(Date)
    evidence: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    pupil: Mapped[Pupil] = relationship(back_populates="consents")

    __mapper_args__ = {"version_id_col": version}


class Contact(Base):
    """A parent's or carer's contact from the MIS, to recognise them among followers.

    Visible to ICT and SLT only; the e-mail address is stored to match follow
    requests but never printed or exported. Deleted when the pupil leaves.
    """

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    pupil_id: Mapped[int] = mapped_column(ForeignKey("pupils.id", ondelete="CASCADE"),
                                          index=True)
    contact_name: Mapped[str] = mapped_column(String(200))
    # "relationship" in the table; named otherwise here, not to hide SQLAlchemy's function.
    relation: Mapped[str] = mapped_column("relationship", String(60))
    email: Mapped[str | None] = mapped_column(String(254))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)

    pupil: Mapped[Pupil] = relationship()
