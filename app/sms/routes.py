"""The gateway's inbound webhook: one POST per message or part (contract in docs/sms.md)."""
import json

from flask import jsonify, request

from app.extensions import csrf
from app.sms import bp, services


@bp.post("/nhan")
@csrf.exempt
def inbound():
    """A message from a phone, signed by the gateway: 403 unsigned, 400 malformed, 429 over
    the number's hourly limit, else 200 with what became of it."""
    body = request.get_data(cache=False)
    if not services.signature_ok(body, request.headers.get(services.SIGNATURE_HEADER, "")):
        return jsonify(error="bad signature"), 403
    try:
        message = services.parse(json.loads(body))
    except (ValueError, UnicodeDecodeError) as error:  # BadMessage and JSONDecodeError are ValueErrors
        return jsonify(error=str(error) if isinstance(error, services.BadMessage) else "invalid JSON"), 400
    outcome = services.receive(message)
    return jsonify(status=outcome), 429 if outcome == services.Outcome.LIMITED else 200
