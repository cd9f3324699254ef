"""The one place that turns the core's names into the words people read on screen.

The core speaks in ids (`social_private`, UPNs, `Reason.REFUSED_BY_PARENT`,
ISO dates); teachers read "Private feed (X)", "Joe Bloggs (Oak)", "Refused by
a parent or carer", "24 Nov 2027". Every screen goes through these functions,
so a word is changed (or translated) once.
"""

from __future__ import annotations

from datetime import date, datetime

from classlens.gui.i18n import _
from classlens.register.consent import Reason, Verdict

# The consent categories as a consent form names them.
CATEGORY_NAMES = {
    "website": "School website",
    "social_public": "Public social media",
    "social_private": "Private feed",
    "newsletter": "Newsletter",
    "press": "Press and local news",
    "display": "Displays in school",
    "video": "Video",
    "biometric": "Face recognition (biometrics)",
}
PLATFORM_NAMES = {
    "x": "X", "bluesky": "Bluesky", "mastodon": "Mastodon", "facebook": "Facebook",
    "instagram": "Instagram", "website": "website", "newsletter": "newsletter",
    "other": "other",
}
# Platforms that are not also a word of the category name ("School website (website)").
_SOCIAL = {"x", "bluesky", "mastodon", "facebook", "instagram"}
ROLE_NAMES = {"teacher": "Teacher", "ict": "ICT leader", "slt": "Senior leadership"}
POST_STATUS = {
    "draft": "Draft", "submitted": "Awaiting approval", "approved": "Approved, to export",
    "rejected": "Sent back", "exported": "Exported, to publish", "published": "Published",
    "withdrawn": "Taken down",
}
# Why recognition found nobody (faces/match.py), as a teacher would say it.
MATCH_NOTES = {
    "no enrolled pupil close enough": "not like any enrolled pupil",
    "two pupils too close to call": "looks like more than one pupil, so nobody is named",
    "too small to recognise": "too small to recognise",
    "not compared": "not compared with enrolled pupils",
}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def category_name(category: str) -> str:
    """`social_private` -> "Private feed"; an unknown category keeps readable words."""
    return _(CATEGORY_NAMES.get(category, category.replace("_", " ").capitalize()))


def platform_name(platform: str) -> str:
    return _(PLATFORM_NAMES.get(platform, platform))


def channel_name(channel) -> str:
    """A channel (anything with name, category, platform) in the school's words:
    "Private feed (X)", "School website", or a custom name with its platform."""
    if channel.name == channel.category:
        base = category_name(channel.category)
    else:
        base = channel.name.replace("_", " ")
    if channel.platform in _SOCIAL:
        return f"{base} ({platform_name(channel.platform)})"
    return base


def role_name(role: str) -> str:
    return _(ROLE_NAMES.get(role, role))


def post_status(status: str) -> str:
    return _(POST_STATUS.get(status, status.capitalize()))


