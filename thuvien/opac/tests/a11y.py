"""Accessibility checks with axe-core (npm, read from node_modules) in Chromium, for browser tests.

    from thuvien.opac.tests.a11y import a11y_context, assert_no_serious_violations
    with a11y_context(chromium, live_server.url, "phone") as page:   # or "desktop"
        page.goto("/news/")
        assert_no_serious_violations(page)

Checks the page as it is now against WCAG 2.0/2.1 A and AA (labels, contrast, names, landmarks,
language...) and fails listing every violation of impact "serious" or "critical" with the elements
that break it. A new portal page is covered by adding its path to the test in
thuvien/opac/tests/test_browser_a11y.py (or by calling this from its own browser test).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

AXE_JS = Path(settings.BASE_DIR).parent / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
VIEWPORTS = {"phone": PHONE, "desktop": DESKTOP}


@contextmanager
def a11y_context(chromium: Any, base_url: str, viewport: str = "phone") -> Iterator[Any]:
    """A fresh page (Vietnamese locale, the viewport by name) in a browser context that lets axe-core's
    script in despite our Content-Security-Policy (which refuses injected scripts; pages render the same)."""
    context = chromium.new_context(locale="vi-VN", base_url=base_url, viewport=VIEWPORTS[viewport], bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        yield page
    finally:
        context.close()


def axe_violations(page: Any, *, tags: list[str] | None = None) -> list[dict[str, Any]]:
    """Every axe-core violation of the page as loaded now (the script is injected once per document)."""
    if not AXE_JS.exists():
        raise AssertionError(f"{AXE_JS} is missing: run `npm ci` (axe-core is a devDependency)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(" "), summary: n.failureSummary}))}));
        }""",
        tags or WCAG_AA,
    )
    return list(result)


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        for n in v["nodes"][:8]:
            lines.append(f"    {n['target']}: {(n['summary'] or '').splitlines()[-1].strip()}")
    return "\n".join(lines)


def assert_no_serious_violations(page: Any, *, where: str = "") -> None:
    """Fail with a readable list when axe-core finds a serious or critical WCAG 2.1 AA violation."""
    found = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not found, f"{where or page.url}:\n{describe(found)}"
