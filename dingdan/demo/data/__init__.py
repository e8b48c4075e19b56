"""Demo data as plain dicts, generated deterministically from a seed (no ORM, no settings).

Each module produces the keyword arguments of one context's services; `dingdan.demo.loader`
calls the services with them.
"""

SEED = 20260123
