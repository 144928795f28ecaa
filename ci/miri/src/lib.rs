//! Empty: this package only carries test targets for Miri.
