"""The API root: every app's router mounted under /api/, OpenAPI at /api/docs."""

from __future__ import annotations

from gongjian.assessment.api import router as assessment_router
from gongjian.core.http import build_api
from gongjian.dashboard.api import router as dashboard_router
from gongjian.org.api import router as org_router
from gongjian.org.tokens import PrimarySessionAuth, TokenAuth
from gongjian.projects.api import router as ledger_router
from gongjian.supervision.api import router as supervision_router
from gongjian.supervision.visits_api import router as visits_router

# The token first: a request with `Authorization: Bearer` is decided by its token alone (and is
# not CSRF-checked); a browser request falls through to the session, which is.
api = build_api(auth=[TokenAuth(), PrimarySessionAuth()])
api.add_router("/org", org_router)
api.add_router("/dashboard", dashboard_router)
api.add_router("/ledger", ledger_router)
api.add_router("/supervision", supervision_router)
api.add_router("/supervision", visits_router)
api.add_router("/assessment", assessment_router)
