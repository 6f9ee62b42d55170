"""docs/api.md lists exactly the API routes the server registers."""

from __future__ import annotations

import re
from pathlib import Path

from tests.web.conftest import Served

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
HEADING = re.compile(r"^### `(GET|POST|PUT|PATCH|DELETE) (/api/v1/\S+)`$", re.MULTILINE)


def documented() -> set[tuple[str, str]]:
    return {(method, path) for method, path in HEADING.findall(DOC.read_text())}


async def test_docs_match_the_routes(served: Served) -> None:
    routes = {
        (route.method, route.resource.canonical)
        for route in served.appliance.station.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/")
        and route.method != "HEAD"
    }
    assert routes, "no API routes registered"
    assert documented() == routes
