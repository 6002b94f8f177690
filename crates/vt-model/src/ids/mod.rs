//! Identifiers that validate on construction.
