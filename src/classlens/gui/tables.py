"""Read-only tables: the lists of the dashboard, the staff and settings screen
and the account checks. Rows may carry a key (a username, a pupil id...),
which keeps the same row selected across a refill, and a background colour
(a status)."""

from __future__ import annotations

from classlens.gui.qt import Qt, QtGui, QtWidgets


def read_only(headings: list[str], name: str,
                    select_many: bool = False) -> QtWidgets.QTableWidget:
    table = QtWidgets.QTableWidget(0, len(headings), objectName=name)
    table.setHorizontalHeaderLabels(headings)
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setMinimumSectionSize(60)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.ExtendedSelection
                           if select_many else
                           QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
    table.setAccessibleName(name)
    return table


def fill(table: QtWidgets.QTableWidget, rows: list[list[str]], keys: list | None = None,
         colours: list[str] | None = None) -> None:
    selected = selected_key(table)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QtWidgets.QTableWidgetItem(value)
            if keys is not None:
                item.setData(Qt.ItemDataRole.UserRole, keys[r])
            if colours and colours[r]:
                item.setBackground(QtGui.QColor(colours[r]))
            table.setItem(r, c, item)
        if keys is not None and keys[r] == selected:
            table.selectRow(r)
    # Sized to the rows when there are some; an empty table keeps its headings readable.
    if rows:
        table.resizeColumnsToContents()
    else:
        for column in range(table.columnCount()):
            table.setColumnWidth(column, max(90, table.horizontalHeader().sectionSizeHint(
                column)))
    table.horizontalHeader().setStretchLastSection(True)


def selected_key(table: QtWidgets.QTableWidget):
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    if not rows:
        return None
    item = table.item(rows[0].row(), 0)
    return item.data(Qt.ItemDataRole.UserRole) if item is not None else None
