"""Who is calling, and what they may do: the guard every route goes through (``guard``), API
tokens (``tokens``), users and their passwords (``users``, ``passwords``), single sign-on
(``oidc``, ``oidc_routes`` for ``/auth/oidc/``), dashboard sessions (``sessions``), rate limits
(``ratelimit``) and the sign-in throttle (``throttle``)."""
