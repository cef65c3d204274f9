"""Two-way SMS for phones with no browser and no data: the gateway's inbound webhook, the
message syntax (GY, DONG Y, TC, HUY) and the replies, sent through notify's SMS channel."""
from flask import Blueprint

bp = Blueprint("sms", __name__, url_prefix="/sms")
