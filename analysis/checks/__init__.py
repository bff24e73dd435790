"""Table checks: one module per table, using the base layer only.

Importing this package registers every table's rules with
:func:`analysis.core.tables.register_check`; :func:`analysis.core.tables.cross_checks`
imports it before the first table check, so every table has its rules before the first load.
"""

from . import (benchmarks, comparison, daily_cases, districts, events, facts, places, screening, sources,  # noqa: F401
               supplementary, translations, uncounted_numbers)
