"""The demo clinic's patients and the story of each course, as plain data (no database).

Every date is relative to the day the demo is seeded: a course says which of its sessions falls
on which day from today (`Course(k, day)`: session k's target day is today + day), and the story
engine (patients.demo.story) works out the start that puts it there. So the same stories give a
calendar that is full around today whenever `make run` first starts.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Event:
    """An adverse event after session `number` (patients.records.adverse_events)."""

    number: int
    kind: str
    severity: str
    description: str
    serious: bool = False
    resolved: bool = True
    reviewed: bool = True
    reported_by: str = "patient"


@dataclass(frozen=True)
class Course:
    """One course of a demo patient and what became of it.

    `number` and `day`: that session's target day is today + day. `noshow`: that session's patient
    did not come (with `rebook`, the desk booked it again two days later). `cancel`: the patient
    cancelled that session three days before it. `stop_after`: the course was cancelled four days
    after that session (`reason`). `change`: the patient asked, yesterday, for another time for that
    (future) session (`note`)."""

    code: str
    number: int
    day: int
    hour: str = "10:00"
    noshow: int | None = None
    rebook: bool = False
    cancel: int | None = None
    stop_after: int | None = None
    reason: str = ""
    change: int | None = None
    note: str = ""
    events: tuple[Event, ...] = ()


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    sex: str
    born: int
    language: str
    timezone: str
    location: str  # "istanbul" or "madrid"
    courses: tuple[Course, ...] = ()
    email: bool = True
    opt_in: bool = True
    # Screening answers that are "yes" (every other question is answered "no").
    yes: tuple[str, ...] = ()
    # A doctor's override of the screening's hard stops (for these protocol codes), with its reason.
    override: str = ""
    notes: str = ""
    bounced: bool = False  # the address bounced once: the desk sees it on the patient page
    index: int = field(default=0, compare=False)


M, F = "male", "female"
IST, MAD = "istanbul", "madrid"

# Country calling code and a national number pattern per time zone: valid mobile numbers (libphonenumber).
PHONES = {
    "Europe/Istanbul": "+90532{:07d}", "Asia/Dubai": "+97150{:07d}", "Asia/Riyadh": "+96650{:07d}",
    "Asia/Kuwait": "+96599{:06d}", "Asia/Qatar": "+9743{:07d}", "Asia/Muscat": "+9689{:07d}",
    "Europe/London": "+447911{:06d}", "Europe/Dublin": "+35385{:07d}", "America/New_York": "+1212555{:04d}",
    "America/Chicago": "+1312555{:04d}", "Europe/Berlin": "+49151{:08d}", "Europe/Vienna": "+43664{:07d}",
    "Europe/Zurich": "+4179{:07d}", "Europe/Madrid": "+346{:08d}", "America/Mexico_City": "+5255{:08d}",
    "America/Bogota": "+57300{:07d}",
}


def _ascii(text: str) -> str:
    text = text.replace("ı", "i").replace("ß", "ss").replace("'", "").replace(" ", "")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def phone_of(person: Person) -> str:
    pattern = PHONES[person.timezone]
    base = {"+1212555{:04d}": 100, "+1312555{:04d}": 100, "+447911{:06d}": 123400, "+96599{:06d}": 123400}.get(
        pattern, 1234500)
    return pattern.format(base + person.index)


def email_of(person: Person) -> str:
    if not person.email:
        return ""
    return f"{_ascii(person.first_name)}.{_ascii(person.last_name)}@example.com"


_PEOPLE: list[Person] = [
    # --- Istanbul: courses completed, with their outcomes --------------------------------------------
    Person("Ahmet", "Yıldız", M, 1979, "tr", "Europe/Istanbul", IST, (
        Course("EXO-AGA-3x6W", 5, -12, "10:00", events=(
            Event(2, "headache", "mild", "Mild headache the evening after the blood draw; paracetamol helped."),)),)),
    Person("James", "Carter", M, 1984, "en", "Europe/London", IST, (Course("EXO-AGA-3x6W", 5, -26, "11:00"),),
           yes=("aspirin_or_clopidogrel",), notes="Takes low-dose aspirin; GP letter on file."),
    Person("Omar", "Al-Mansouri", M, 1981, "ar", "Asia/Dubai", IST, (
        Course("EXO-PRP-AGA", 5, -8, "12:00", events=(
            Event(1, "pain", "mild", "Tender scalp for two days after the injections."),)),)),
    Person("Zeynep", "Kaya", F, 1988, "tr", "Europe/Istanbul", IST, (Course("EXO-PRP-AGA", 5, -19, "15:00"),)),
    Person("Lukas", "Becker", M, 1990, "de", "Europe/Berlin", IST, (Course("PRP-AGA", 6, -15, "13:00"),)),
    Person("Elif", "Şahin", F, 1985, "tr", "Europe/Istanbul", IST, (Course("EXO-AGA-MSC-M", 7, -10, "16:00"),)),
    Person("Fatima", "Al-Zahrani", F, 1987, "ar", "Asia/Riyadh", IST, (Course("EXO-AGA-MSC-M", 7, -33, "11:30"),)),
    Person("Ayşe", "Erdem", F, 1983, "tr", "Europe/Istanbul", IST, (Course("PRP-TE", 6, -6, "14:00"),)),
    Person("Hakan", "Kurt", M, 1995, "tr", "Europe/Istanbul", IST, (
        Course("EXO-AA", 4, -9, "17:00", events=(
            Event(2, "swelling", "moderate", "Swelling of the forehead the next morning, gone in three days.",
                  reported_by="patient"),)),), yes=("heavy_smoking_or_drinking",)),
    Person("Khalid", "Al-Rashid", M, 1976, "ar", "Asia/Kuwait", IST, (
        Course("EXO-AGA-3x6W", 5, -40, "09:30"), Course("EXO-ROSE-MAINT", 1, -20, "10:30"))),
    # --- Istanbul: a session today --------------------------------------------------------------------
    Person("Mustafa", "Çelik", M, 1982, "tr", "Europe/Istanbul", IST, (Course("EXO-AGA-3x6W", 2, 0, "10:00"),)),
    Person("Sarah", "Collins", F, 1986, "en", "Europe/Dublin", IST, (Course("EXO-AGA-MN", 3, 0, "11:30"),)),
    Person("Yousef", "Haddad", M, 1989, "ar", "Asia/Dubai", IST, (Course("EXO-PRP-AGA", 1, 0, "14:00"),)),
    Person("Burak", "Öztürk", M, 1991, "tr", "Europe/Istanbul", IST, (Course("PRP-AGA", 4, 0, "16:00"),)),
    Person("Jonas", "Wagner", M, 1987, "de", "Europe/Berlin", IST, (Course("EXO-ROSE-POSTOP", 2, 0, "12:00"),),
           notes="FUE, 2,800 grafts, frontal hairline."),
    Person("Derya", "Yavuz", F, 1990, "tr", "Europe/Istanbul", IST, (Course("EXO-AGA-MSC-M", 4, 0, "09:30"),)),
    Person("Omar", "Farouk", M, 1993, "ar", "Asia/Qatar", IST, (Course("EXO-AGA-3x6W", 3, 0, "17:30"),)),
    # --- Istanbul: courses under way ------------------------------------------------------------------
    Person("Can", "Doğan", M, 1993, "tr", "Europe/Istanbul", IST, (
        Course("EXO-AGA-3x6W", 3, 3, "10:30", change=3, note="İş seyahatim var, bir hafta sonraya alabilir miyiz?"),)),
    Person("Oliver", "Hughes", M, 1980, "en", "Europe/London", IST, (Course("EXO-ROSE-POSTOP", 1, -50, "11:00"),),
           notes="DHI, 3,200 grafts, crown and hairline."),
    Person("Abdullah", "Al-Otaibi", M, 1985, "ar", "Asia/Riyadh", IST, (
        Course("EXO-ROSE-POSTOP", 1, -100, "13:00", events=(
            Event(1, "infection", "severe", "Folliculitis in the recipient area; admitted for two days of IV "
                  "antibiotics at the surgeon's hospital.", serious=True, reported_by="staff"),)),)),
    Person("Mariam", "Al-Suwaidi", F, 1992, "ar", "Asia/Dubai", IST, (Course("EXO-AGA-MN", 2, 2, "12:30"),)),
    Person("Gökhan", "Polat", M, 1978, "tr", "Europe/Istanbul", IST, (Course("EXO-ROSE-MAINT", 2, 1, "15:30"),)),
    Person("Emily", "Watson", F, 1983, "en", "America/New_York", IST, (Course("EXO-AGA-MSC-M", 3, -1, "10:00"),)),
    Person("Serkan", "Aksoy", M, 1988, "tr", "Europe/Istanbul", IST, (Course("EXO-PRP-AGA", 4, -3, "17:00"),)),
    Person("Andrés", "Jiménez", M, 1986, "es", "America/Bogota", IST, (Course("EXO-AGA-3x6W", 4, 1, "14:30"),)),
    Person("Felix", "Hoffmann", M, 1994, "de", "Europe/Vienna", IST, (Course("PRP-AGA", 2, 4, "11:00"),)),
    Person("Noura", "Al-Hashimi", F, 1990, "ar", "Asia/Qatar", IST, (
        Course("PRP-TE", 3, 9, "13:30", change=3, note="أفضّل موعدًا صباحيًا إن أمكن، أصل إلى إسطنبول يوم الاثنين."),)),
    Person("Oğuz", "Tekin", M, 1984, "tr", "Europe/Istanbul", IST, (
        Course("EXO-AGA-MN", 4, 7, "16:30", events=(
            Event(2, "redness", "mild", "Redness after microneedling, as expected; settled overnight.",
                  reported_by="staff"),)),)),
    Person("Kerem", "Bulut", M, 1996, "tr", "Europe/Istanbul", IST, (Course("EXO-AA", 2, 2, "18:00"),)),
    # --- Istanbul: missed and cancelled sessions (on "To chase") --------------------------------------
    Person("Cem", "Güneş", M, 1989, "tr", "Europe/Istanbul", IST, (Course("EXO-AGA-3x6W", 2, -4, "12:00", noshow=2),)),
    Person("Daniel", "Murphy", M, 1982, "en", "Europe/London", IST, (
        Course("EXO-PRP-AGA", 2, -20, "10:30", noshow=2, rebook=True),)),
    Person("Tolga", "Uçar", M, 1991, "tr", "Europe/Istanbul", IST, (Course("PRP-AGA", 3, 2, "15:00", cancel=3),)),
    Person("Ibrahim", "Nasser", M, 1980, "ar", "Asia/Dubai", IST, (Course("EXO-AGA-MSC-M", 3, -2, "11:00", noshow=3),)),
    # --- Istanbul: courses cancelled ------------------------------------------------------------------
    Person("Thomas", "Müller", M, 1979, "de", "Europe/Berlin", IST, (
        Course("EXO-PRP-AGA", 1, -60, "14:00", stop_after=2,
               reason="Moved back to Germany: continues with a clinic near home."),)),
    Person("Hamad", "Al-Kaabi", M, 1987, "ar", "Asia/Dubai", IST, (
        Course("EXO-AGA-3x6W", 1, -30, "16:00", stop_after=1, reason="Work posting abroad for six months."),)),
    # --- Istanbul: booked, first session to come ------------------------------------------------------
    Person("Mert", "Şimşek", M, 1997, "tr", "Europe/Istanbul", IST, (Course("PRP-AGA", 1, 3, "18:00"),)),
    Person("Sophie", "Bennett", F, 1991, "en", "Europe/London", IST, (Course("EXO-AGA-MSC-M", 1, 8, "12:00"),)),
    Person("Ali", "Al-Farsi", M, 1983, "ar", "Asia/Muscat", IST, (Course("EXO-AGA-3x6W", 1, 6, "10:00"),),
           email=False, notes="No email: call or message on WhatsApp."),
    Person("Leyla", "Kılıç", F, 1994, "tr", "Europe/Istanbul", IST, (Course("EXO-AGA-MN", 1, 11, "14:00"),)),
    Person("Saeed", "Al-Mazrouei", M, 1978, "ar", "Asia/Dubai", IST, (Course("EXO-ROSE-POSTOP", 1, 1, "11:00"),),
           notes="FUE planned for tomorrow at the partner surgery."),
    Person("Michael", "Brennan", M, 1975, "en", "America/Chicago", IST, (Course("PRP-AGA", 1, 10, "15:00"),),
           yes=("strong_anticoagulant",),
           override="Cardiologist's letter on file: rivaroxaban paused 48 hours before each PRP session."),
    # --- Istanbul: registered, waiting for a doctor ---------------------------------------------------
    Person("Nilay", "Eren", F, 1990, "tr", "Europe/Istanbul", IST, (), yes=("pregnant_or_breastfeeding",),
           notes="Breastfeeding; wants to start in the spring."),
    Person("Peter", "Lang", M, 1972, "de", "Europe/Zurich", IST, (Course("PRP-AGA", 2, 6, "09:30"),), opt_in=False,
           notes="Asked for no reminder emails."),
    # --- Madrid ---------------------------------------------------------------------------------------
    Person("Javier", "García", M, 1980, "es", "Europe/Madrid", MAD, (
        Course("EXO-AGA-3x6W", 5, -14, "10:00"), Course("EXO-ROSE-MAINT", 1, -7, "17:00"))),
    Person("Carmen", "López", F, 1986, "es", "Europe/Madrid", MAD, (Course("PRP-TE", 6, -22, "11:00"),)),
    Person("Pablo", "Martínez", M, 1983, "es", "Europe/Madrid", MAD, (
        Course("PRP-AGA", 6, -7, "12:00", events=(
            Event(2, "bruising", "mild", "Small bruise at the vertex, gone in a week."),)),)),
    Person("Marta", "Ruiz", F, 1989, "es", "Europe/Madrid", MAD, (Course("PRP-AGA", 6, -30, "16:00"),)),
    Person("Stefan", "Krüger", M, 1977, "de", "Europe/Berlin", MAD, (Course("EXO-PRP-AGA", 5, -17, "17:00"),)),
    Person("Sergio", "Navarro", M, 1992, "es", "Europe/Madrid", MAD, (Course("EXO-AA", 4, -11, "18:00"),)),
    Person("Diego", "Romero", M, 1985, "es", "Europe/Madrid", MAD, (Course("EXO-PRP-AGA", 2, 0, "10:00"),)),
    Person("Isabel", "Torres", F, 1988, "es", "Europe/Madrid", MAD, (Course("PRP-TE", 3, 0, "12:00"),)),
    Person("Anna", "Schneider", F, 1991, "de", "Europe/Berlin", MAD, (Course("EXO-ROSE-MAINT", 1, 0, "17:00"),)),
    Person("Alejandro", "Fernández", M, 1979, "es", "America/Mexico_City", MAD, (
        Course("EXO-AGA-3x6W", 3, 0, "18:00"),)),
    Person("William", "Foster", M, 1990, "en", "Europe/London", MAD, (Course("PRP-AGA", 3, 2, "11:00"),)),
    Person("Katrin", "Weber", F, 1984, "de", "Europe/Berlin", MAD, (
        Course("PRP-TE", 2, 5, "16:30", change=2, note="Könnten wir den Termin auf den Nachmittag verlegen?"),)),
    Person("Raúl", "Ortega", M, 1987, "es", "Europe/Madrid", MAD, (Course("EXO-ROSE-POSTOP", 1, -35, "13:00"),),
           notes="FUE, 2,400 grafts."),
    Person("Tobias", "Schulz", M, 1993, "de", "Europe/Zurich", MAD, (Course("EXO-AGA-3x6W", 2, -1, "10:30"),)),
    Person("Laura", "Sánchez", F, 1995, "es", "Europe/Madrid", MAD, (
        Course("EXO-AA", 3, 1, "19:00", events=(
            Event(2, "allergic_reaction", "moderate", "Itchy rash on the scalp and neck two days after; "
                  "seen in the emergency department, antihistamines.", serious=True, resolved=False,
                  reviewed=False),)),)),
    Person("Hugo", "Vidal", M, 1988, "es", "Europe/Madrid", MAD, (Course("EXO-PRP-AGA", 3, -3, "17:30", noshow=3),)),
    Person("Elena", "Castro", F, 1982, "es", "Europe/Madrid", MAD, (Course("PRP-TE", 4, 1, "12:30", cancel=4),),
           bounced=True),
    Person("Hannah", "Fischer", F, 1986, "de", "Europe/Berlin", MAD, (
        Course("PRP-AGA", 1, -75, "18:30", stop_after=2, reason="Pregnant: all treatment paused."),)),
    Person("Adrián", "Gil", M, 1996, "es", "Europe/Madrid", MAD, (Course("PRP-AGA", 1, -2, "13:00"),)),
    Person("Rocío", "Herrera", F, 1990, "es", "Europe/Madrid", MAD, (Course("EXO-PRP-AGA", 1, 11, "10:30"),)),
]

PEOPLE: list[Person] = [Person(**{**person.__dict__, "index": index}) for index, person in enumerate(_PEOPLE, 1)]
