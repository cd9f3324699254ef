"""Faces: find them (detect), describe them (encode), recognise enrolled pupils (match)."""
