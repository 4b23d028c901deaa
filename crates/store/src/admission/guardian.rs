//! The public side of admission: one-time codes, guardian sessions, the outbox, submitting and
//! editing an application and its documents.
