"""Stand-in "real" upstreams for the four vendor APIs in specs/, to run a contract checker against.

Each vendor module (`openrouter`, `lightdash`, `client_analytics`, `onepin`) is an independent,
hand-written implementation of what the vendor documents (spec + the prose in
/work/shared/seeds/00*.txt); it shares no code with `mockserver`. Its `create_app(defect)` returns a
Starlette app that behaves faithfully (`defect=None`) or with exactly one named drift (see
`common.DEFECTS`). `server.serve_all()` runs every (api, variant) behind one uvicorn server.
"""

from upstreams.common import DEFECTS
from upstreams.server import APIS, UNSUPPORTED, VARIANTS, base_url, create_app, serve_all

__all__ = ["APIS", "DEFECTS", "UNSUPPORTED", "VARIANTS", "base_url", "create_app", "serve_all"]
