"""ClassLens: share school photos without publishing a child whose family said no."""

__version__ = "0.1.0"
