"""Rapport's REST API: routes generated from the verbs, and the front end's own duties.

- ``app``: the FastAPI app, its lifespan (engine, pools, background enricher) and routes;
  ``verb_routes``: a verb's route, generated from its declaration, with strict JSON bodies;
  ``overrides``: where REST runs a verb differently (the append batcher, the key cache);
  ``batching``: concurrent appends of one org share one statement; ``route_index``: a
  request finds its verb's route by method and resource, not by trying all 140.
- ``openapi``: the schema, finished to say exactly what the API accepts and answers
  (problem documents, filters as JSON over named fields, what PostgreSQL can store).
- ``deps``: the request's database and principal (verified keys, cached briefly);
  ``problems``: every error as an RFC 9457 problem document; ``responses``: orjson
  responses and the ``Problem`` model; ``limits``: oversize bodies get a readable 413;
  ``docs``: ``/docs`` and ``/redoc`` from local assets, so they work offline.
"""
