"""The client's address as the trusted reverse proxies reported it (login lockout key, django-axes).

Each of the TRUSTED_PROXY_COUNT proxies in front of the application appends the address it received the
request from to X-Forwarded-For (nginx `$proxy_add_x_forwarded_for`). The client address is therefore the
entry TRUSTED_PROXY_COUNT places from the right; whatever the client itself put further left is ignored.
With no trusted proxy (the default) X-Forwarded-For is ignored entirely and REMOTE_ADDR is used.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(chain) < count:  # not (fully) through the proxies: nothing trustworthy beyond the direct peer
        return remote
    candidate = chain[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:  # a proxy would not write garbage; treat it as not proxied
        return remote
