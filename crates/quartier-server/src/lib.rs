//! The HTTP server and CLI glue of Quartier (in progress).
