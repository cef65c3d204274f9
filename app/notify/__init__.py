"""Telling people things: an outbox written in the same transaction as the change, then
delivered by e-mail or SMS outside the request."""
