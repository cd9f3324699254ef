"""Dashboard: the weekly class quota, consents to renew, open takedowns, approvals."""

from __future__ import annotations

from classlens.gui.account_checks_view import AccountChecksPanel
from classlens.gui.changes import Changes, hub
from classlens.gui.i18n import _
from classlens.gui.qt import QtWidgets
from classlens.gui.tables import fill, read_only
from classlens.gui.words import category_name, channel_name, pupil_name, takedown_reason, uk_date

STATUS_COLOUR = {"behind": "#fdebc8", "over": "#f8d7da", "ok": "#d7f0dc"}


class DashboardView(QtWidgets.QWidget):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.quota = read_only([_("Class"), _("Posts"), _("Status"), _("Events")], "quota")
        self.expiring = read_only([_("Pupil"), _("Consent"), _("Expires")], "expiring")
        self.takedowns = read_only([_("Post"), _("Pupil"), _("Channel"), _("Link"), _("Why")],
                                   "takedowns")
        self.waiting = read_only([_("Sent"), _("Author"), _("Channel"), _("Caption")], "waiting")
        self.week = QtWidgets.QLabel(objectName="week")
        refresh = QtWidgets.QPushButton(_("Refresh"))
        refresh.clicked.connect(self.reload)
        grid = QtWidgets.QGridLayout(self)
        for position, (title, widget) in enumerate((
                (_("Posts this week"), self.quota), (_("Consents to renew (30 days)"),
                                                     self.expiring),
                (_("Open takedowns"), self.takedowns), (_("Awaiting approval"), self.waiting))):
            box = QtWidgets.QGroupBox(title)
            widget.setAccessibleName(title)
            inner = QtWidgets.QVBoxLayout(box)
            if widget is self.quota:
                inner.addWidget(self.week)
            inner.addWidget(widget)
            grid.addWidget(box, position // 2, position % 2)
        # The account checklist, weekly follower check and removal requests.
        self.account_checks = AccountChecksPanel(services, user)
        grid.addWidget(self.account_checks, 2, 0, 1, 2)
        grid.addWidget(refresh, 3, 1)
        hub(self.services).operation_did_execute.connect(self.on_changes)
        self.reload()

    def on_changes(self, changes: Changes, _origin) -> None:
        if changes.posts or changes.register or changes.school:
            self.reload()

    def reload(self) -> None:
        report = self.services.post_reports.weekly_report()
        self.week.setText(_("{start} to {end}: the policy asks for {low} to {high} posts per "
                            "class each week.").format(start=uk_date(report["from"]),
                                                       end=uk_date(report["to"]),
                                                       low=report["min"], high=report["max"]))
        status_words = {"behind": _("needs more posts"), "over": _("too many posts"),
                        "ok": _("on track")}
        fill(self.quota, [[c["class"], str(c["posts"]),
                           status_words.get(c["status"], c["status"]),
                           str(c.get("events", 0))]
                          for c in report["classes"]],
             colours=[STATUS_COLOUR[c["status"]] for c in report["classes"]])
        expiring = self.services.pupils.expiring_consents(30)
        fill(self.expiring, [[e["name"], category_name(e["category"]),
                              uk_date(e["expires"]) + (" " + _("(ran out)") if e["expired"]
                                                       else "")]
                             for e in expiring])
        takedowns = self.services.post_reports.open_takedowns()
        channels = {c.name: channel_name(c) for c in self.services.settings.channels()}
        pupils = {p.pupil_id: pupil_name(p) for p in self.services.pupils.list_pupils()}
        posts = {v.id: v for v in self.services.posts.posts()}
        # A single exported photo has no post: name its file instead.
        fill(self.takedowns, [[_short(posts[t["post_id"]].caption) if t["post_id"] in posts
                               else _("a single photo ({file})").format(file=t["file"] or ""),
                               pupils.get(t["pupil_id"], _("a pupil")),
                               channels.get(t["channel"], t["channel"]),
                               t["url"] or t["file"] or "", takedown_reason(t["reason"])]
                              for t in takedowns],
             colours=["#f8d7da"] * len(takedowns))
        fill(self.waiting, [[uk_date(v.times.get("submitted_at")), v.author,
                             channels.get(v.channel, v.channel), _short(v.caption)]
                            for v in self.services.posts.posts("submitted")])
        self.account_checks.reload()


def _short(text: str, length: int = 50) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[:length - 1] + "…"
