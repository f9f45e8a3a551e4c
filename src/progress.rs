//! Progress of long sweeps, reported to whoever installed a hook (the CLI
//! draws it as the message of its progress bar). Library code calls
//! [`tick`]; without a hook it does nothing, and it never prints.

use std::sync::{Mutex, OnceLock};

type Hook = Box<dyn Fn(&str) + Send + Sync>;

fn hook() -> &'static Mutex<Option<Hook>> {
    static HOOK: OnceLock<Mutex<Option<Hook>>> = OnceLock::new();
    HOOK.get_or_init(|| Mutex::new(None))
}

/// Installs the hook that receives progress messages (replacing any other).
pub fn set_hook(f: impl Fn(&str) + Send + Sync + 'static) {
    *hook().lock().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(f));
}

/// Removes the hook.
pub fn clear_hook() {
    *hook().lock().unwrap_or_else(|e| e.into_inner()) = None;
}

/// Reports a step of a long sweep (e.g. `"T1: n = 256, beta = 16"`).
pub fn tick(msg: &str) {
    if let Some(f) = hook().lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
        f(msg);
    }
}
