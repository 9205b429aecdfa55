"""factory_boy factories: the one way tests build data."""

import factory
from django.conf import settings

from projects.core.choices import OrganizationKind, Role
from projects.core.models import Organization, Province, User


def province(code: str) -> Province:
    return Province.objects.get(code=code)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"org-{n}")
    name_zh = factory.Sequence(lambda n: f"测试机构{n}")
    name_en = factory.Sequence(lambda n: f"Test organization {n}")
    kind = OrganizationKind.PROVINCIAL_AUTHORITY
    province = factory.LazyFunction(lambda: province("510000"))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.PROVINCIAL_STAFF
    organization = factory.SubFactory(OrganizationFactory)
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", settings.DEMO_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()
