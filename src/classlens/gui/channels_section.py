"""Channels (ICT leader): where posts go, each with the consent it needs."""

from __future__ import annotations

from classlens.gui import messages
from classlens.gui.changes import Changes
from classlens.gui.errors import attempt
from classlens.gui.i18n import _
from classlens.gui.qt import QtWidgets
from classlens.gui.tables import fill, read_only
from classlens.gui.words import category_name, channel_name, platform_name
from classlens.policy.platforms import PLATFORMS
from classlens.register.consent import CATEGORIES


class ChannelsSection(QtWidgets.QWidget):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.channel_table = read_only(
            [_("Channel"), _("Consent it needs"), _("Platform")], "channels")
        self.channel_name = QtWidgets.QLineEdit(objectName="newChannelName",
                                                placeholderText=_("Name, e.g. Oak class blog"))
        self.channel_name.setAccessibleName(_("New channel name"))
        self.channel_category = QtWidgets.QComboBox(objectName="newChannelCategory")
        for category in CATEGORIES:
            self.channel_category.addItem(category_name(category), category)
        self.channel_category.setAccessibleName(_("Consent it needs"))
        self.channel_platform = QtWidgets.QComboBox(objectName="newChannelPlatform")
        for platform in PLATFORMS:
            self.channel_platform.addItem(platform_name(platform).capitalize(), platform)
        self.channel_platform.setAccessibleName(_("Platform"))
        add = QtWidgets.QPushButton(_("Add channel"), objectName="addChannel")
        add.clicked.connect(lambda: self.add_channel())
        form = QtWidgets.QHBoxLayout()
        for widget in (self.channel_name, self.channel_category, self.channel_platform, add):
            form.addWidget(widget)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.channel_table)
        layout.addLayout(form)

    def reload(self) -> None:
        channels = self.services.settings.channels()
        fill(self.channel_table, [[channel_name(c), category_name(c.category),
                                   platform_name(c.platform).capitalize()] for c in channels],
             [c.name for c in channels])

    def add_channel(self) -> bool:
        name = self.channel_name.text().strip()
        if not name:
            messages.warning(_("Give the new channel a name."))
            return False
        if attempt(self, lambda: self.services.settings.add_channel(
                self.user.username, name, self.channel_category.currentData(),
                self.channel_platform.currentData()) or True, Changes(school=True)) is None:
            return False
        self.channel_name.clear()
        messages.info(_("Added the channel {name}.").format(name=name))
        return True
