"""The consent register: who may be shown where, and its CSV import and export."""
