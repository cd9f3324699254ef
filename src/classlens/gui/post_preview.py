"""The post as it will look: its caption and the images exactly as exported for
its channel, rendered off the UI thread into a scratch folder that goes with
the widget."""

from __future__ import annotations

import shutil
import tempfile
import weakref
from pathlib import Path

from classlens.gui.i18n import _
from classlens.gui.qt import Qt, QtWidgets
from classlens.gui.worker import run_in_background


class PostPreview(QtWidgets.QScrollArea):
    def __init__(self, services, parent=None):
        super().__init__(parent, objectName="previewScroll")
        self.services = services
        self._rendered: dict[tuple[int, str], str] = {}
        self._shown: tuple[str, list[int], str, str] = ("", [], "", "")
        self._scratch = Path(tempfile.mkdtemp(prefix="classlens-preview-"))
        # The previews go with the screen (or at exit): said here, not left to a
        # TemporaryDirectory's implicit clean-up, which warns about the leak.
        weakref.finalize(self, shutil.rmtree, self._scratch, ignore_errors=True)
        self.label = QtWidgets.QLabel(objectName="preview", wordWrap=True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.label.setMinimumWidth(260)
        self.label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                                 QtWidgets.QSizePolicy.Policy.Preferred)
        self.setWidget(self.label)
        self.setWidgetResizable(True)

    def forget(self) -> None:
        """Photos or consent changed: every image is rendered again when shown."""
        self._rendered.clear()

    def show_post(self, caption: str, photo_ids: list[int], channel: str,
                  channel_label: str) -> None:
        """Show the caption and the images; those not rendered yet are made in
        the background, and the preview shown again (as it is then) when ready."""
        self._shown = (caption, photo_ids, channel, channel_label)
        missing = [(i, channel) for i in photo_ids if (i, channel) not in self._rendered]
        if missing:
            def render(state):
                return {key: self._render_file(*key) for key in missing}

            def done(files):
                self._rendered.update(files)
                self.show_post(*self._shown)

            run_in_background(self, render, done, _("Preparing the preview"), cancellable=False)
        images = "".join(f"<img src='{self._rendered[(i, channel)]}' width='300'><br>"
                         for i in photo_ids if (i, channel) in self._rendered)
        text = caption.replace("&", "&amp;").replace("<", "&lt;")
        self.label.setText(f"<p><b>{channel_label}</b></p><p>{text}</p>{images}")

    def _render_file(self, photo_id: int, channel: str) -> str:
        """The exported rendering in a temporary file the preview label can show."""
        try:
            data = self.services.photos.render_photo(photo_id, channel).data
        except Exception:  # noqa: BLE001 - a never-publish photo: the rule list says why
            return ""
        path = self._scratch / f"{photo_id}-{channel}.jpg"
        path.write_bytes(data)
        return str(path)
