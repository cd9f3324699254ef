"""Dashboard: the weekly class quota, consents to renew, open takedowns, approvals."""

from __future__ import annotations

from classlens.gui.account_checks_view import AccountChecksPanel
from classlens.gui.i18n import _
from classlens.gui.qt import QtGui, QtWidgets

STATUS_COLOUR = {"behind": "#fdebc8", "over": "#f8d7da", "ok": "#d7f0dc"}


def _table(headings: list[str], name: str) -> QtWidgets.QTableWidget:
    table = QtWidgets.QTableWidget(0, len(headings), objectName=name)
    table.setHorizontalHeaderLabels(headings)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    return table


def _fill(table: QtWidgets.QTableWidget, rows: list[list[str]], colours=None) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QtWidgets.QTableWidgetItem(value)
            if colours and colours[r]:
                item.setBackground(QtGui.QColor(colours[r]))
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


class DashboardView(QtWidgets.QWidget):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.quota = _table([_("Class"), _("Posts"), _("Status"), _("Events")], "quota")
        self.expiring = _table([_("Pupil"), _("Consent"), _("Expires")], "expiring")
        self.takedowns = _table([_("Post"), _("Pupil"), _("Channel"), _("Link"), _("Why")],
                                "takedowns")
        self.waiting = _table([_("Post"), _("Author"), _("Channel"), _("Caption")], "waiting")
        self.week = QtWidgets.QLabel(objectName="week")
        refresh = QtWidgets.QPushButton(_("Refresh"))
        refresh.clicked.connect(self.reload)
        grid = QtWidgets.QGridLayout(self)
        for position, (title, widget) in enumerate((
                (_("Posts this week"), self.quota), (_("Consents to renew (30 days)"),
                                                     self.expiring),
                (_("Open takedowns"), self.takedowns), (_("Awaiting approval"), self.waiting))):
            box = QtWidgets.QGroupBox(title)
            inner = QtWidgets.QVBoxLayout(box)
            if widget is self.quota:
                inner.addWidget(self.week)
            inner.addWidget(widget)
            grid.addWidget(box, position // 2, position % 2)
        # The account checklist, weekly follower check and removal requests.
        self.account_checks = AccountChecksPanel(services, user)
        grid.addWidget(self.account_checks, 2, 0, 1, 2)
        grid.addWidget(refresh, 3, 1)
        self.reload()

    def reload(self) -> None:
        report = self.services.weekly_report()
        self.week.setText(_("Week {week} ({start} to {end}); the policy asks for {low} to {high} "
                            "posts per class.").format(week=report["week"], start=report["from"],
                                                        end=report["to"], low=report["min"],
                                                        high=report["max"]))
        _fill(self.quota, [[c["class"], str(c["posts"]), _(c["status"]),
                            str(c.get("events", 0))]
                           for c in report["classes"]],
              [STATUS_COLOUR[c["status"]] for c in report["classes"]])
        expiring = self.services.expiring_consents(30)
        _fill(self.expiring, [[e["name"], e["category"].replace("_", " "),
                               e["expires"] + (" " + _("(expired)") if e["expired"] else "")]
                              for e in expiring])
        takedowns = self.services.open_takedowns()
        # A single exported photo has no post: name the photo and its file instead.
        _fill(self.takedowns, [[str(t["post_id"]) if t["post_id"] is not None
                                else _("photo {id}").format(id=t["photo_id"]),
                                t["pupil_id"], t["channel"], t["url"] or t["file"] or "",
                                t["reason"]] for t in takedowns],
              ["#f8d7da"] * len(takedowns))
        _fill(self.waiting, [[str(v.id), v.author, v.channel, v.caption]
                             for v in self.services.posts("submitted")])
        self.account_checks.reload()
