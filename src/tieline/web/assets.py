"""The page's vendored JavaScript libraries, served from the package under /static/vendor/.

The files are copied from the npm registry by ``scripts/vendor-js.sh`` (pinned versions, licences
beside them). Only the names listed here are served; request paths never reach the file system.
"""

from __future__ import annotations

import base64
import hashlib
from enum import Enum
from functools import lru_cache
from importlib import resources

from fastapi import APIRouter, Path, Response

JS = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

# name -> media type. The scripts load in this order: moment and vis-data before vis-timeline.
VENDOR: dict[str, str] = {
    "moment.min.js": JS,
    "vis-data.min.js": JS,
    "vis-timeline-graph2d.min.js": JS,
    "vis-timeline-graph2d.min.css": CSS,
    "cytoscape.min.js": JS,
    "echarts.common.min.js": JS,
    "VERSIONS.txt": TEXT,
    "LICENSE.vis-timeline.md": TEXT,
    "LICENSE.vis-timeline.MIT.txt": TEXT,
    "LICENSE.vis-data.MIT.txt": TEXT,
    "LICENSE.moment.txt": TEXT,
    "LICENSE.cytoscape.txt": TEXT,
    "LICENSE.echarts.txt": TEXT,
    "NOTICE.echarts.txt": TEXT,
}
VendorName = Enum("VendorName", {n: n for n in VENDOR}, type=str)  # type: ignore[misc]

router = APIRouter(include_in_schema=False)


@lru_cache(maxsize=len(VENDOR))
def vendor_bytes(name: str) -> bytes:
    """The bytes of one vendored file, read once from the installed package."""
    return resources.files("tieline.web").joinpath("static", "vendor", name).read_bytes()


def integrity(name: str) -> str:
    """The Subresource Integrity value of a vendored file: the page runs only these bytes."""
    digest = hashlib.sha384(vendor_bytes(name)).digest()
    return "sha384-" + base64.b64encode(digest).decode("ascii")


def page_assets() -> dict[str, list[dict[str, str]]]:
    """The vendored scripts and styles the page loads, in order, with their integrity values."""
    return {
        kind: [
            {"href": f"/static/vendor/{n}", "integrity": integrity(n)}
            for n, t in VENDOR.items()
            if t == media
        ]
        for kind, media in (("scripts", JS), ("styles", CSS))
    }


def versions() -> dict[str, str]:
    """Library name -> the version vendored (from VERSIONS.txt)."""
    out = {}
    for line in vendor_bytes("VERSIONS.txt").decode("utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split()
            out[name] = version
    return out


@router.get("/static/vendor/{name}")
def vendor(name: VendorName = Path()) -> Response:  # noqa: B008
    """One vendored file; its bytes change only with a new version, so browsers may keep it."""
    return Response(
        vendor_bytes(name.value),
        media_type=VENDOR[name.value],
        headers={"Cache-Control": "public, max-age=86400"},
    )
