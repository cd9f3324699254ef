"""Dashboard panel: this term's account checklist, this week's follower checks and
parents' removal requests, each on screen until it is done."""

from __future__ import annotations

from pathlib import Path

from classlens.followers.lists import read_follower_csv
from classlens.gui.errors import attempt
from classlens.gui.i18n import _
from classlens.gui.qt import QtWidgets
from classlens.gui.tables import fill, read_only

STATUS_COLOUR = {"overdue": "#f8d7da", "due": "#fdebc8", "confirmed": "#d7f0dc"}
FOLLOWER_ROLES = ("slt", "ict")


class AccountChecksPanel(QtWidgets.QWidget):
    def __init__(self, services, user, parent=None):
        super().__init__(parent)
        self.services, self.user = services, user
        self.checklist_rows: list[dict] = []
        self.follower_rows: list[dict] = []
        layout = QtWidgets.QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.checklist = read_only([_("Channel"), _("Status"), _("Promise")], "accountChecklist",
                                   select_many=True)
        self.followers = read_only([_("Channel"), _("Week of"), _("Status")], "followerChecks")
        self.requests = read_only([_("From"), _("About"), _("Waiting for")], "removalRequests")
        for table, name in ((self.checklist, _("Account checklist")),
                            (self.followers, _("Weekly follower checks")),
                            (self.requests, _("Removal requests"))):
            table.setAccessibleName(name)
        self.requests.setWordWrap(True)
        if user.role in FOLLOWER_ROLES:
            self.checklist_box = QtWidgets.QGroupBox(_("Account checklist this term"))
            inner = QtWidgets.QVBoxLayout(self.checklist_box)
            inner.addWidget(self.checklist)
            if user.role == "slt":
                confirm = QtWidgets.QPushButton(_("I checked the selected settings"),
                                                objectName="confirmAccount")
                confirm.clicked.connect(self.confirm_selected)
                inner.addWidget(confirm)
            layout.addWidget(self.checklist_box, 3)
            box = QtWidgets.QGroupBox(_("Weekly follower check (public channels)"))
            inner = QtWidgets.QVBoxLayout(box)
            inner.addWidget(self.followers)
            buttons = QtWidgets.QHBoxLayout()
            draw = QtWidgets.QPushButton(_("Draw sample…"), objectName="drawSample")
            draw.clicked.connect(lambda: self.draw_sample())
            buttons.addWidget(draw)
            if user.role == "slt":
                done = QtWidgets.QPushButton(_("Sample checked"), objectName="sampleChecked")
                done.clicked.connect(self.mark_checked)
                buttons.addWidget(done)
            requests = QtWidgets.QPushButton(_("Follower requests…"),
                                             objectName="followerRequests")
            requests.clicked.connect(self.open_follower_requests)
            buttons.addWidget(requests)
            contacts = QtWidgets.QPushButton(_("Contacts…"), objectName="openContacts")
            contacts.clicked.connect(self.open_contacts)
            buttons.addWidget(contacts)
            inner.addLayout(buttons)
            layout.addWidget(box, 2)
        box = QtWidgets.QGroupBox(_("Removal requests from parents"))
        QtWidgets.QVBoxLayout(box).addWidget(self.requests)
        layout.addWidget(box, 2)
        self.reload()

    def reload(self) -> None:
        requests = self.services.removals.removal_requests()
        fill(self.requests, [[r["requested_by"], (_("post {n}").format(n=r["post_id"])
                                                  if r["post_id"] else _("every post of a pupil"))
                              + ", " + r["received_at"][:10],
                              ", ".join(_("post {n}").format(n=n) for n in r["waiting_for"])
                              or _("someone to close it")] for r in requests],
             colours=["#f8d7da"] * len(requests))
        self.requests.horizontalHeader().setSectionResizeMode(
            QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.requests.resizeRowsToContents()
        if self.user.role not in FOLLOWER_ROLES:
            return
        # Overdue first: what needs doing is what is seen.
        order = {"overdue": 0, "due": 1, "confirmed": 2}
        rows = self.services.account_checks.account_checklist(in_use_only=True)
        self.checklist_rows = sorted(rows, key=lambda r: order[r["status"]])
        fill(self.checklist, [[r["channel"], _(r["status"]) if r["status"] != "due" else
                               _("due by {date}").format(date=r["due"]), r["text"]]
                              for r in self.checklist_rows],
             colours=[STATUS_COLOUR[r["status"]] for r in self.checklist_rows])
        self.follower_rows = self.services.followers.follower_checks_due()
        fill(self.followers, [[r["channel"], r["week"], _(r["status"])]
                              for r in self.follower_rows],
             colours=["#fdebc8"] * len(self.follower_rows))

    def confirm_selected(self) -> None:
        rows = sorted({i.row() for i in self.checklist.selectedIndexes()})
        chosen = [self.checklist_rows[r] for r in rows if r < len(self.checklist_rows)]
        by_channel: dict[str, list[str]] = {}
        for row in chosen:
            by_channel.setdefault(row["channel"], []).append(row["item"])
        for channel, items in by_channel.items():
            if attempt(self, lambda c=channel,
                       i=items: self.services.account_checks.confirm_account_items(
                    self.user.username, c, i)) is None:
                break
        self.reload()

    def _selected_channel(self) -> str | None:
        row = self.followers.currentRow()
        if 0 <= row < len(self.follower_rows):
            return self.follower_rows[row]["channel"]
        return self.follower_rows[0]["channel"] if self.follower_rows else None

    def draw_sample(self, path: str | None = None) -> dict | None:
        channel = self._selected_channel()
        if channel is None:
            return None
        if path is None:
            path = QtWidgets.QFileDialog.getOpenFileName(
                self, _("The channel's follower list (CSV), or Cancel to sample the "
                        "followers accepted in ClassLens"), "", _("CSV files (*.csv)"))[0]
        followers = read_follower_csv(Path(path)) if path else None
        check = attempt(self, lambda: self.services.followers.draw_follower_sample(
            self.user.username, channel, followers))
        if check is not None:
            self.show_sample(check)
        self.reload()
        return check

    def show_sample(self, check: dict) -> None:
        box = QtWidgets.QMessageBox(self)
        box.setObjectName("sampleDialog")
        box.setWindowTitle(_("This week's follower sample"))
        box.setText(_("Look at each account's bio, images and language; block any that "
                      "raises a concern, then mark the sample checked.") + "\n\n" + "\n".join(
            f"{f['handle']}  {f['display_name']}  ({f['verdict']})" for f in check["sample"]))
        box.open()

    def mark_checked(self) -> None:
        channel = self._selected_channel()
        if channel is not None:
            finish = self.services.followers.finish_follower_check
            attempt(self, lambda: finish(self.user.username, channel))
        self.reload()

    def open_follower_requests(self):
        from classlens.gui.followers_dialog import FollowersDialog

        dialog = FollowersDialog(self.services, self.user, self)
        dialog.open()
        return dialog

    def open_contacts(self):
        from classlens.gui.contacts_dialog import ContactsDialog

        dialog = ContactsDialog(self.services, self.user, self)
        dialog.open()
        return dialog
