"""Table checks: one module per table, using the base layer only.

Importing this package registers every table's rules with
:func:`analysis.core.tables.register_check`; the package's ``__init__`` imports it once, so
every table has its rules before the first load.
"""

from . import (benchmarks, comparison, daily_cases, districts, events, facts, places, screening, sources,  # noqa: F401
               supplementary, translations, uncounted_numbers)
