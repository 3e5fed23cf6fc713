"""What each HTTP error status means, in words shown to people (translated where shown)."""

from __future__ import annotations

from app.i18n import gettext_noop

# Titles shown for statuses that have no domain error behind them (404 for an unknown path...).
STATUS_TITLES = {
    400: gettext_noop("Something was wrong with the request"),
    403: gettext_noop("You do not have access to this"),
    404: gettext_noop("We could not find the page"),
    405: gettext_noop("That cannot be done here"),
    409: gettext_noop("Someone else changed this at the same time"),
    412: gettext_noop("Someone else changed this at the same time"),
    413: gettext_noop("What you sent was too large"),
    422: gettext_noop("Something needs to be corrected"),
    428: gettext_noop("Say which version you are changing"),
    429: gettext_noop("Too many attempts"),
    500: gettext_noop("Something went wrong on our side"),
    503: gettext_noop("This is not available just now"),
}
STATUS_DETAILS = {
    404: gettext_noop("The address may be wrong, or the page may have been moved."),
    405: gettext_noop("The page does not support what your browser asked for."),
    500: gettext_noop(
        "The error has been logged. Try again in a little while. If it happens again, give us "
        "this reference:"
    ),
}
