"""Publication dates of inputs, with the precision their source really gives."""

from __future__ import annotations

import re
from datetime import date, datetime

from summarizer.records import EventDate, Precision

_PARTIAL_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
EXPECTED = "YYYY, YYYY-MM, YYYY-MM-DD or an ISO datetime"


def parse_iso_date(text: str) -> EventDate:
    """Read an ISO date, keeping its precision: ``2025`` is a year, ``2025-07-24T10:00Z`` a day.

    Args:
        text: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a full ISO 8601 datetime.

    Returns:
        The date and its precision (a datetime keeps the calendar day it was written with).

    Raises:
        ValueError: Not one of those forms, or no such day (``2025-13-45``).

    """
    text = text.strip()
    partial = _PARTIAL_DATE.fullmatch(text)
    try:
        if partial is not None:
            year, month, day = partial.groups()
            date(int(year), int(month or 1), int(day or 1))  # raises for a day there is not
            precision: Precision = "day" if day else "month" if month else "year"
            return EventDate(value=text, precision=precision)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text[:40]!r} is not a date ({EXPECTED})") from None
    return EventDate(value=moment.date().isoformat(), precision="day")
