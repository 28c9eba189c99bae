"""The HTML page of a result, opened in headless Chromium and checked through its DOM."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from lxml import html as lxml_html

from schemas import ArticleResult, RawArticle
from tests.conftest import SEED, settings_env, wait_for
from worker.app import create_app
from worker.config import Settings
from worker.delivery import Delivery
from worker.html_page import render_page
from worker.pipeline import process_in_process, submit

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PWNED = "document.documentElement.setAttribute('data-pwned','1')"


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium (.ci/run installs it); locally without it the browser tests skip."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs it)")
        pytest.skip("no chromium on PATH")
    return found


def _dom(chromium: str, page: str, tmp_path: Path) -> lxml_html.HtmlElement:
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    shown = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", path.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return lxml_html.fromstring(shown.stdout)


@pytest.fixture(scope="module")
def seed_result() -> ArticleResult:
    return process_in_process(RawArticle(text=SEED.read_text(encoding="utf-8")), Settings())


def test_the_seed_page_marks_every_mention_once_with_its_entity(
    chromium: str, seed_result: ArticleResult, tmp_path: Path
) -> None:
    page = render_page(seed_result)
    assert len(page.encode()) < 200_000
    dom = _dom(chromium, page, tmp_path)
    for entity in seed_result.entities:
        marks = dom.xpath(f'//article//mark[@data-entity="{entity.id}"]')
        assert len(marks) == entity.count, entity.name
        shown = [m.text_content().removesuffix(entity.label) for m in marks]
        assert shown == [mention.text for mention in entity.mentions]
        assert all(m.get("data-label") == entity.label for m in marks)
    putin = next(e for e in seed_result.entities if e.name == "Vladimir Putin")
    assert putin.count == 13
    assert len(dom.xpath(f'//a[@href="#{putin.id}"]')) == 13 and dom.xpath(f'//li[@id="{putin.id}"]')
    ranks = sorted(int(s.get("data-rank")) for s in dom.xpath('//span[@class="summary"]'))
    assert ranks == [1, 2, 3]
    attributed = dom.xpath('//q[@class="quote"][@data-speaker!=""]')
    assert attributed and {q.get("data-speaker") for q in attributed} <= {e.id for e in seed_result.entities}
    assert not dom.xpath("//script") and "http" not in page.replace("http-equiv", "")


def test_a_hostile_article_runs_nothing(chromium: str, tmp_path: Path) -> None:
    text = (
        f"<script>{PWNED}</script> The council met on Tuesday in Leeds and Anna Berg said the budget"
        f' would pass. <img src=x onerror="{PWNED}"> The mayor agreed with Anna Berg after the vote.'
    )
    result = process_in_process(RawArticle(text=f'<b onmouseover="{PWNED}">Budget</b>\n\n{text}'), Settings())
    assert result.entities
    hostile = result.entities[0].model_copy(update={"name": f"<script>{PWNED}</script>"})
    result = result.model_copy(update={"entities": (hostile, *result.entities[1:])})
    dom = _dom(chromium, render_page(result), tmp_path)
    assert dom.get("data-pwned") is None
    assert not dom.xpath("//script | //img | //*[@onerror] | //*[@onmouseover]")
    assert "onmouseover" in dom.xpath("//h1")[0].text_content()  # the headline's markup, as text
    assert "<script>" in dom.xpath("//article")[0].text_content()  # shown as text


def test_show_writes_the_page_of_a_published_result(
    worker_process: subprocess.Popen[bytes], test_settings: Settings, delivery: Delivery, tmp_path: Path
) -> None:
    app = create_app(test_settings)
    article_id = f"page-{uuid.uuid4().hex[:8]}"
    submit(app, delivery, RawArticle(id=article_id, text=SEED.read_text(encoding="utf-8")))
    assert wait_for(delivery, article_id) == "result"
    target = tmp_path / "shown.html"
    shown = subprocess.run(
        [sys.executable, "-m", "worker.cli", "show", article_id, "--html", str(target)],
        env=settings_env(test_settings),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    page = target.read_text(encoding="utf-8")
    assert page.count('<span class="summary"') == 3 and page.count("<mark ") > 20
    missing = subprocess.run(
        [sys.executable, "-m", "worker.cli", "show", "no-such-article", "--html", str(target)],
        env=settings_env(test_settings),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert missing.returncode == 1 and "no stored result" in missing.stderr
