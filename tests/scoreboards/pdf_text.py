"""The text of a PDF sheet, page by page, as pypdf extracts it: what the tests read instead of
bytes (fonts and WeasyPrint's version change the bytes, not the text)."""

import io

from pypdf import PdfReader


def pdf_pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-"), data[:40]
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def page_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]
