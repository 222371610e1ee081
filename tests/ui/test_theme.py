"""The app's theme keeps text readable: WCAG AA contrast (4.5:1) for text and primary colour."""

from __future__ import annotations

import tomllib
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml"
WCAG_AA_TEXT = 4.5


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_contrast_formula_on_known_pairs() -> None:
    assert round(contrast("#000000", "#FFFFFF"), 1) == 21.0
    assert round(contrast("#777777", "#FFFFFF"), 2) == 4.48


def _schemes() -> dict[str, dict[str, str]]:
    """The light and the dark theme (Streamlit follows the browser's colour scheme)."""
    theme = tomllib.loads(CONFIG.read_text(encoding="utf-8"))["theme"]
    return {"light": theme["light"], "dark": theme["dark"]}


def test_theme_text_meets_wcag_aa() -> None:
    for name, theme in _schemes().items():
        text, link = theme["textColor"], theme["linkColor"]
        for background in (theme["backgroundColor"], theme["secondaryBackgroundColor"]):
            assert contrast(text, background) >= WCAG_AA_TEXT, name
            assert contrast(link, background) >= WCAG_AA_TEXT, name
        # Primary buttons show white text on the primary colour.
        assert contrast("#FFFFFF", theme["primaryColor"]) >= WCAG_AA_TEXT, name
    light = _schemes()["light"]
    for background in (light["backgroundColor"], light["secondaryBackgroundColor"]):
        assert contrast(light["primaryColor"], background) >= WCAG_AA_TEXT


def _blend(colour: str, background: str, alpha: float) -> str:
    a = [int(colour.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    b = [int(background.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    return "#" + "".join(
        f"{round(alpha * x + (1 - alpha) * y):02X}" for x, y in zip(a, b, strict=True)
    )


def test_faded_text_meets_wcag_aa() -> None:
    """Streamlit draws captions and help texts in the text colour at 60% opacity."""
    for theme in _schemes().values():
        for background in (theme["backgroundColor"], theme["secondaryBackgroundColor"]):
            faded = _blend(theme["textColor"], background, 0.6)
            assert contrast(faded, background) >= WCAG_AA_TEXT, (faded, background)


def test_production_friendly_streamlit_settings() -> None:
    config = tomllib.loads(CONFIG.read_text(encoding="utf-8"))
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["enableXsrfProtection"] is True
    assert config["client"]["showErrorDetails"] == "none"
