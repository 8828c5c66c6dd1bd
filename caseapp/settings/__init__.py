"""The installation's own settings, kept in the database and changed by its admins."""
