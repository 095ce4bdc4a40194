from rest_framework import authentication, exceptions

from shuangsuiji.accounts.tokens import token_user


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """`Authorization: Token <key>` checked against hashed ApiToken rows (see accounts/tokens.py)."""

    def authenticate_credentials(self, key):
        user = token_user(key)
        if user is None:
            raise exceptions.AuthenticationFailed("令牌无效、已过期或已吊销")
        return (user, key)
