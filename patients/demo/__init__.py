"""The demo clinic's patients and their history (`manage.py seed_demo`, through seed_demo_patients).

people.py holds the patients and the story of each course as data, clinical.py what the treatment
room gives and measures, story.py plays the story through the services, counts.py says what the
demo holds.
"""
