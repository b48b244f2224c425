"""The Resto-Mairie phone line: Twilio voice webhooks, the call flow behind them, and the call log.

- :mod:`~restomairie.ivr.views`: the Flask blueprint (``/ivr/voice``, ``/ivr/step``,
  ``/ivr/status``, ``/ivr/fallback``); it checks Twilio's signature, parses the form and renders.
- :mod:`~restomairie.ivr.service`: one transaction per webhook, per-call state keyed by
  ``CallSid``, the call log, the replay of a webhook delivered twice.
- :mod:`~restomairie.ivr.flow`: the call itself (identification, child, action, date, read-back,
  result), over the booking services; it returns what to say and what to ask.
- :mod:`~restomairie.ivr.speech`: the French speech parser; :mod:`~restomairie.ivr.prompts`:
  every sentence, from the Babel catalogs.
"""
