"""The password of a database URL, hidden wherever a URL can be shown.

One place decides what a password looks like in a URL, so that the search's
repr, its HTML view, log records, error messages and the command line all
mask it alike. It parses the URL the way SQLAlchemy does
(``dialect+driver://user:password@host:port/db?key=value``) with a regular
expression, so that this bottom layer does not import SQLAlchemy.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

__all__ = [
    "MASK",
    "MaskedURL",
    "PasswordFilter",
    "hide_password",
    "mask_unparsed_url",
    "mask_url",
]

MASK = "***"

# user:password@ after a scheme (SQLAlchemy's own pattern: the password runs
# to the next "@"; here it also stops at white space, since it is searched
# for inside longer text).
_PASSWORD_IN_NETLOC = re.compile(r"(?P<head>\b[\w+.-]+://[^:/@\s]*:)(?P<password>[^@\s]*)@")
# ?password=... (libpq and the MySQL drivers accept it as a query option).
_PASSWORD_IN_QUERY = re.compile(
    r"(?P<head>[?&](?:password|passwd|pwd)=)(?P<password>[^&\s'\"]*)", re.IGNORECASE
)
# A password this short is not searched for as bare text: replacing every
# "ab" of a message would make it unreadable, and so short a secret is
# hidden wherever it appears inside a URL all the same.
_MIN_BARE_PASSWORD = 4


def mask_url(url: str) -> str:
    """``url`` with its password, if any, replaced by ``***``.

    Parameters
    ----------
    url : str
        A database URL, or any text holding one.

    Returns
    -------
    str
        The same text, every ``scheme://user:password@`` and
        ``?password=`` value masked.

    Examples
    --------
    >>> mask_url("postgresql+psycopg://scout:s3cret@db.example/studies")
    'postgresql+psycopg://scout:***@db.example/studies'
    >>> mask_url("sqlite:///scout.db")
    'sqlite:///scout.db'
    """
    text = _PASSWORD_IN_NETLOC.sub(rf"\g<head>{MASK}@", url)
    return _PASSWORD_IN_QUERY.sub(rf"\g<head>{MASK}", text)


# user:password@ with no "://" before it (a URL mistyped with one slash, or
# none): only for text that is known to be a URL that did not parse.
_PASSWORD_WITHOUT_SCHEME = re.compile(r"(?P<head>[^\s:/@]+:)(?P<password>[^\s:/@]*)@")


def mask_unparsed_url(url: str) -> str:
    """A URL that could not be parsed, with what looks like its password masked.

    ``postgresql+psycopg:/user:s3cret@host/db`` (one slash) or
    ``user:s3cret@host/db`` has no ``scheme://`` for :func:`mask_url` to
    find; its ``user:password@`` is masked all the same.

    >>> mask_unparsed_url("postgresql+psycopg:/scout:s3cret@db/studies")
    'postgresql+psycopg:/scout:***@db/studies'
    """
    return _PASSWORD_WITHOUT_SCHEME.sub(rf"\g<head>{MASK}@", mask_url(url))


class MaskedURL(str):
    """A URL string that shows its password masked in its repr.

    It is the URL itself for every other use (``str``, equality, hashing,
    connecting), so that ``get_params()`` can hand it to ``clone`` and the
    clone connects as the original does, while scikit-learn's pretty printer
    and HTML view, which show a nested estimator through the ``repr`` of its
    ``get_params()`` values, show ``***``.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(mask_url(str.__str__(self)))


def hide_password(text: str, url: object) -> str:
    """``text`` with ``url``'s password masked, in a URL or on its own.

    Parameters
    ----------
    text : str
        A message that may quote ``url`` or its password (a driver's error
        message, a log line).
    url : object
        The URL whose password must not be shown; anything else (None, a
        Storage) only gets the URL masking of :func:`mask_url`.

    Returns
    -------
    str
        ``text`` with every URL's password masked, and ``url``'s password
        (as written and percent-decoded) replaced by ``***`` wherever it
        still appears.
    """
    masked = mask_url(text)
    for password in _passwords(url):
        if len(password) >= _MIN_BARE_PASSWORD:
            masked = masked.replace(password, MASK)
    return masked


class PasswordFilter(logging.Filter):
    """A logging filter that masks URL passwords in every record it passes.

    Attached to the package's loggers, so that a message quoting a URL (a
    connection error, a retried statement) never writes its password to a
    log file, whatever handler the application set up.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_url(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def _passwords(url: object) -> list[str]:
    if not isinstance(url, str):
        return []
    found = [m.group("password") for m in _PASSWORD_IN_NETLOC.finditer(url)]
    found += [m.group("password") for m in _PASSWORD_IN_QUERY.finditer(url)]
    variants = {p for raw in found for p in (raw, unquote(raw)) if p}
    return sorted(variants, key=len, reverse=True)
