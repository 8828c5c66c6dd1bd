"""Outreach programmes (uppdrag) and their rounds (omgångar)."""
