"""The API as gunicorn serves it, plus one route that only the statement-limit test adds: a single
statement that runs as long as it is asked to (``SELECT SLEEP(n)``)."""

from __future__ import annotations

from flask import Flask, request
from sqlalchemy import text

from backend import create_app as create_api
from backend.extensions import db


def create_app() -> Flask:
    app = create_api()

    @app.get("/test/slow-statement")
    def slow_statement():
        seconds = float(request.args["seconds"])
        return {"slept": db.session.execute(text("SELECT SLEEP(:seconds)"), {"seconds": seconds}).scalar()}

    return app
