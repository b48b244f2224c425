"""SMS receipts after a change, sent by a background thread: never in a webhook's response path.

Off by default (``phone.sms_receipts``). When on, the phone line hands each receipt to
:class:`ReceiptOutbox` once the step is saved; a worker thread sends it with the Twilio REST client.
A full queue, a missing credential, Twilio refusing or the network failing only write a log line:
the call never waits for, nor notices, an SMS.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Mapping

from restomairie.ivr.flow import Receipt
from restomairie.phones import mask_phone

log = logging.getLogger(__name__)

Sender = Callable[[Receipt], None]


def twilio_sender(account_sid: str, auth_token: str, from_number: str) -> Sender:
    """Send with Twilio's REST client (created on first use, in the worker thread)."""
    client = None

    def send(receipt: Receipt) -> None:
        nonlocal client
        if client is None:
            from twilio.rest import Client

            client = Client(account_sid, auth_token)
        client.messages.create(to=receipt.to, from_=from_number, body=receipt.body)

    return send


class ReceiptOutbox:
    """A bounded queue of receipts and the daemon thread that sends them."""

    def __init__(self, sender: Sender, maxsize: int = 1000) -> None:
        self.sender = sender
        self.queue: queue.Queue[Receipt | None] = queue.Queue(maxsize=maxsize)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.sent = 0
        self.failed = 0

    def put(self, receipt: Receipt) -> bool:
        """Queue a receipt without ever blocking; False (and a log line) if it was dropped."""
        self._start()
        try:
            self.queue.put_nowait(receipt)
        except queue.Full:
            log.warning("SMS receipt dropped: the outbox is full")
            return False
        return True

    def _start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._work, name="restomairie-sms", daemon=True
                )
                self._thread.start()

    def _work(self) -> None:
        while True:
            receipt = self.queue.get()
            try:
                if receipt is None:
                    return
                self.sender(receipt)
                self.sent += 1
            except Exception:  # a receipt is a courtesy: its failure is only logged
                self.failed += 1
                log.exception("SMS receipt to %s failed", mask_phone(receipt.to if receipt else ""))
            finally:
                self.queue.task_done()

    def join(self) -> None:
        """Wait until every queued receipt was handled (tests, shutdown)."""
        self.queue.join()

    def close(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self.queue.put(None)
            self._thread.join(timeout=5)


def outbox_from_settings(enabled: bool, secrets: Mapping[str, str]) -> ReceiptOutbox | None:
    """The outbox when receipts are on and Twilio's credentials are there, else None (logged)."""
    if not enabled:
        return None
    sid = secrets.get("TWILIO_ACCOUNT_SID")
    token = secrets.get("TWILIO_AUTH_TOKEN")
    sender = secrets.get("RESTOMAIRIE_SMS_FROM")
    if not (sid and token and sender):
        log.warning(
            "phone.sms_receipts est activé mais TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN ou "
            "RESTOMAIRIE_SMS_FROM manque : aucun SMS de confirmation ne sera envoyé"
        )
        return None
    return ReceiptOutbox(twilio_sender(sid, token, sender))
