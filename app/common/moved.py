"""Addresses that moved: the old URL answers a permanent redirect to the new one, so links in
inboxes, bookmarks, printed pages and search engines keep working."""
from flask import Blueprint, redirect, request, url_for


def moved(bp: Blueprint, rule: str, endpoint: str, methods: tuple[str, ...] = ("GET",), **fixed) -> None:
    """Answer `rule` with a redirect to `endpoint`, with the same path values (and `fixed` ones)
    and the same query: 301 for a page, 308 for a form sent to the old address, so the browser
    sends it again, unchanged, to the new one."""

    def view(**values):
        target = url_for(endpoint, **values, **fixed)
        if request.query_string:
            target += "?" + request.query_string.decode("latin-1")
        return redirect(target, 301 if request.method in ("GET", "HEAD") else 308)

    view.__doc__ = f"The old address of {endpoint}."
    bp.add_url_rule(rule, endpoint="moved:" + rule, view_func=view, methods=list(methods))
