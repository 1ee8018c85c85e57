from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from accounts.roles import Role
from accounts.services import set_role
from tests.refused_address import REFUSED_URL

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted: Role | None, **kwargs):
        self.save()
        if extracted:
            set_role(self, extracted)


class InstanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "instances.Instance"

    name = factory.Sequence(lambda n: f"Instance {n}")
    engine = "waha"
    # Nothing listens there, so an instance that nobody pointed at a real engine fails fast.
    base_url = REFUSED_URL
    session_name = factory.Sequence(lambda n: f"session{n}")
    api_key = "test-api-key-0001"


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "campaigns.Tag"

    name = factory.Sequence(lambda n: f"tag{n}")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "campaigns.Contact"
        skip_postgeneration_save = True

    # Valid German mobile numbers, one per contact.
    phone = factory.Sequence(lambda n: f"+491512{n:07d}")
    name = factory.Sequence(lambda n: f"Contact {n}")

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.set(extracted)
