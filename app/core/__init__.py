"""Core: the home page, the language switch, static files, the privacy notice."""
from flask import Blueprint

bp = Blueprint("core", __name__)

