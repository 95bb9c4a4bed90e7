"""A real headless browser for tests: Debian's chromium, driven through its command line.

When chromium is missing (a fresh machine), it is installed with apt-get, non-interactively: the
tests run as root on a Debian machine that reaches Debian's packages, as CI does. Anything else
(not root, no apt-get) fails the test with the reason: the page must really be rendered.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

INSTALL_TIMEOUT_SECONDS = 600
RENDER_TIMEOUT_SECONDS = 60


def chromium() -> str:
    found = shutil.which("chromium")
    if found is not None:
        return found
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.fail(
            "chromium is missing and cannot be installed here (needs root and apt-get): apt-get install chromium"
        )
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    # With its recommended packages (fonts-liberation among them): text needs fonts to be laid out.
    # Another test process installing at the same time holds the lock: wait for it.
    install = ["apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "-y", "-q", "chromium", "fonts-dejavu-core"]
    if subprocess.run(install, env=environment, capture_output=True, timeout=INSTALL_TIMEOUT_SECONDS).returncode != 0:
        # A fresh machine may not have read the package lists yet.
        subprocess.run(["apt-get", "update", "-q"], env=environment, check=True, timeout=INSTALL_TIMEOUT_SECONDS)
        subprocess.run(install, env=environment, check=True, timeout=INSTALL_TIMEOUT_SECONDS)
    found = shutil.which("chromium")
    assert found is not None, "apt-get installed chromium, yet it is not on PATH"
    return found


def rendered_text(url: str, workdir: Path, *, language: str = "id") -> str:
    """The page's visible text as chromium lays it out: the page printed to PDF by the browser
    (as a person would see it, with its style sheet applied and nothing hidden counted), read back
    with pypdf. Chromium navigates as a browser does, asking for text/html in `language`."""
    printed = workdir / f"page-{language}.pdf"
    run = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",  # root, in a container: chromium's sandbox needs user namespaces
            "--disable-gpu",
            "--no-first-run",
            "--no-pdf-header-footer",
            f"--user-data-dir={workdir / f'profile-{language}'}",
            f"--lang={language}",
            f"--accept-lang={language}",
            "--window-size=390,844",  # a phone's screen
            f"--print-to-pdf={printed}",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=RENDER_TIMEOUT_SECONDS,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert printed.exists(), run.stderr[-2000:]
    reader = PdfReader(printed)
    return "\n".join(page.extract_text() for page in reader.pages)
