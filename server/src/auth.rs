//! Credentials: Argon2id password hashes, opaque bearer tokens stored only as SHA-256 hashes,
//! and a limit on failed logins.

use argon2::password_hash::phc::PasswordHash;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Hashes a password with Argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches a stored hash (false for a malformed hash).
pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random token (256 bits, hex) to hand to the client once.
pub fn new_token() -> String {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).expect("the OS random generator is available");
    hex(&buf)
}

/// What is stored for a token: its SHA-256, so a database leak yields no usable tokens.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Counts failed logins per login name in a sliding window and refuses further tries past a limit.
#[derive(Debug)]
pub struct LoginLimiter {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    /// At most `max_failures` failed attempts per login within `window`.
    pub fn new(max_failures: u32, window: Duration) -> Self {
        Self {
            max_failures,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    fn key(login: &str) -> String {
        login.trim().to_lowercase()
    }

    /// Whether another attempt for `login` may be made now.
    pub fn allows(&self, login: &str) -> bool {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(&Self::key(login)) {
            Some(&(n, since)) => n < self.max_failures || since.elapsed() > self.window,
            None => true,
        }
    }

    /// Records a failed attempt.
    pub fn failed(&self, login: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let entry = map.entry(Self::key(login)).or_insert((0, Instant::now()));
        if entry.1.elapsed() > self.window {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
    }

    /// Forgets the failures of a login that succeeded.
    pub fn succeeded(&self, login: &str) {
        self.failures
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&Self::key(login));
    }
}

impl Default for LoginLimiter {
    /// Five failures per quarter hour.
    fn default() -> Self {
        Self::new(5, Duration::from_secs(15 * 60))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("正确的密码-123").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("正确的密码-123", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn the_limiter_blocks_after_the_limit_and_resets_on_success() {
        let l = LoginLimiter::new(2, Duration::from_secs(60));
        assert!(l.allows("Admin"));
        l.failed("admin");
        l.failed(" ADMIN ");
        assert!(!l.allows("admin"));
        assert!(l.allows("other"));
        l.succeeded("admin");
        assert!(l.allows("admin"));
        let short = LoginLimiter::new(1, Duration::from_millis(1));
        short.failed("x");
        std::thread::sleep(Duration::from_millis(5));
        assert!(short.allows("x"));
    }
}
