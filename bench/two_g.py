"""`make bench-2g`: a first-time and a returning visitor on a 2G link, in Debian's Chromium.

WebPageTest's "2G" profile through the DevTools protocol (Network.emulateNetworkConditions):
280 kbit/s down, 256 kbit/s up, 800 ms round trip. The app runs under gunicorn as in
production. Each visitor opens the home page, sends a text-only submission, sends one with
a photo, and looks a code up; with JavaScript on and off, on a PC screen and at 240x320.
A screenshot of every step goes to bench-results/screenshots/. Times are figures to read.

Chromium applies the latency once per request (it does not emulate TCP and TLS set-up), so
real 2G is slower still when a connection is opened; the figures are a floor, not a ceiling.
"""
import argparse
import io
import json
import random
import re
import time
from datetime import UTC, datetime

from bench.run import RESULTS, WORKDIR, Server, machine, make_app, print_table

PROFILE = {"offline": False, "latency": 800, "downloadThroughput": 280_000 / 8, "uploadThroughput": 256_000 / 8}
BUDGETS = {"returning: look a code up": 3.0, "first time: text-only submission": 10.0}
RUNS = [  # (name, JavaScript, viewport)
    ("pc-js", True, {"width": 1024, "height": 768}),
    ("pc-nojs", False, {"width": 1024, "height": 768}),
    ("phone240-nojs", False, {"width": 240, "height": 320}),
    ("phone240-js", True, {"width": 240, "height": 320}),
]
SHOTS = RESULTS / "screenshots"


def photo() -> bytes:
    """A phone photo as people send them: 1280x960 JPEG with texture, about 150 KB."""
    from PIL import Image

    rng = random.Random(5)
    small = Image.new("RGB", (160, 120))
    small.putdata([(rng.randrange(40, 120), rng.randrange(90, 170), rng.randrange(30, 90)) for _ in range(160 * 120)])
    out = io.BytesIO()
    small.resize((1280, 960), Image.BICUBIC).save(out, "JPEG", quality=80)
    return out.getvalue()


class Meter:
    """Counts requests and bytes on the wire (after compression) for one page, via CDP."""

    def __init__(self, context, page):
        self.cdp = context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.emulateNetworkConditions", PROFILE)
        self.requests, self.bytes, self.urls, self.cached = 0, 0, [], 0
        self.cdp.send("Page.enable")
        self.cdp.send("Page.setLifecycleEventsEnabled", {"enabled": True})
        self.painted = None  # perf_counter() when Chromium reported the first contentful paint
        self.cdp.on("Page.lifecycleEvent", self._lifecycle)
        self.cdp.on("Network.requestServedFromCache", self._cached)
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.loadingFinished", self._finished)

    def _sent(self, event):
        self.requests += 1
        self.urls.append(event["request"]["method"] + " " + event["request"]["url"].split("/", 3)[-1][:60])

    def _lifecycle(self, event):
        if event.get("name") == "firstContentfulPaint":
            self.painted = time.perf_counter()

    def _cached(self, _event):
        self.cached += 1

    def _finished(self, event):
        self.bytes += int(event.get("encodedDataLength", 0))

    def reset(self):
        self.requests, self.bytes, self.urls, self.cached = 0, 0, [], 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="the same steps (they do not depend on data size)")
    parser.add_argument("--runs", default=",".join(name for name, _js, _vp in RUNS))
    args = parser.parse_args()
    from flask_migrate import upgrade
    from playwright.sync_api import sync_playwright

    from app.extensions import db
    from app.seeds.reference import seed_reference
    from bench.seed import seed_submissions
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

    url = f"sqlite:///{WORKDIR / 'two-g.sqlite3'}"
    app = make_app(url)
    import os

    with app.app_context():
        upgrade()
        seed_reference()
        seed_submissions(1000, os.environ["SECRET_KEY"], progress=None)
        db.engine.dispose()
    SHOTS.mkdir(parents=True, exist_ok=True)
    server = Server(url)
    server.start()
    started = datetime.now(UTC)
    rows, image = [], photo()
    print(f"\n2G run: {PROFILE['downloadThroughput'] * 8 / 1000:.0f} kbit/s down, "
          f"{PROFILE['uploadThroughput'] * 8 / 1000:.0f} kbit/s up, {PROFILE['latency']} ms RTT; "
          f"photo {len(image) / 1024:.0f} KB; Chromium {CHROMIUM}")
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for name, javascript, viewport in RUNS:
                    if name in args.runs.split(","):
                        rows += run(browser, server, name, javascript, viewport, image)
            finally:
                browser.close()
    finally:
        server.stop()
    report(rows, started, len(image))


def run(browser, server, name, javascript, viewport, image) -> list[dict]:
    context = browser.new_context(java_script_enabled=javascript, viewport=viewport, locale="vi-VN",
                                  extra_http_headers={"Accept-Language": "vi-VN,vi;q=0.9"})
    rows = []
    try:
        for visitor in ("first time", "returning"):
            rows += _visit(context, server, name, javascript, viewport, image, visitor)
    finally:
        context.close()
    return rows


