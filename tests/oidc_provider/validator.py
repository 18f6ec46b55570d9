"""Claims for each user from OP_CLAIMS (JSON: username → claims), in the ID token and userinfo."""

import json
import os
from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    oidc_claim_scope = None  # every claim for every scope: the test says which exist

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        claims: dict[str, Any] = json.loads(os.environ.get("OP_CLAIMS", "{}"))
        return dict(claims.get(request.user.username, {}))
