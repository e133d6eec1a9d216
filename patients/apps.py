from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients and courses"

    def ready(self) -> None:
        from anymail.signals import tracking

        from clinic.audit import history_reader_register
        from clinic.selectors import closure_sessions_reader_register
        from patients.booking.selectors import sessions_affected_by_closure
        from patients.consent.starter import consent_starter_install
        from patients.registry.services import patient_history_read
        from patients.reminders.delivery import on_tracking
        from protocols.starter import starter_extra_register

        # Delivery events from the sending service's webhook (anymail) update the reminder rows.
        tracking.connect(on_tracking, dispatch_uid="patients.reminders.delivery.on_tracking")

        # The history page of a patient's record, screening or session is a read of their data.
        history_reader_register(self.label, patient_history_read)
        # A closure's page and API list the booked sessions it overlaps.
        closure_sessions_reader_register(sessions_affected_by_closure)
        # load_starter_protocols installs the starter consent documents with the protocols.
        starter_extra_register("consent documents", consent_starter_install)
