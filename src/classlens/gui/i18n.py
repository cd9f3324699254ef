"""Translatable strings go through `_()`, so Welsh (or any language) can be added
with a gettext catalogue in resources/locale without touching the widgets."""

import gettext

from classlens.resources import resources_dir

_translation = gettext.translation("classlens", localedir=resources_dir() / "locale",
                                   fallback=True)


def _(text: str) -> str:
    return _translation.gettext(text)
