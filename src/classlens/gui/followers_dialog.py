"""Follower requests: paste the list (or open a CSV), see a verdict and a reason for
each, and record what you decided. SLT and ICT only (the core checks again)."""

from __future__ import annotations

from pathlib import Path

from classlens.followers.lists import parse_pasted, read_follower_csv
from classlens.gui.errors import attempt
from classlens.gui.i18n import _
from classlens.gui.qt import QtGui, QtWidgets

VERDICT_COLOUR = {"parent": "#d7f0dc", "staff": "#d7f0dc", "pupil": "#f8d7da",
                  "business": "#f8d7da", "unknown": "#fdebc8"}
VERDICT_LABEL = {"parent": "Parent", "staff": "Staff", "pupil": "Pupil — do not accept",
                 "business": "Business — do not accept", "unknown": "Unknown — check first"}


class FollowersDialog(QtWidgets.QDialog):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.setObjectName("followersDialog")
        self.setWindowTitle(_("Follower requests"))
        self.services, self.user = services, user
        self.verdicts = []
        self.channel = QtWidgets.QComboBox(objectName="followerChannel")
        for channel in services.settings.channels():
            if channel.category.startswith("social"):
                self.channel.addItem(channel.name, channel.name)
        self.paste = QtWidgets.QPlainTextEdit(objectName="followerPaste")
        self.paste.setPlaceholderText(_("Paste the requests, one a line: handle, display "
                                        "name, bio"))
        self.paste.setMaximumHeight(110)
        check = QtWidgets.QPushButton(_("Check"), objectName="checkFollowers")
        open_csv = QtWidgets.QPushButton(_("Open a CSV…"), objectName="openFollowers")
        self.table = QtWidgets.QTableWidget(0, 4, objectName="followerVerdicts")
        self.table.setHorizontalHeaderLabels([_("Handle"), _("Name"), _("Verdict"), _("Why")])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.status = QtWidgets.QLabel(objectName="followerStatus")
        decide = QtWidgets.QHBoxLayout()
        for decision, label in (("accept", _("Accept")), ("decline", _("Decline")),
                                ("block", _("Block"))):
            button = QtWidgets.QPushButton(label, objectName=f"{decision}Follower")
            button.clicked.connect(lambda _c=False, d=decision: self.decide(d))
            decide.addWidget(button)
        top = QtWidgets.QHBoxLayout()
        top.addWidget(QtWidgets.QLabel(_("Channel")))
        top.addWidget(self.channel, 1)
        top.addWidget(open_csv)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.paste)
        layout.addWidget(check)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(decide)
        check.clicked.connect(self.check_pasted)
        open_csv.clicked.connect(self.open_csv)
        self.resize(980, 560)

    def check_pasted(self) -> None:
        self._show(lambda: self.services.followers.check_followers(
            self.user.username, self.channel.currentData(), parse_pasted(self.paste.toPlainText())))

    def open_csv(self, path: str | None = None) -> None:
        path = path or QtWidgets.QFileDialog.getOpenFileName(
            self, _("Follower requests"), "", _("CSV files (*.csv *.txt)"))[0]
        if path:
            self._show(lambda: self.services.followers.check_followers(
                self.user.username, self.channel.currentData(), read_follower_csv(Path(path))))

    def _show(self, action) -> None:
        verdicts = attempt(self, action)
        if verdicts is None:
            return
        self.verdicts = verdicts
        self.table.setRowCount(len(verdicts))
        for r, v in enumerate(verdicts):
            cells = [v.handle, v.display_name, _(VERDICT_LABEL[v.verdict]), v.reason]
            for c, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                item.setBackground(QtGui.QColor(VERDICT_COLOUR[v.verdict]))
                item.setToolTip(v.reason)
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        accepted = sum(v.verdict in ("parent", "staff") for v in verdicts)
        self.status.setText(_("{n} request(s): {ok} parent or staff, {other} to decline or "
                              "check.").format(n=len(verdicts), ok=accepted,
                                               other=len(verdicts) - accepted))

    def decide(self, decision: str) -> None:
        row = self.table.currentRow()
        if row < 0 or row >= len(self.verdicts):
            self.status.setText(_("Choose a follower first."))
            return
        verdict = self.verdicts[row]
        done = attempt(self, lambda: self.services.followers.decide_follower(
            self.user.username, self.channel.currentData(), verdict.handle, decision,
            verdict.display_name))
        if done is not None:
            past = {"accept": _("Accepted"), "decline": _("Declined"), "block": _("Blocked")}
            self.status.setText(_("{what} {handle}: recorded.").format(
                what=past[decision], handle=verdict.handle))
