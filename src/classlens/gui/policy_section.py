"""Policy settings (ICT leader): the school's preset and the settings it changed,
each shown with a sentence; a change that deletes face templates asks first."""

from __future__ import annotations

import json

from classlens.errors import NeedsConfirmation
from classlens.gui import messages
from classlens.gui.changes import Changes, announce
from classlens.gui.errors import attempt, show_exception
from classlens.gui.i18n import _
from classlens.gui.qt import QtWidgets
from classlens.gui.tables import fill, read_only, selected_key

POLICY_LABELS = {
    "account": "Who can see the school's accounts (private: vetted followers only)",
    "faces": "Faces in published photos (consented, or none at all)",
    "biometric_recognition": "Recognise enrolled pupils by their face",
    "caption_starts_with_class": "Captions start with the class name",
    "allow_hashtags": "Hashtags allowed in captions",
    "allow_mentions": "@mentions allowed in captions",
    "posts_per_class_week_min": "Fewest posts per class each week",
    "posts_per_class_week_max": "Most posts per class each week",
    "group_shots_preferred": "Prefer group photos to photos of one child",
    "consent_renewal": "Consent renewed each school year",
    "report_events_afterwards": "Post about trips only after the event",
    "individual_child_content": "Posts may be about one child",
    "match_tolerance": "Face matching: how close a match must be",
    "match_margin": "Face matching: margin over the next nearest pupil",
    "blur_style": "How faces are hidden (gaussian or pixelate)",
}


class PolicySection(QtWidgets.QWidget):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.policy_summary = QtWidgets.QLabel(objectName="policySummary", wordWrap=True)
        self.policy_table = read_only([_("Setting"), _("Value")], "policySettings")
        self.policy_value = QtWidgets.QLineEdit(objectName="policyValue")
        self.policy_value.setAccessibleName(_("New value"))
        change = QtWidgets.QPushButton(_("Change the selected setting"),
                                       objectName="changePolicy")
        change.clicked.connect(lambda: self.change_policy())
        self.policy_table.itemSelectionChanged.connect(self._policy_selected)
        form = QtWidgets.QHBoxLayout()
        form.addWidget(QtWidgets.QLabel(_("New value")))
        form.addWidget(self.policy_value, 1)
        form.addWidget(change)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.policy_summary)
        layout.addWidget(self.policy_table)
        layout.addLayout(form)

    def reload(self) -> None:
        policy = self.services.policy()
        self.policy_summary.setText(_("Policy: <b>{name}</b> — {summary}").format(
            name=policy.name, summary=policy.summary))
        values = policy.settings()
        names = [n for n in POLICY_LABELS if n in values]
        fill(self.policy_table, [[_(POLICY_LABELS[n]), _plain(values[n])] for n in names],
             names)

    def _policy_selected(self) -> None:
        name = selected_key(self.policy_table)
        if name is not None:
            self.policy_value.setText(json.dumps(self.services.policy().settings()[name]))

    def change_policy(self, name: str | None = None, raw: str | None = None,
                      confirm_deletion: bool | None = None) -> bool:
        name = name or selected_key(self.policy_table)
        raw = self.policy_value.text() if raw is None else raw
        if name is None:
            messages.warning(_("Choose a setting first."))
            return False
        try:
            value = json.loads(raw)
        except json.JSONDecodeError:
            value = raw.strip()  # a bare word is a string, as on the command line

        def change(delete: bool):
            return self.services.settings.set_policy(self.user.username, name, value,
                                                     delete_templates=delete) or True

        try:
            change(False)
        except NeedsConfirmation as question:
            if confirm_deletion is None:
                confirm_deletion = QtWidgets.QMessageBox.question(
                    self, _("Delete face templates?"), str(question)) == \
                    QtWidgets.QMessageBox.StandardButton.Yes
            if not confirm_deletion or attempt(self, lambda: change(True)) is None:
                return False
        except Exception as error:  # noqa: BLE001 - shown in the one error dialog
            show_exception(self, error)
            return False
        announce(Changes(school=True, photos=True, posts=True), self)
        messages.info(_("{setting}: now {value}.").format(setting=_(POLICY_LABELS[name]),
                                                         value=_plain(value)))
        return True


def _plain(value) -> str:
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    if value is None:
        return _("not set")
    return str(value)
