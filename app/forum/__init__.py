"""The forum: boards, threads, posts, votes, follows and policy dialogues."""
from flask import Blueprint

bp = Blueprint("forum", __name__)

