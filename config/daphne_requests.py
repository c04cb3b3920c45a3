"""Daphne's HTTP requests leave a form body to the application.

Twisted's `Request`, which daphne's `WebRequest` extends, parses a multipart/form-data POST body
into `request.args` before daphne sees the request: it reads the body whole, prepends headers
(a copy) and hands it to the email package's feed parser (lines, then parts). For a 20 MB upload
that built ~230 MB of Python objects (11-12x the file) for an attribute daphne never reads;
daphne passes the body on to the application from its temporary file in 8 KB chunks, and
Django parses the form itself, spooling to disk. Twisted's own switch for this is the request's
`parsePOSTFormSubmission` argument ("can use large amounts of memory for large uploads"), which
daphne does not set; `leave_form_bodies_to_the_application` makes daphne's request factory set
it (docs/performance.md, "The upload request").
"""

from __future__ import annotations

from typing import Any

from daphne import http_protocol  # type: ignore[import-untyped]


class FormBodyUnparsedRequest(http_protocol.WebRequest):  # type: ignore[misc]
    """Daphne's request, without Twisted's parse of the body into `args`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["parsePOSTFormSubmission"] = False
        super().__init__(*args, **kwargs)


def leave_form_bodies_to_the_application() -> None:
    """Make daphne build `FormBodyUnparsedRequest`s (its HTTP factory looks `WebRequest` up in
    its module for every connection). Call it before daphne accepts connections."""
    http_protocol.WebRequest = FormBodyUnparsedRequest
