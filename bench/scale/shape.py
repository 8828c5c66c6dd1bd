"""What the scale data promises the benchmark: logins and the records its pages name.

The generator makes these records; the benchmark finds them again by the same names.
"""

# Every generated account has this password (printed by the generator).
PASSWORD = "skala-bench-2026"  # noqa: S105 - a benchmark login, printed on purpose
ADMIN_EMAIL = "admin@statenssc.se"
# The case officer with BUSY_OPEN_FOLLOWUPS open follow-ups at full scale: a third assigned
# to them, a third to their group, a third on their own cases with nobody named.
BUSY_OFFICER_EMAIL = "hanna.handlaggare@statenssc.se"
BUSY_OPEN_FOLLOWUPS = 3000
# The registry mailbox that is party (Cc) to one document in eight.
BUSY_MAILBOX = "postlista.kommunstyrelsen@ange.se"
BUSY_MAILBOX_SHARE = 1 / 8
# The municipality most cases are about (the busy mailbox's organisation).
BUSY_MUNICIPALITY_CODE = "2260"
# A word in many case titles, for the case list's text filter.
TEXT_FILTER = "servicekontor"
OWN_DOMAIN = "statenssc.se"
# Documents per case: most near DOCS_PER_CASE; one case in BIG_CASE_EVERY has BIG_CASE_DOCS.
BIG_CASE_DOCS = 300
BIG_CASE_EVERY = 5000
FOLLOWUPS_PER_DOCUMENT = 0.3
