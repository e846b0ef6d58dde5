//! API tokens and where they live: only in the operating system's keychain.
//!
//! - macOS: the login Keychain; Windows: the Credential Manager; Linux and the BSDs: the
//!   Secret Service (GNOME Keyring, KeePassXC, KWallet's Secret Service bridge) over D-Bus.
//! - Entries use the service [`KEYCHAIN_SERVICE`] and the account id as the user name. With
//!   the Secret Service the item carries the attributes `service`, `username` and `target`
//!   (`default`), so `secret-tool lookup service app.hangar.desktop username <id>` finds it.
//! - A token is a [`Token`] (`secrecy::SecretString`): its `Debug` prints a placeholder, it
//!   has no `Display` and no `Serialize`. The UI learns only a [`SecretStatus`].
//! - When no keychain can be reached, saving fails with a message saying what to install or
//!   start. There is no plain-text fallback.
//!
//! [`SecretStore`] is the seam between account logic and the keychain, so that logic can be
//! tested without one; [`KeyringStore`] is the implementation the app uses.
//!
//! The calls block. On Linux the Secret Service client (zbus) blocks on its own runtime and
//! would panic when called on a Tokio runtime thread, so [`KeyringStore`] runs each call on a
//! short-lived plain thread when it finds itself inside a runtime. Async code should still
//! prefer `tokio::task::spawn_blocking`, which does not hold up a runtime worker.

use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::about::APP_IDENTIFIER;
use crate::config_error::ConfigError;

/// The keychain service name of every Hangar token.
pub const KEYCHAIN_SERVICE: &str = APP_IDENTIFIER;

/// An API token. Its `Debug` output is redacted; reading it takes `expose_secret()`.
///
/// It does not implement `Serialize` (secrecy's `serde` feature is off), so no type the UI
/// receives can hold one: such a type would not compile.
///
/// ```compile_fail
/// fn sent_to_the_ui<T: serde::Serialize>() {}
/// sent_to_the_ui::<hangar::secrets::Token>();
/// ```
///
/// ```
/// fn sent_to_the_ui<T: serde::Serialize>() {}
/// sent_to_the_ui::<hangar::secrets::SecretStatus>();
/// ```
pub type Token = SecretString;

/// What the UI may know about an account's token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct SecretStatus {
    /// A token is stored (keychain) or available (environment variable).
    pub stored: bool,
    /// The last four characters, only for tokens of at least [`MIN_LEN_FOR_LAST4`] characters.
    pub last4: Option<String>,
    /// Where the token is kept, e.g. "Secret Service" or "environment variable DO_TOKEN".
    pub store_name: String,
}

/// Shorter tokens show no characters at all in [`SecretStatus`].
pub const MIN_LEN_FOR_LAST4: usize = 16;

impl SecretStatus {
    /// Status of a token that may or may not be present in `store_name`.
    pub fn of(token: Option<&Token>, store_name: impl Into<String>) -> Self {
        let last4 = token.and_then(|t| {
            let chars: Vec<char> = t.expose_secret().chars().collect();
            (chars.len() >= MIN_LEN_FOR_LAST4).then(|| chars[chars.len() - 4..].iter().collect())
        });
        Self {
            stored: token.is_some(),
            last4,
            store_name: store_name.into(),
        }
    }
}

/// Checks a token typed or pasted by a user and trims surrounding whitespace. Errors never
/// quote the token.
pub fn normalize_token(token: &Token) -> Result<Token, ConfigError> {
    let trimmed = token.expose_secret().trim();
    if trimmed.is_empty() {
        return Err(ConfigError::invalid("token", "the token is empty"));
    }
    if trimmed.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ConfigError::invalid(
            "token",
            "the token contains spaces or control characters; paste only the token itself",
        ));
    }
    Ok(SecretString::from(trimmed.to_owned()))
}

/// Where tokens are kept, one per account id.
pub trait SecretStore: Send + Sync {
    /// A human name for the store, e.g. "Secret Service".
    fn store_name(&self) -> String;
    /// Creates or replaces the token of `account_id`.
    fn set_token(&self, account_id: &str, token: &Token) -> Result<(), ConfigError>;
    /// The token of `account_id`, or `None` when none is stored.
    fn token(&self, account_id: &str) -> Result<Option<Token>, ConfigError>;
    /// Deletes the token of `account_id`; `Ok(false)` when there was none.
    fn delete_token(&self, account_id: &str) -> Result<bool, ConfigError>;
}

/// The operating system's keychain, through the `keyring` crate.
#[derive(Debug, Clone, Default)]
pub struct KeyringStore {
    _private: (),
}

impl KeyringStore {
    pub fn new() -> Self {
        Self::default()
    }

    #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
    fn entry(&self, account_id: &str) -> Result<keyring::Entry, ConfigError> {
        // Built explicitly so that the Secret Service is used, never another default store.
        let credential = keyring::secret_service::SsCredential::new_with_target(
            None,
            KEYCHAIN_SERVICE,
            account_id,
        )
        .map_err(|e| self.map_error(e))?;
        Ok(keyring::Entry::new_with_credential(Box::new(credential)))
    }

