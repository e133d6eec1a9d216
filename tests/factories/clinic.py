import factory

from clinic.models import Closure, Location, Practitioner, Room

__all__ = ["LocationFactory", "PractitionerFactory", "RoomFactory", "ClosureFactory", "WEEKDAYS_9_TO_18"]

WEEKDAYS_9_TO_18 = [{"weekday": d, "opens": "09:00", "closes": "18:00"} for d in range(5)]


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Clinic {n}")
    address = "Nişantaşı, Istanbul"
    timezone = "Europe/Istanbul"
    country = "TR"
    opening_hours = factory.LazyFunction(lambda: list(WEEKDAYS_9_TO_18))


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    name = factory.Sequence(lambda n: f"Dr. Practitioner {n}")
    email = factory.Sequence(lambda n: f"practitioner{n}@clinic.test")
    location = factory.SubFactory(LocationFactory)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"Room {n}")
    location = factory.SubFactory(LocationFactory)


class ClosureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Closure

    location = factory.SubFactory(LocationFactory)
    reason = "Staff training"
