"""Forms as data: field types, validators, the engine that walks a form, and the forms."""

from bot.forms.engine import Form, FormEngine
from bot.forms.fields import Candidates, Field
from bot.forms.validators import Invalid

__all__ = ["Candidates", "Field", "Form", "FormEngine", "Invalid"]
