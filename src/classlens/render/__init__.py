"""Rendering: blur burnt into pixels, and clean per-channel exports."""
