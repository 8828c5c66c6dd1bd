"""registry feature."""