def _visit(context, server, name, javascript, viewport, image, visitor) -> list[dict]:
    """One visitor's steps in one page; a function of its own so each step's closure binds
    this visit's page and meter, not the loop's latest."""
    page = context.new_page()
    meter = Meter(context, page)
    rows = []

    def step(label, action):
        meter.reset()
        start = time.perf_counter()
        result = action()
        seconds = time.perf_counter() - start
        if label == "home readable":
            seconds = result - start  # until the first paint of text, not the script
        shot = SHOTS / f"{name}-{visitor.replace(' ', '-')}-{label.split(':')[0].replace(' ', '-')}.png"
        page.screenshot(path=str(shot), full_page=True)
        rows.append({"run": name, "javascript": javascript, "viewport": f"{viewport['width']}x{viewport['height']}",
                     "visitor": visitor, "step": label, "seconds": round(seconds, 2),
                     "requests": meter.requests - meter.cached, "from_cache": meter.cached,
                     "kb": round(meter.bytes / 1024, 1), "urls": list(meter.urls),
                     "screenshot": str(shot.relative_to(RESULTS.parent))})
        return result

    step("home readable", lambda: home(page, server, meter))
    step("text-only submission", lambda: submit(page, server, javascript, None))
    page.goto(server.base + "/", wait_until="domcontentloaded")  # back home, as a person would
    code = step("submission with one photo", lambda: submit(page, server, javascript, image))
    step("look a code up", lambda: lookup(page, server, code))
    page.close()
    return rows


def home(page, server, meter) -> float:
    """Until Chromium's first contentful paint: the HTML and the render-blocking stylesheet
    are in; the deferred script may still be on its way (the page works without it)."""
    meter.painted = None
    page.goto(server.base + "/", wait_until="commit")
    page.wait_for_selector("h1", state="visible")
    for _ in range(600):
        if meter.painted:
            break
        page.wait_for_timeout(50)
    page.wait_for_load_state("load")
    return meter.painted or time.perf_counter()


def submit(page, server, javascript: bool, image: bytes | None) -> str:
    """From the home page's "Send feedback" link to the confirmation with the code."""
    page.click(".app-main a.app-button")
    page.wait_for_selector("#title")
    page.check("#kind-0")
    page.select_option("#topic_id", index=1)
    page.select_option("#province_code", label="Lào Cai")
    if javascript:
        page.locator("#ward_code option").nth(50).wait_for(state="attached")
    else:
        page.click("button[name=refresh_wards]")
        page.wait_for_selector("#ward_code option:nth-child(50)", state="attached")
    page.select_option("#ward_code", index=1)
    page.fill("#title", "Mất sóng di động ở bản")
    page.fill("#content", "Bản chúng tôi mất sóng di động cả tuần, không gọi được cấp cứu.")
    if image:
        page.set_input_files("#attachments", files=[{"name": "anh.jpg", "mimeType": "image/jpeg", "buffer": image}])
    page.fill("#contact_name", "Giàng A Páo")
    page.fill("#contact_phone", "0987654321")
    page.check("#consent_processing")
    page.click("form[enctype] button[type=submit]:not([name])")
    page.wait_for_url(re.compile(r"/tra-cuu/rieng/"), timeout=120_000)
    return re.sub(r"\D", "", page.locator(".app-panel__code").inner_text())


def lookup(page, server, code: str):
    """From opening the home page to the status of the code on screen."""
    page.goto(server.base + "/", wait_until="domcontentloaded")
    page.fill("#ma", code)
    page.click("#lookup button[type=submit]")
    page.wait_for_selector("#status")


def report(rows: list[dict], started: datetime, photo_bytes: int) -> None:
    table = [("run", "visitor", "step", "seconds", "requests", "from cache", "KB received")]
    for row in rows:
        table.append((row["run"], row["visitor"], row["step"], f"{row['seconds']:.1f}", row["requests"],
                      row["from_cache"], row["kb"]))
    print_table(table)
    print("Budgets to aim for:")
    for label, limit in BUDGETS.items():
        visitor, step = label.split(": ")
        matching = [r for r in rows if r["visitor"] == visitor and r["step"] == step]
        for row in matching:
            verdict = "within" if row["seconds"] < limit else "OVER"
            print(f"  {row['run']}: {label} {row['seconds']:.1f} s (budget < {limit:g} s): {verdict}")
    print(f"Screenshots of every step: {SHOTS.relative_to(RESULTS.parent)}/")
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"two-g-{started:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps({"started": started.isoformat(timespec="seconds"), "machine": machine(),
                                "profile": PROFILE, "photo_bytes": photo_bytes, "budgets_s": BUDGETS,
                                "steps": rows}, indent=2, ensure_ascii=False))
    (RESULTS / "latest-two-g.json").write_text(path.read_text())
    print(f"Figures written to {path.relative_to(RESULTS.parent)}")


if __name__ == "__main__":
    main()
