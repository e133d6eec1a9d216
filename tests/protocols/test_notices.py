"""The planner's warnings: English text as before, shown in the reader's language by the booking side."""

from django.utils import translation

from protocols.planning import Notice, gettext_noop
from protocols.texts import notice_text

MOVED = gettext_noop("Session %(number)s is on %(day)s, %(days)s after its target day %(target)s.")


def moved(days: int) -> Notice:
    return Notice(MOVED, number=2, day="2027-03-05", days=days, target="2027-03-04")


def test_a_notice_is_its_english_text():
    assert moved(1) == "Session 2 is on 2027-03-05, 1 day after its target day 2027-03-04."
    assert moved(3) == "Session 2 is on 2027-03-05, 3 days after its target day 2027-03-04."


def test_the_booking_side_shows_it_in_the_readers_language():
    with translation.override("tr"):
        assert notice_text(moved(1)) == "2. seans 2027-03-05 tarihinde, hedef günü 2027-03-04 tarihinden 1 gün sonra."
    with translation.override("de"):
        assert notice_text(moved(3)) == "Sitzung 2 ist am 2027-03-05, 3 Tage nach ihrem Zieltag 2027-03-04."
    with translation.override("ar"):
        assert "يومين" in notice_text(moved(2))  # Arabic's dual
    with translation.override("en"):
        assert notice_text(moved(3)) == moved(3)


def test_a_warning_that_is_already_a_sentence_passes_as_it_is():
    with translation.override("tr"):
        assert notice_text("Zaten Türkçe.") == "Zaten Türkçe."
