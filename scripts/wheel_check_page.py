"""Part of scripts/wheel-check.sh: open the demo survey of an app served from the installed wheel
in Chromium and check that it shows the default instrument's statements and the theme's primary
colour (both read from the checkout: surveys/ and .streamlit/config.toml).

    python scripts/wheel_check_page.py URL CHECKOUT
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from pathlib import Path

from playwright.sync_api import sync_playwright

# The demo portfolio's participant link (lc_health.services.demo.DEMO_PARTICIPANT_TOKEN).
DEMO_TOKEN = "demo-participant-link-robotica-fieldlab-wl1"
TIMEOUT_MS = 30_000
# The first visit also starts the app (migrations, demo data, chart warm-up): on a busy machine
# that can take minutes.
FIRST_VISIT_MS = 240_000

USES_COLOUR = """(rgb) => [...document.querySelectorAll('*')].some((el) => {
  const style = getComputedStyle(el);
  return [style.backgroundColor, style.color, style.borderTopColor].includes(rgb);
})"""


def _newest_statements(checkout: Path) -> list[str]:
    instruments = [
        tomllib.loads(p.read_text(encoding="utf-8")) for p in (checkout / "surveys").glob("*.toml")
    ]
    newest = max(instruments, key=lambda ins: int(ins["version"]))
    return [item["text"]["en"] for item in newest["items"]]


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r}, {g}, {b})"


def main(url: str, checkout: Path) -> int:
    config = tomllib.loads((checkout / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    # Chromium asks for the light scheme; the colour is set for all schemes or per scheme.
    theme = config["theme"]
    primary = _rgb(theme.get("light", {}).get("primaryColor") or theme["primaryColor"])
    statements = _newest_statements(checkout)
    chromium = shutil.which("chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{url}/?t={DEMO_TOKEN}&lang=en")
        page.get_by_role("button", name="Start").click(timeout=FIRST_VISIT_MS)
        page.get_by_role("radiogroup", name="What is your role").get_by_text("Student").click()
        page.get_by_role("radiogroup", name="What kind of organisation").get_by_text(
            "mbo school"
        ).click()
        page.get_by_role("button", name="Next").click()
        page.wait_for_function(
            "(texts) => texts.some((t) => document.body.innerText.includes(t))", arg=statements
        )
        themed = page.evaluate(USES_COLOUR, primary)
        browser.close()
    if not themed:
        print(f"the theme's primary colour {primary} is nowhere on the page", file=sys.stderr)
        return 1
    print(f"page ok: the instrument's statements and the theme's primary colour {primary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
