"""Deeply nested and huge HTML through the clean stage: bounded time and memory, in a fresh process."""

import json
import subprocess
import sys

PROBE = r"""
import json, time
from schemas import RawArticle
from worker.config import Settings
from worker.errors import InvalidArticle
from worker.stages.clean import clean

def peak_mb():
    status = open("/proc/self/status").read()
    return int(status.split("VmHWM:")[1].split()[0]) // 1024

para = "<p>The council approved the new budget on Tuesday after a long debate about schools and roads.</p>"
clean(RawArticle(html="<html><body><article>" + para * 3 + "</article></body></html>"), Settings())
before = peak_mb()
cases = {
    "nested": "<html><body>" + "<div>" * 90_000 + "<p>x</p>" + "</div>" * 90_000 + "</body></html>",
    "huge": "<html><body><article>" + "".join(
        para.replace("Tuesday", f"day {i}") for i in range(18_000)) + "</article></body></html>",
    "wide": "<html><body>" + "<span><b>a</b></span>" * 24_000 + "</body></html>",
    "many": "<html><body>" + "<span><b>a</b></span>" * 90_000 + "</body></html>",
}
out = {}
for name, html in cases.items():
    started = time.perf_counter()
    try:
        result = "ok:%d" % len(clean(RawArticle(html=html), Settings()).text)
    except InvalidArticle as exc:
        result = exc.reason.value
    out[name] = {"result": result, "seconds": time.perf_counter() - started}
out["peak_growth_mb"] = peak_mb() - before
print(json.dumps(out))
"""


def test_hostile_html_is_bounded_in_time_and_memory() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120, check=True
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["nested"]["result"] in {"empty_text", "too_large"}
    assert report["huge"]["result"].startswith("ok:") or report["huge"]["result"] == "too_large"
    assert report["wide"]["result"] in {"empty_text", "only_boilerplate", "too_large"} or report["wide"][
        "result"
    ].startswith("ok:")
    assert report["many"]["result"] == "too_large"
    for name in ("nested", "huge", "wide", "many"):
        assert report[name]["seconds"] < 20, (name, report)
    assert report["peak_growth_mb"] < 400, report
