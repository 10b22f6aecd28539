"""What every route shares: query parameters (``params``) and the parsing behind them
(``parsing``), problem answers (``problems``), asking the services behind the gateway
(``upstream``), the middleware (``middleware``), the input guard (``input_guard``) and live
streams (``streams``)."""
