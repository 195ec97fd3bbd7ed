"""Today, for the shell (the CLI and the Fava page): the clock, or $ONEBOX_TODAY to replay a day.

The core never calls this: ``today`` reaches it as an argument.
"""

from __future__ import annotations

import datetime
import os

from .values import parse_date


def today() -> datetime.date:
    """The clock, or $ONEBOX_TODAY (YYYY-MM-DD) to replay a day exactly; a bad value: InputError."""
    fixed = os.environ.get("ONEBOX_TODAY")
    return parse_date(fixed, "ONEBOX_TODAY") if fixed else datetime.date.today()
