"""Writing the reports: a file name per student that only the teacher can tell, and PDFs.

**File names.** A student's page is named ``<slug>.html``, the slug being the first 20 hex
digits of HMAC-SHA256 of the student id under a secret ``key``: the same id and key always
give the same name (a report rerun overwrites last time's page), and nobody without the key
can work out whose page a name is, or which name a student has, from the student's name or id.
Keep the key with the teacher (the command line keeps one in ``.slug-key`` in the output
folder, made at random on the first run); changing it renames every page.

**PDF.** :func:`render_pdf` prints a page with headless Chromium (``--print-to-pdf``), by the
page's print stylesheet: the charts scale to the page, a target's section is not split.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from mastery_grading.exceptions import ExternalToolError, InvalidValueError

__all__ = ["find_chromium", "render_pdf", "report_slug", "write_atomic"]


def report_slug(student_id: str, *, key: str) -> str:
    """Return the file-name slug of a student's page: keyed, stable, not guessable.

    Example:
        >>> report_slug("s-1001", key="our secret")
        'a419332433783ac1c5aa'
        >>> report_slug("s-1001", key="our secret") == report_slug("s-1001", key="other")
        False
    """
    if not key:
        msg = f"key={key!r} must be a non-empty secret string"
        raise InvalidValueError(msg)
    digest = hmac.new(key.encode("utf-8"), student_id.encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:20]


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def find_chromium() -> str | None:
    """Return the path of Chromium (``chromium``, ``chromium-browser``), ``None`` if missing."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def render_pdf(
    page: Path, pdf: Path, *, browser: str | None = None, timeout: float = 120.0
) -> None:
    """Print the HTML ``page`` to ``pdf`` with headless Chromium.

    Args:
        page: The HTML file.
        pdf: The PDF to write.
        browser: Chromium's path; found on ``PATH`` when not given.
        timeout: Seconds Chromium may take.

    Raises:
        ExternalToolError: If Chromium is missing, fails or writes no PDF.
    """
    program = browser or find_chromium()
    if program is None:
        msg = (
            "chromium is not installed, so the reports cannot be printed to PDF: "
            "install it (Debian: apt-get install chromium) or leave out --pdf"
        )
        raise ExternalToolError(msg)
    with tempfile.TemporaryDirectory(prefix="mastery-grading-chromium-") as profile:
        done = subprocess.run(
            [
                program,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-pdf-header-footer",
                f"--user-data-dir={profile}",
                f"--print-to-pdf={pdf.resolve()}",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    if done.returncode != 0 or not pdf.is_file() or pdf.stat().st_size == 0:
        msg = (
            f"chromium could not print {page} to PDF (exit {done.returncode}): {done.stderr[-500:]}"
        )
        raise ExternalToolError(msg)
