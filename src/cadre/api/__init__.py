"""The JSON API at ``/api/v1/``: programmes, enrolments and certification status.

The ``NinjaAPI`` lives in ``cadre.api.api``; each capability has a router module
(``programmes``, ``enrolments``, ``certification``) and the request and response shapes are
in ``schemas``. Endpoints parse, call one service or query of the owning app, and return.
"""
