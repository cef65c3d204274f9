"""Compress client-error pages too: Flask-Compress leaves every non-2xx response alone."""
from flask import Flask

from app.extensions import compress


def register(app: Flask) -> None:
    """A form that failed validation (422) or a wrong tracking code (404) is a whole page a
    2G user waits for, often larger than the success page: compress it like any other."""

    @app.after_request
    def compress_client_errors(response):
        if 400 <= response.status_code < 500 and response.mimetype == "text/html":
            status = response.status
            response.status_code = 200  # Flask-Compress only looks at 2xx responses
            try:
                response = compress.after_request(response)
            finally:
                response.status = status
        return response
