"""Test settings: the real settings with fast hashing and static files served from finders."""

import os

os.environ.setdefault("ALLOW_INSECURE_KEY", "1")
os.environ.setdefault("MANIFEST_STATIC", "0")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
AUDIT_HEADS_DIR = BASE_DIR / ".test-media" / "audit-heads"  # noqa: F405
