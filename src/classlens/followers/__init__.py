"""Who may follow the school's accounts: person names, verdicts, weekly samples."""
