"""Django's template backend, with each render's context let go of when the page is written.

A context with a request is a reference cycle (``make_context`` pushes the view's dict as a
``ContextDict`` that points back at its context), so everything a page showed (the corridor
page: a few hundred records) waited for the collector's next full pass, which then walked it.
Emptied after rendering, the context frees it by reference counting. Measured in process on the
corridor page at full scale: full collections 26 -> 1.6 ms each, p95 79 -> 68 ms.
"""

from django.template.backends import django as django_backend
from django.template.context import make_context


class DjangoTemplates(django_backend.DjangoTemplates):
    def from_string(self, template_code):
        return Template(self.engine.from_string(template_code), self)

    def get_template(self, template_name):
        return Template(super().get_template(template_name).template, self)


class Template(django_backend.Template):
    def render(self, context=None, request=None):
        context = make_context(context, request, autoescape=self.backend.engine.autoescape)
        try:
            return self.template.render(context)
        except django_backend.TemplateDoesNotExist as exc:
            django_backend.reraise(exc, self.backend)
        finally:
            context.dicts.clear()  # the test client keeps a copy of its own (template_rendered)