    #[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd")))]
    fn entry(&self, account_id: &str) -> Result<keyring::Entry, ConfigError> {
        keyring::Entry::new(KEYCHAIN_SERVICE, account_id).map_err(|e| self.map_error(e))
    }

    fn map_error(&self, error: keyring::Error) -> ConfigError {
        use keyring::Error as E;
        let store = self.store_name();
        match error {
            E::NoStorageAccess(e) | E::PlatformFailure(e) => ConfigError::KeychainUnavailable {
                store,
                detail: e.to_string(),
                hint: INSTALL_HINT,
            },
            // The bytes of a badly encoded value are the secret itself: never show them.
            E::BadEncoding(_) => ConfigError::Keychain {
                store,
                detail: "the stored token is not valid UTF-8; save the token again".into(),
            },
            E::TooLong(attr, max) => ConfigError::Keychain {
                store,
                detail: format!("`{attr}` is longer than the keychain allows ({max})"),
            },
            E::Invalid(attr, reason) => ConfigError::Keychain {
                store,
                detail: format!("invalid {attr}: {reason}"),
            },
            E::Ambiguous(items) => ConfigError::Keychain {
                store,
                detail: format!(
                    "{} keychain items match this account; delete the duplicates in your keychain app",
                    items.len()
                ),
            },
            E::NoEntry => ConfigError::Keychain {
                store,
                detail: "no such entry".into(),
            },
            other => ConfigError::Keychain {
                store,
                detail: other.to_string(),
            },
        }
    }
}

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
const STORE_NAME: &str = "Secret Service";
#[cfg(target_os = "macos")]
const STORE_NAME: &str = "macOS Keychain";
#[cfg(target_os = "windows")]
const STORE_NAME: &str = "Windows Credential Manager";
#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "windows"
)))]
const STORE_NAME: &str = "system keychain";

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
const INSTALL_HINT: &str = "Install and start a Secret Service provider: GNOME Keyring \
    (package `gnome-keyring`) or KeePassXC with \"Secret Service integration\" enabled, unlock it, \
    and run Hangar inside a desktop session with a D-Bus session bus (DBUS_SESSION_BUS_ADDRESS).";
#[cfg(target_os = "macos")]
const INSTALL_HINT: &str = "Unlock your login keychain in Keychain Access and try again.";
#[cfg(target_os = "windows")]
const INSTALL_HINT: &str = "Make sure the Windows Credential Manager service is running.";
#[cfg(not(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "macos",
    target_os = "windows"
)))]
const INSTALL_HINT: &str = "This platform has no supported keychain.";

/// Runs `f` here, or on a plain thread when this thread drives a Tokio runtime.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|scope| match scope.spawn(f).join() {
        Ok(value) => value,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

impl SecretStore for KeyringStore {
    fn store_name(&self) -> String {
        STORE_NAME.to_owned()
    }

    fn set_token(&self, account_id: &str, token: &Token) -> Result<(), ConfigError> {
        off_runtime(|| {
            self.entry(account_id)?
                .set_password(token.expose_secret())
                .map_err(|e| self.map_error(e))
        })
    }

    fn token(&self, account_id: &str) -> Result<Option<Token>, ConfigError> {
        off_runtime(|| match self.entry(account_id)?.get_password() {
            Ok(password) => Ok(Some(SecretString::from(password))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.map_error(e)),
        })
    }

    fn delete_token(&self, account_id: &str) -> Result<bool, ConfigError> {
        off_runtime(|| match self.entry(account_id)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(self.map_error(e)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_shows_last_four_only_of_long_tokens() {
        let long = SecretString::from("dop_v1_0123456789abcdefWXYZ".to_owned());
        let s = SecretStatus::of(Some(&long), "Secret Service");
        assert!(s.stored);
        assert_eq!(s.last4.as_deref(), Some("WXYZ"));
        let short = SecretString::from("abcdefgh".to_owned());
        assert_eq!(SecretStatus::of(Some(&short), "x").last4, None);
        assert_eq!(
            SecretStatus::of(None, "x"),
            SecretStatus {
                stored: false,
                last4: None,
                store_name: "x".into()
            }
        );
    }

    #[test]
    fn token_debug_is_redacted() {
        let t = SecretString::from("supersecret-token-value".to_owned());
        let shown = format!("{t:?}");
        assert!(!shown.contains("supersecret"), "{shown}");
    }

    #[test]
    fn normalize_trims_and_rejects_without_quoting() {
        let t = normalize_token(&SecretString::from("  abc123  \n".to_owned())).unwrap();
        assert_eq!(t.expose_secret(), "abc123");
        let err = normalize_token(&SecretString::from("abc 123secret".to_owned())).unwrap_err();
        assert!(!err.to_string().contains("123secret"));
        assert!(normalize_token(&SecretString::from("   ".to_owned())).is_err());
    }
}
