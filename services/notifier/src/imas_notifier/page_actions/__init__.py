"""Answering a page where it arrived (docs/acknowledge-anywhere.md): ``domain`` (codes, signed
links, Twilio's signature, a call's TwiML), ``store`` (their tables) and ``usecases`` (a page
action attached when a page is recorded, shown when it is sent, checked and carried out when
the answer comes)."""
