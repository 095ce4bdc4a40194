"""System checks of the draw engine's deployment settings."""

from django.core.checks import Error, register


@register()
def hash_suite_usable(app_configs, **kwargs):
    """draws.E001: settings.FAIRDRAW_HASH_SUITE must name a hash suite this Python can compute (fairdraw §2.3)."""
    from django.core.exceptions import ValidationError

    from .snapshot import deployment_suite

    try:
        deployment_suite()
    except ValidationError as exc:
        return [Error(exc.messages[0], hint="取值为 sha256 或 sm3；sm3 需要支持 SM3 的 OpenSSL。", id="draws.E001")]
    return []
