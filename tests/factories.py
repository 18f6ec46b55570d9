"""factory_boy factories: build the world a test needs in a few lines."""

from __future__ import annotations

import io
from typing import Any

import factory
from PIL import Image

from gongjian.org.models import Person, Role, RoleGrant, Unit, User

PASSWORD = "pw-for-tests-only"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"单位{n}")
    kind = "department"
    parent = None


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"干部{n}")
    unit = factory.SubFactory(UnitFactory)
    post = "科员"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    unit = factory.SubFactory(UnitFactory)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        self.save()
        for role in extracted or []:
            RoleGrant.objects.create(user=self, role=Role(role))


def image_bytes(fmt: str = "PNG") -> bytes:
    """A real (tiny) photo in `fmt`, which the upload checks decode."""
    out = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(out, format=fmt)
    return out.getvalue()
