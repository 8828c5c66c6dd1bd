"""The scale generator's parts: a bulk sink per database, Swedish text, and one module per
group of tables (``gen_scale.py`` runs them in the order of their foreign keys)."""
