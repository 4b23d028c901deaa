//! The staff side of admission: the verification queue, document review, requests for
//! correction, priority groups, the import of grade-10 exam scores.
