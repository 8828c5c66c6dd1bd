"""``caseapp`` with the bulk import writing its rows through the plain unit of work.

    python bench/orm_rows.py mail import FILES… --case NUMBER --yes

The bulk run's ``BulkWriter`` keeps its answers for the transaction (directory matches,
covering subscriptions) but adds and flushes each row as ``caseapp.rows.ORM`` does, instead
of its plain INSERTs: the comparison ``bench/import_bench.py --orm-rows`` makes to show
what the INSERTs save (bench/README.md).
"""

import sys

from caseapp.cli import main
from caseapp.mail import bulk
from caseapp.rows import OrmWriter

bulk.BulkWriter.insert = OrmWriter.insert
bulk.BulkWriter.update = OrmWriter.update
bulk.BulkWriter.audit = OrmWriter.audit

if __name__ == "__main__":
    sys.exit(main())
