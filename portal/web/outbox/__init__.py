"""E-mail notifications through a durable outbox.

`enqueue` writes messages into the `outbox` table inside the transaction of the event that
causes them (a request stored, a session confirmed, moved or cancelled), so an event is never
stored without its messages nor a message without its event. `sender` sends them later
(`python -m portal.web.outbox send`, run on a timer) with retries; `message` builds the MIME
message; `status` is what the staff console shows. The texts are `portal.mailtext`'s, the
calendar files `portal.ics`'s.
"""
