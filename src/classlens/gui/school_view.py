"""Staff and settings (ICT leader): staff accounts, never-publish flags, channels
and the school's policy settings, one section each. Every action is checked
again by the core."""

from __future__ import annotations

from classlens.gui.changes import Changes, hub
from classlens.gui.channels_section import ChannelsSection
from classlens.gui.i18n import _
from classlens.gui.never_publish_section import NeverPublishSection
from classlens.gui.policy_section import PolicySection
from classlens.gui.qt import QtWidgets
from classlens.gui.staff_accounts import StaffAccountsSection


class SchoolView(QtWidgets.QWidget):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.staff_accounts = StaffAccountsSection(services, user)
        self.never_publish = NeverPublishSection(services, user)
        self.channels = ChannelsSection(services, user)
        self.policy_settings = PolicySection(services, user)
        self.sections = QtWidgets.QTabWidget(objectName="schoolSections")
        self.sections.addTab(self.staff_accounts, _("Staff accounts"))
        self.sections.addTab(self.never_publish, _("Never publish"))
        self.sections.addTab(self.channels, _("Channels"))
        self.sections.addTab(self.policy_settings, _("Policy"))
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.sections)
        hub(self.services).operation_did_execute.connect(self.on_changes)
        self.reload()

    def on_changes(self, changes: Changes, _origin) -> None:
        if changes.users or changes.register or changes.school:
            self.reload()

    def reload(self) -> None:
        for section in (self.staff_accounts, self.never_publish, self.channels,
                        self.policy_settings):
            section.reload()
