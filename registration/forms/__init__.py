"""Forms as data: field types, validators, the engine that walks a form, and the forms."""

from language.parse import Invalid
from registration.forms.engine import Form, FormEngine
from registration.forms.fields import Candidates, Field

__all__ = ["Candidates", "Field", "Form", "FormEngine", "Invalid"]
