from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients and courses"

    def ready(self) -> None:
        from anymail.signals import tracking

        from clinic.audit import history_reader_register

        from .delivery import on_tracking
        from .services import patient_history_read

        # Delivery events from the sending service's webhook (anymail) update the reminder rows.
        tracking.connect(on_tracking, dispatch_uid="patients.delivery.on_tracking")

        # The history page of a patient's record, screening or session is a read of their data.
        history_reader_register(self.label, patient_history_read)
