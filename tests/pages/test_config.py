"""The server's configuration: upload limit, headless, no usage statistics, no tracebacks."""

import tomllib
from pathlib import Path

CONFIG = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml")
                       .read_text(encoding="utf-8"))


def test_uploads_up_to_a_gigabyte():
    assert CONFIG["server"]["maxUploadSize"] >= 1024


def test_headless_without_usage_statistics():
    assert CONFIG["server"]["headless"] is True
    assert CONFIG["browser"]["gatherUsageStats"] is False


def test_no_traceback_ever_reaches_the_page():
    assert CONFIG["client"]["showErrorDetails"] == "none"
    assert CONFIG["client"]["showErrorLinks"] is False
