"""Read-only tables whose rows carry a key (a username, a pupil id...), kept
selected across a refill: the lists of the staff and settings screen."""

from __future__ import annotations

from classlens.gui.qt import Qt, QtWidgets


def keyed_table(headings: list[str], name: str) -> QtWidgets.QTableWidget:
    table = QtWidgets.QTableWidget(0, len(headings), objectName=name)
    table.setHorizontalHeaderLabels(headings)
    table.horizontalHeader().setStretchLastSection(True)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
    table.setAccessibleName(name)
    return table


def fill(table: QtWidgets.QTableWidget, rows: list[list[str]], keys: list) -> None:
    selected = selected_key(table)
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QtWidgets.QTableWidgetItem(value)
            item.setData(Qt.ItemDataRole.UserRole, keys[r])
            table.setItem(r, c, item)
        if keys[r] == selected:
            table.selectRow(r)
    table.resizeColumnsToContents()
    table.horizontalHeader().setStretchLastSection(True)


def selected_key(table: QtWidgets.QTableWidget):
    rows = table.selectionModel().selectedRows() if table.selectionModel() else []
    if not rows:
        return None
    return table.item(rows[0].row(), 0).data(Qt.ItemDataRole.UserRole)
