//! `Sensitive<T>`: a value that must never be printed, logged or sent over IPC by accident.
//!
//! `Debug` and `Display` print `<redacted>`; the value is read with [`Sensitive::expose`].
//! `Serialize` is deliberately NOT implemented, so a `Sensitive` field cannot end up in a JSON
//! answer to the UI or in `wxopen --json` output without an explicit `expose()`. The value is
//! zeroed when dropped, so a token does not linger in freed memory (a core dump, swap).

use std::fmt;

use zeroize::Zeroize;

/// A secret or token. Read it with [`expose`](Sensitive::expose); printing it shows `<redacted>`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Sensitive<T: Zeroize>(T);

impl<T: Zeroize> Drop for Sensitive<T> {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl<T: Zeroize> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The value itself. Every call site is a place where the secret leaves the wrapper.
    pub fn expose(&self) -> &T {
        &self.0
    }

    /// The value, out of the wrapper (which is left empty; the caller now owns the secret).
    pub fn into_inner(mut self) -> T
    where
        T: Default,
    {
        std::mem::take(&mut self.0)
    }
}

impl<T: Zeroize> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Sensitive(value)
    }
}

impl From<&str> for Sensitive<String> {
    fn from(value: &str) -> Self {
        Sensitive(value.to_string())
    }
}

impl<T: Zeroize> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl<T: Zeroize> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_redact() {
        let s = Sensitive::new("hunter2-secret".to_string());
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{s}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
        assert_eq!(s.expose(), "hunter2-secret");
        assert_eq!(s.clone(), s);
    }

    #[test]
    fn the_value_is_zeroed_on_drop() {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;
        /// Records that it was zeroed.
        struct Probe(Arc<AtomicBool>);
        impl Zeroize for Probe {
            fn zeroize(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let zeroed = Arc::new(AtomicBool::new(false));
        let s = Sensitive::new(Probe(zeroed.clone()));
        assert!(!zeroed.load(Ordering::SeqCst));
        drop(s);
        assert!(
            zeroed.load(Ordering::SeqCst),
            "dropping a Sensitive zeroes its value"
        );
        // into_inner hands the value over whole (the emptied wrapper is what gets zeroed).
        assert_eq!(Sensitive::new("x".to_string()).into_inner(), "x");
    }
}
