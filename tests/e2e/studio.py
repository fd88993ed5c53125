"""Driving the studio in a real browser: a `streamlit run` server on a free port with its own
store, headless Chromium, and the few waits and clicks the flow needs. Shared by the e2e tests
and ``bench/bench_studio.py``."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, Playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking"]
VIEWPORT = {"width": 1400, "height": 1800}
ROW_HEIGHT = 35  # st.dataframe's default row height, header included


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def studio_server(runs_dir: Path, *, log: Path | None = None) -> Iterator[str]:
    """``streamlit run app.py`` on a free port with AUTOML_RUNS_DIR=runs_dir; yields its URL."""
    port = free_port()
    env = {**os.environ, "AUTOML_RUNS_DIR": str(runs_dir)}
    out = open(log or runs_dir.parent / "server.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        end = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                    if reply.read() == b"ok":
                        break
            except OSError:
                if time.time() > end or proc.poll() is not None:
                    raise RuntimeError(f"the studio did not start; see {out.name}") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        out.close()


def launch(playwright: Playwright) -> Browser:
    return playwright.chromium.launch(executable_path=shutil.which("chromium"),
                                      args=CHROMIUM_ARGS)


def wait_idle(page: Page, timeout: float = 60_000) -> None:
    """Wait until the current Streamlit rerun is finished."""
    page.wait_for_timeout(150)
    page.wait_for_selector(IDLE, timeout=timeout)


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    wait_idle(page)


def shot(page: Page, name: str) -> Path:
    """A screenshot for the reviewer, once every chart on the page is drawn."""
    SCREENSHOTS.mkdir(exist_ok=True)
    try:  # elements whose code is still loading show as skeletons
        page.wait_for_function("() => !document.querySelector("
                               "'[data-testid=stSkeleton], [data-testid=stSkeletonElement]')",
                               timeout=10_000)
    except PlaywrightTimeout:
        pass
    charts = page.locator("[data-testid=stPlotlyChart]")
    for i in range(charts.count()):
        try:  # a live page redraws its chart every second; a stale copy may never draw
            charts.nth(i).locator(".main-svg").first.wait_for(state="attached", timeout=5_000)
        except PlaywrightTimeout:
            break
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path)
    return path


def full_shot(page: Page, name: str) -> None:
    """A screenshot of the whole page (the main area scrolls, so the viewport grows to fit)."""
    SCREENSHOTS.mkdir(exist_ok=True)
    height = page.evaluate("document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": height + 40})
    wait_idle(page)
    page.wait_for_timeout(600)  # plotly redraws at the new size
    page.screenshot(path=SCREENSHOTS / f"{name}.png")
    page.set_viewport_size(VIEWPORT)


def main(page: Page) -> Locator:
    return page.locator("[data-testid=stMain]")


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a selectbox by typing it."""
    box = page.get_by_role("combobox", name=label)
    box.click()
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def remove_chosen(page: Page, option: str) -> None:
    """Take one option out of a multiselect."""
    button = page.get_by_role("button", name=f"Remove {option}")
    for _ in range(3):
        if not button.count():
            return
        button.scroll_into_view_if_needed()
        button.click()
        wait_idle(page)
    assert not button.count(), f"could not remove {option}"


def set_number(page: Page, label: str, value: float) -> None:
    field = page.locator(f"input[aria-label='{label}']")
    field.fill(str(value))
    field.press("Enter")
    wait_idle(page)


def grid(page: Page, index: int = 0) -> Locator:
    return main(page).locator("[data-testid=stDataFrame]").nth(index)


def grid_rows(page: Page, index: int = 0) -> int:
    """Data rows of a dataframe (its accessible table counts the header row too)."""
    table = grid(page, index).locator("table[role=grid]")
    return int(table.get_attribute("aria-rowcount") or 1) - 1


def click_row(page: Page, row: int, index: int = 0) -> None:
    """Select a row of a selectable dataframe by clicking its row marker."""
    box = grid(page, index).bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + ROW_HEIGHT * (row + 1) + ROW_HEIGHT / 2)
    wait_idle(page)


def visible_text(page: Page) -> str:
    """What a user reads on the page and in the sidebar, without Streamlit's own widget chrome
    (file drop zone instructions) and icon names, which Streamlit does not translate."""
    return page.evaluate("""() => {
        const parts = [];
        for (const sel of ['[data-testid=stMain]', '[data-testid=stSidebar]']) {
            const root = document.querySelector(sel);
            if (!root) continue;
            const copy = root.cloneNode(true);
            copy.querySelectorAll('[data-testid=stFileUploaderDropzoneInstructions],'
                + '[data-testid=stFileUploaderDropzone] button, [data-testid=stElementToolbar],'
                + '[data-testid=stIconMaterial], [data-testid=stAlertDynamicIcon]')
                .forEach(n => n.remove());
            document.body.appendChild(copy);
            parts.push(copy.innerText);
            copy.remove();
        }
        return parts.join('\\n');
    }""")


def english_leftovers(text: str, *kept: str) -> set[str]:
    """Latin words left on a Japanese page once the names that stay as they are (``kept``),
    run ids and file names are taken out."""
    for word in sorted(kept, key=len, reverse=True):
        text = text.replace(word, " ")
    text = re.sub(r"\S+\.(csv|py|md|zip|html)\b|\d{8}-\d{6}-[0-9a-f]{4}", " ", text)
    return set(re.findall(r"[A-Za-z]{2,}", text))