def uk_date(value: date | datetime | str | None) -> str:
    """24 Nov 2027 (the way a UK school writes a date); "" for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def uk_date_time(value: datetime | str | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return f"{uk_date(value)}, {value:%H:%M}"


def pupil_name(pupil, with_class: bool = True) -> str:
    """"Joe Bloggs (Oak)": preferred name first; the class tells two Joes apart."""
    name = f"{pupil.preferred_name or pupil.given_name} {pupil.family_name}"
    if with_class and pupil.class_name:
        name += f" ({pupil.class_name})"
    return name


def consent_sentence(verdict: Verdict) -> str:
    """Why a pupil may or may not be shown, as a sentence with a UK date."""
    match verdict.reason:
        case Reason.ALLOWED:
            return _("Consent given")
        case Reason.OFF_ROLL:
            return _("Has left the school")
        case Reason.NEVER_PUBLISH:
            return _("Must never be published")
        case Reason.REFUSED_BY_PUPIL:
            return _("Refused by the pupil")
        case Reason.REFUSED_BY_PARENT:
            return _("Refused by a parent or carer")
        case Reason.NOT_RECORDED:
            return _("No consent recorded")
        case Reason.EXPIRED:
            return _("Consent ran out on {date}").format(date=uk_date(verdict.expired_on))
    raise AssertionError(verdict.reason)


def register_badge(pupil, category: str) -> str:
    """The word in a register cell. A leaver or a never-publish pupil is never
    shown as "granted": the flag wins over the form, as it does when publishing
    (biometrics excepted: that badge is the recorded consent itself)."""
    if category != "biometric":
        if not pupil.on_roll:
            return _("left")
        if pupil.never_publish:
            return _("never publish")
    reason = pupil.consent[category].reason
    return {Reason.ALLOWED: _("granted"), Reason.EXPIRED: _("expired"),
            Reason.NOT_RECORDED: _("not recorded")}.get(reason, _("refused"))


def may_be_shown(pupil, category: str) -> bool:
    """The register's answer to "may this pupil be shown in this category?",
    counting the never-publish flag and leaving as the consent rules do."""
    return (pupil.on_roll and not pupil.never_publish
            and pupil.consent[category].reason is Reason.ALLOWED)


def severity_word(severity: str) -> str:
    return _("Must fix") if severity == "error" else _("Check")


def length_summary(platform: str, lengths) -> str:
    """"X: 117 of 280 characters" (the platform's own counting, in plain words)."""
    parts = []
    for n in lengths:
        unit = n.unit.replace("weighted ", "")
        parts.append(_("{count} of {limit} {unit}").format(count=n.count, limit=n.limit,
                                                           unit=unit)
                     if n.limit else f"{n.count} {unit}")
    return f"{platform_name(platform).capitalize()}: " + ", ".join(parts)


def describe_face(face, channel: str, names: dict[str, str], verdicts: dict) -> str:
    """One face, in words: shown or blurred on the channel, who it is and on what
    the decision rests (whose consent, whose review). No ids, no distances.

    `face` is a FaceView, `channel` the channel's name, `names` maps pupil ids to
    "Name (Class)" and `verdicts` pupil ids to their consent verdict on the channel.
    """
    decision = face.decisions[channel]
    state = _("Shown") if decision.shown else _("Blurred")
    who = names.get(face.pupil_id, _("a pupil not in the register")) if face.pupil_id else None
    if face.source == "manual":
        why = _("a reviewer drew a blur over this area")
    elif face.pupil_id and face.identified_by == "recognition":
        why = _("recognised as {who}").format(who=who)
    elif face.pupil_id:
        why = _("named as {who} by {reviewer}").format(who=who,
                                                       reviewer=face.reviewed_by or _("a reviewer"))
    elif "not a face" in decision.reason:
        why = _("{reviewer} said this is not a face").format(
            reviewer=face.reviewed_by or _("a reviewer"))
    elif face.note:
        why = _("not recognised ({note})").format(
            note=_(MATCH_NOTES.get(face.note, face.note)))
    else:
        why = _("not recognised")
    text = f"{state}: {why}"
    if "no faces are published" in decision.reason:
        text += " — " + _("the school's policy publishes no faces")
    elif "blurred by a reviewer" in decision.reason:
        text += " — " + _("{reviewer} asked for it to be blurred").format(
            reviewer=face.reviewed_by or _("a reviewer"))
    elif face.pupil_id and face.pupil_id in verdicts:
        text += " — " + consent_sentence(verdicts[face.pupil_id]).lower()
    if "must confirm" in decision.reason:
        text += " — " + _("a reviewer named someone else: senior leadership must confirm")
    if face.correction_confirmed_by:
        text += " — " + _("recognition corrected, confirmed by {who}").format(
            who=face.correction_confirmed_by)
    return text


def takedown_reason(reason: str | None) -> str:
    """The core's takedown reason ("website: refused by parent/carer") as a sentence
    ("Refused by a parent or carer"); the channel is in its own column."""
    if not reason:
        return ""
    message = reason.split(": ", 1)[-1]
    for kind in Reason:
        if kind is Reason.EXPIRED:
            continue
        if Verdict(kind).message == message:
            return consent_sentence(Verdict(kind))
    if message.startswith("consent expired on "):
        try:
            return consent_sentence(Verdict(Reason.EXPIRED, date.fromisoformat(
                message.removeprefix("consent expired on "))))
        except ValueError:
            pass
    return message[:1].upper() + message[1:]
