"""What other platforms call: alert webhooks and PagerDuty's Events API (``webhooks``, with
``intake`` for what they share), and Slack and Discord callbacks (``chat``). They carry no API
token: each proves itself with a secret or a signature."""
