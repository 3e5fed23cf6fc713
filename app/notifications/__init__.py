"""Notifications: "you have something new in Samplan" by e-mail or SMS, never what it is
(R-NOTE-1), as often as each person chooses (R-NOTE-2).

A request only writes an outbox row in its own transaction (service.py); a background worker
sends it later with retries (worker.py), so sending never blocks or fails that request.
"""
