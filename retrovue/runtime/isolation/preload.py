"""What the fork server imports (and does) once, so that no worker does it on a tune.

Importing this module is its whole job: the worker's code and PyAV are imported, and the ORM's
mappers are configured (16 ms that a worker's first database query would otherwise spend, on
every tune). Nothing else imports it; ``supervisor`` names it as the fork server's preload.
"""

from __future__ import annotations

from sqlalchemy.orm import configure_mappers

import retrovue.runtime.isolation.worker  # noqa: F401  (the worker's code, PyAV with it)

configure_mappers()
