"""The station's own web side: pages at ``/`` and the JSON API under ``/api/v1/``."""
