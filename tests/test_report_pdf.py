"""The PDF report: opens, has the scorecard on page 1, survives non-Latin text."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import subprocess

import numpy as np
import pytest

from fairrec_core.report import render
from tests.report_helpers import SAMPLE, sample_audit


@pytest.fixture(autouse=True, scope="module")
def _poppler():
    # Installed by scripts/test.sh; a missing tool is a broken setup, not a skip.
    assert shutil.which("pdftoppm") and shutil.which("pdftotext"), \
        "poppler-utils (pdftoppm, pdftotext) is not installed (scripts/test.sh installs it)"


@pytest.fixture(scope="module")
def result():
    return sample_audit()


@pytest.fixture(scope="module")
def pdf(result, tmp_path_factory):
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    path.write_bytes(render(result, "pdf"))
    return path


def page_text(path, first=1, last=1, mode="-layout") -> str:
    return subprocess.run(["pdftotext", "-f", str(first), "-l", str(last), mode,
                           str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_first_page_renders_to_png_with_the_verdict_banner(pdf, tmp_path):
    from PIL import Image

    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-png", str(pdf),
                    str(tmp_path / "page")], check=True, capture_output=True)
    (png,) = tmp_path.glob("page*.png")
    im = Image.open(png).convert("RGB")
    w, h = im.size
    assert 300 < w < h  # A4 portrait
    # The verdict banner is filled in the FAIL colour (#C62828) near the top of page 1.
    top = im.crop((0, 0, w, h // 4))
    px = np.asarray(top)
    red = int(((px[..., 0] > 170) & (px[..., 1] < 70) & (px[..., 2] < 70)).sum())
    assert red > 0.02 * top.size[0] * top.size[1]


def test_scorecard_text_is_on_page_one(pdf, result):
    text = page_text(pdf)
    assert "Verdict scorecard" in text
    assert "Overall verdict: FAIL." in text
    checks = result.fairness.checks
    assert text.count("FAIL") >= int((checks["status"] == "fail").sum()) + 1  # + the banner
    for _, row in checks.iterrows():
        assert row["grouping"] in text, row["name"]
    assert 'Users with age "55+" receive 46% lower NDCG@10' in " ".join(text.split())
    assert "Methodology and definitions" not in text


def test_every_section_is_in_the_pdf(pdf):
    from fairrec_core.report.text import SECTION_TITLES

    n = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(next(line.split()[-1] for line in n.splitlines() if line.startswith("Pages")))
    text = " ".join(page_text(pdf, 1, pages).split())
    for title in SECTION_TITLES.values():
        assert title in text, title
    raw = "".join(page_text(pdf, 1, pages, "-raw").split())  # a wrapped cell rejoined
    assert hashlib.sha256((SAMPLE / "interactions.csv").read_bytes()).hexdigest() in raw


def test_chosen_sections_only(result, tmp_path):
    path = tmp_path / "short.pdf"
    path.write_bytes(render(result, "pdf", sections=["scorecard", "methodology"]))
    text = page_text(path, 1, 9)
    assert "Verdict scorecard" in text and "Methodology and definitions" in text
    for absent in ("Data summary and validation warnings", "Model card", "Exposure vs.",
                   "Reproducibility"):
        assert absent not in text


def test_non_latin_text_does_not_break_the_pdf(result, tmp_path):
    cfg = dataclasses.replace(result.config, report=dataclasses.replace(
        result.config.report, title="Аудит справедливости — 公平性审计 λ ≥ 0.8",
        sections=["scorecard"]))
    path = tmp_path / "unicode.pdf"
    path.write_bytes(render(dataclasses.replace(result, config=cfg), "pdf"))
    assert path.read_bytes().startswith(b"%PDF")
    assert "Аудит справедливости" in page_text(path)
