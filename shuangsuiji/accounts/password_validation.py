"""Password complexity (等保 2.0 身份鉴别): characters from at least three of four classes."""

import string

from django.core.exceptions import ValidationError

CLASSES = (
    ("大写字母", lambda ch: ch in string.ascii_uppercase),
    ("小写字母", lambda ch: ch in string.ascii_lowercase),
    ("数字", lambda ch: ch.isdigit()),
    ("符号", lambda ch: not ch.isalnum()),
)


class CharacterClassesValidator:
    """Require characters from `min_classes` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        used = sum(1 for _label, test in CLASSES if any(test(ch) for ch in password))
        if used < self.min_classes:
            raise ValidationError(
                f"密码须至少包含大写字母、小写字母、数字、符号中的{self.min_classes}类",
                code="password_too_simple",
            )

    def get_help_text(self):
        return f"密码须至少包含大写字母、小写字母、数字、符号中的{self.min_classes}类。"
