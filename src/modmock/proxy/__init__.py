"""Check the mock against the real vendor: a proxy that forwards a client's requests to the
vendor (with the real account's credentials), answers with the vendor's real answers, holds
every request, answer and callback against the packaged schemas (the drift report), and records
the exchanges as replay files the mock serves offline."""
