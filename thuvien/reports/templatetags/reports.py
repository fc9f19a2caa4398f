"""`{% reports_dashboard %}`: the report viewer's and manager's home panel (month against last month
and the same month last year, for their subtree). Renders nothing for staff without report.view."""

from __future__ import annotations

from typing import Any

from django import template

from thuvien.reports.selectors import dashboard

register = template.Library()


@register.inclusion_tag("staff/reports/_dashboard.html", takes_context=True)
def reports_dashboard(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    data = dashboard(user=user) if user is not None and user.is_authenticated else None
    return {"dash": data}


@register.filter
def num(value: Any) -> str:
    """A figure the Vietnamese way: 12.345 and 1,25 (text such as "<3" unchanged)."""
    from decimal import Decimal

    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, Decimal):
        value = int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return str(value)


@register.filter
def can_report(user: Any) -> bool:
    """True when the user holds report.view somewhere (the staff menu shows "Báo cáo")."""
    from thuvien.reports.selectors import report_units

    return bool(user is not None and user.is_authenticated and report_units(user))
