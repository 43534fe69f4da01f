"""The hub's typed contract: pydantic models of every request body and answer of the office
and device APIs, from which /openapi.json is made. Pure models: no database, no web
framework beyond pydantic, so the office console's API client can speak them too. The
tablet's own sync.protocol stays pure Python (what the APK carries); a test holds it and
these models to one wire format."""
