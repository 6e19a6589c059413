"""Faithful local fakes of the cloud helpdesks' APIs (Zendesk, Freshdesk, Zammad).

These products cannot run on a test machine, so each fake answers with the JSON, status codes,
paging and rate-limit replies its vendor documents (the page is cited in each module), served by
real uvicorn on loopback (:func:`tests.fakes.server.serve`).  Fakes are only for vendors' cloud
APIs; everything of ours in these tests is real.
"""
