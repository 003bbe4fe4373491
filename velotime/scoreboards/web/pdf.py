"""PDF sheets: the HTML sheets (`sheets.py`) rendered in-process by WeasyPrint, so the PDF and
the page a browser prints are one template and one stylesheet (its `@page` rules: A4, the
running header, page numbers).

WeasyPrint lays text out with Pango and finds fonts through fontconfig: the sheets ask for
Helvetica or Arial and get what the machine has under those names (Liberation Sans on Debian),
else its sans-serif. A sheet loads nothing: its CSS is inline, and any URL in it is refused
rather than fetched. WeasyPrint is imported on the first PDF (it takes most of a second), and
renders one sheet at a time: its layout is not documented to be thread-safe.
"""

import logging
import threading
from typing import Any, NoReturn

log = logging.getLogger("velotime.scoreboards.sheets")

_render_lock = threading.Lock()

# What to install where WeasyPrint cannot load its libraries (Debian's package names).
LIBRARIES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0"


class PdfError(Exception):
    """A PDF cannot be made here (WeasyPrint or its libraries missing): the reason, one line."""


def sheet_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML sheet. Raises PdfError when WeasyPrint cannot run."""
    weasyprint = _weasyprint()
    with _render_lock:
        document = weasyprint.HTML(string=html, url_fetcher=_refuse, media_type="print")
        pdf: bytes = document.write_pdf()
    return pdf


def _weasyprint() -> Any:
    try:
        import weasyprint  # here: it takes most of a second, only a PDF needs it
    except ImportError as exc:
        raise PdfError(f"PDF sheets need WeasyPrint (pip install weasyprint): {exc}") from None
    except OSError as exc:  # its libraries: "cannot load library 'libpango-1.0-0'"
        raise PdfError(
            f"PDF sheets need Pango (apt-get install {LIBRARIES}): {exc}".replace("\n", " ")
        ) from None
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # CSS it skips: the screen's
    return weasyprint


def _refuse(url: str, *args: object, **kwargs: object) -> NoReturn:
    raise ValueError(f"a sheet loads nothing: {url} refused")
