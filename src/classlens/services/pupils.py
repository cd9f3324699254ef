"""Pupils and their consent: what the register says about each child."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from classlens.audit import record
from classlens.errors import ClassLensError, ConcurrentChange
from classlens.register.consent import (
    ALL_CATEGORIES,
    BIOMETRIC,
    CATEGORIES,
    GRANTED,
    PARENT,
    PUPIL,
    REFUSED,
    PupilFacts,
    Verdict,
    consent_state,
    may_process_biometrics,
    may_show,
    state_label,
)
from classlens.register.import_plan import describe_consent
from classlens.register.names import display_name
from classlens.services.access import RECORD_CONSENT, SEE_SENSITIVE, require, role_of
from classlens.services.context import Context
from classlens.services.lookups import find_channel, find_class, find_pupil, now, school_policy
from classlens.storage.models import Consent, Pupil, SchoolClass


@dataclass(frozen=True)
class PupilView:
    """A pupil as the register screens and `register list` show it."""

    pupil_id: str
    given_name: str
    family_name: str
    preferred_name: str | None
    class_name: str | None
    year_group: str | None
    on_roll: bool
    never_publish: bool
    never_publish_reason: str | None  # None unless the viewer may see it
    consent: dict[str, Verdict]  # category (and "biometric") -> state as of the date

    @property
    def display_name(self) -> str:
        return display_name(self.given_name, self.family_name, self.preferred_name)

    def as_dict(self) -> dict:
        data = {
            "pupil_id": self.pupil_id,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "preferred_name": self.preferred_name,
            "class": self.class_name,
            "year_group": self.year_group,
            "on_roll": self.on_roll,
            "never_publish": self.never_publish,
            "consent": {c: state_label(v) for c, v in self.consent.items()},
            "reasons": {c: v.message for c, v in self.consent.items()},
        }
        if self.never_publish_reason is not None:
            data["never_publish_reason"] = self.never_publish_reason
        return data


class PupilServices:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def list_pupils(
        self, class_name: str | None = None, viewer: str | None = None, on: date | None = None
    ) -> list[PupilView]:
        on = on or self.ctx.today()
        with self.ctx.db.transaction() as session:
            sensitive = role_of(session, viewer) in SEE_SENSITIVE
            query = (
                select(Pupil)
                .outerjoin(SchoolClass)
                .options(selectinload(Pupil.consents), selectinload(Pupil.school_class))
                .order_by(SchoolClass.name, Pupil.family_name, Pupil.given_name)
            )
            if class_name is not None:
                find_class(session, class_name)
                query = query.where(SchoolClass.name == class_name)
            return [self._pupil_view(p, on, sensitive) for p in session.scalars(query)]

    def pupil(self, pupil_id: str, viewer: str | None = None, on: date | None = None) -> PupilView:
        with self.ctx.db.transaction() as session:
            sensitive = role_of(session, viewer) in SEE_SENSITIVE
            return self._pupil_view(find_pupil(session, pupil_id), on or self.ctx.today(),
                                    sensitive)

    @staticmethod
    def _pupil_view(pupil: Pupil, on: date, sensitive: bool) -> PupilView:
        decisions = pupil.decisions()
        consent = {c: consent_state(decisions, c, on) for c in CATEGORIES}
        consent[BIOMETRIC] = may_process_biometrics(
            PupilFacts(on_roll=True), decisions, on)  # the consent itself, as recorded
        return PupilView(
            pupil_id=pupil.pupil_id,
            given_name=pupil.given_name,
            family_name=pupil.family_name,
            preferred_name=pupil.preferred_name,
            class_name=pupil.school_class.name if pupil.school_class else None,
            year_group=pupil.year_group,
            on_roll=pupil.on_roll,
            never_publish=pupil.never_publish,
            never_publish_reason=(pupil.never_publish_reason or "") if sensitive
            and pupil.never_publish else None,
            consent=consent,
        )

    def expiring_consents(self, days: int = 30, on: date | None = None) -> list[dict]:
        """Granted consents that lapse within `days` (or have lapsed): who needs renewing."""
        on = on or self.ctx.today()
        horizon = on + timedelta(days=days)
        with self.ctx.db.transaction() as session:
            rows = session.execute(
                select(Pupil.pupil_id, Pupil.given_name, Pupil.preferred_name,
                       Pupil.family_name, Consent.category, Consent.decided_by, Consent.expires)
                .join(Consent).where(Pupil.on_roll.is_(True), Consent.status == GRANTED,
                                     Consent.expires.is_not(None), Consent.expires <= horizon)
                .order_by(Consent.expires, Pupil.family_name)).all()
        return [{"pupil_id": r.pupil_id,
                 "name": display_name(r.given_name, r.family_name, r.preferred_name),
                 "category": r.category, "decided_by": r.decided_by,
                 "expires": r.expires.isoformat(), "expired": r.expires < on} for r in rows]

    def may_show(self, pupil_id: str, channel: str, on: date | None = None) -> Verdict:
        """The consent function for a pupil on a named channel."""
        with self.ctx.db.transaction() as session:
            pupil = find_pupil(session, pupil_id)
            category = find_channel(session, channel).category
            return may_show(pupil.facts(), pupil.decisions(), category, on or self.ctx.today())

    def set_consent(
        self,
        actor: str,
        pupil_id: str,
        category: str,
        status: str,
        decided_by: str = PARENT,
        expires: date | None = None,
        evidence: str | None = None,
    ) -> None:
        if category not in ALL_CATEGORIES:
            raise ClassLensError(f"category must be one of {', '.join(ALL_CATEGORIES)}")
        if status not in (GRANTED, REFUSED):
            raise ClassLensError("status must be granted or refused")
        if decided_by not in (PARENT, PUPIL):
            raise ClassLensError("decided by must be parent or pupil")
        try:
            self._record_consent(actor, pupil_id, category, status, decided_by, expires,
                                 evidence)
        except (ConcurrentChange, IntegrityError):
            # Someone else recorded this decision between our read and our write
            # (an update of the same version, or an insert of the same consent).
            with self.ctx.db.transaction() as session:
                pupil = find_pupil(session, pupil_id)
                consent = next((c for c in pupil.consents if c.category == category
                                and c.decided_by == decided_by), None)
                who = (f" by {consent.recorded_by} at {consent.recorded_at.astimezone():%H:%M:%S}"
                       if consent else "")
            raise ConcurrentChange(f"the {category} consent of {pupil_id} was changed{who} "
                                   "while you were editing it; nothing was saved: reload and "
                                   "check before recording again") from None

    def _record_consent(self, actor, pupil_id, category, status, decided_by, expires,
                        evidence) -> None:
        with self.ctx.db.transaction() as session:
            require(session, actor, RECORD_CONSENT)
            pupil = find_pupil(session, pupil_id)
            if status == GRANTED and expires is None:
                expires = school_policy(session).default_expiry(self.ctx.today())
            if status == REFUSED:
                expires = None  # a refusal stands until someone records otherwise
            consent = next((c for c in pupil.consents
                            if c.category == category and c.decided_by == decided_by), None)
            old = describe_consent((consent.status, consent.expires)) if consent else None
            if consent is None:
                consent = Consent(category=category, decided_by=decided_by)
                pupil.consents.append(consent)
            consent.status, consent.expires, consent.evidence = status, expires, evidence
            consent.recorded_by, consent.recorded_at = actor, now()
            record(session, actor, "consent.set", f"pupil:{pupil_id}",
                   f"{category} ({decided_by})", old,
                   describe_consent((status, expires)))
            self.ctx.after_register_change(session, actor)

    def set_never_publish(self, actor: str, pupil_id: str, flag: bool,
                          reason: str | None = None) -> None:
        if flag and not (reason or "").strip():
            raise ClassLensError("give the reason (kept visible to ICT and SLT only)")
        with self.ctx.db.transaction() as session:
            require(session, actor, SEE_SENSITIVE)
            pupil = find_pupil(session, pupil_id)
            subject = f"pupil:{pupil_id}"
            record(session, actor, "pupil.never_publish", subject, "never_publish",
                   yes_no(pupil.never_publish), yes_no(flag))
            record(session, actor, "pupil.never_publish", subject, "never_publish_reason",
                   pupil.never_publish_reason, reason if flag else None, sensitive=True)
            pupil.never_publish = flag
            pupil.never_publish_reason = reason if flag else None
            self.ctx.after_register_change(session, actor)


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"
