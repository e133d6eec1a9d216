"""gunicorn's access log without patient data: `--logger-class clinic.access_log.AccessLogger`.

Query strings carry search terms (a patient's name in `/patients/?q=`), and the signed links in
patient emails carry their credential in the path (`/p/<purpose>/<token>/`). The log keeps the
method, the path with any link token masked, the status and the timings; never a query string,
and the referring URL is cut the same way (a page opened from a link names it as referrer)."""

import re
from urllib.parse import urlsplit

from gunicorn.glogging import Logger

MASK = "[token]"
_LINK_TOKEN = re.compile(r"^(/p/[^/]+/)[^/]+")
# The patient's own page: /portal/<token>/ (a token always holds a colon; page names never do).
_PORTAL_TOKEN = re.compile(r"^(/portal/)[^/]*:[^/]*")


def loggable_path(path: str) -> str:
    """The path as it may be logged: a signed link's token masked."""
    return _PORTAL_TOKEN.sub(rf"\g<1>{MASK}", _LINK_TOKEN.sub(rf"\g<1>{MASK}", path or "/"))


def loggable_url(url: str) -> str:
    """A URL (a Referer, a Location) without query or fragment, its link token masked."""
    if not url or url == "-":
        return "-"
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return origin + loggable_path(parts.path)


class AccessLogger(Logger):
    """gunicorn's Logger whose access-log atoms hold no query string and no link token."""

    def atoms(self, resp, req, environ: dict, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        path = loggable_path(environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""))
        atoms["r"] = f"{environ['REQUEST_METHOD']} {path} {environ['SERVER_PROTOCOL']}"
        atoms["U"] = path
        atoms["q"] = "-"
        atoms["f"] = loggable_url(environ.get("HTTP_REFERER", "-"))
        for key in list(atoms):
            if key in ("{referer}i", "{location}o"):
                atoms[key] = loggable_url(atoms[key])
            elif key in ("{cookie}i", "{authorization}i", "{set-cookie}o"):
                atoms[key] = "-"
        return atoms
