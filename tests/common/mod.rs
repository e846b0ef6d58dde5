//! Helpers shared by integration tests. Each test binary uses only some of them.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Mutex;

use hangar::config_error::ConfigError;
use hangar::secrets::{SecretStore, Token};
use secrecy::ExposeSecret;

/// Records tokens in memory; can be told to fail after N writes. (Not every test binary that
/// includes this module uses it.)
#[allow(dead_code)]
#[derive(Default)]
pub struct MemoryStore {
    pub tokens: Mutex<HashMap<String, String>>,
    pub fail_on_write: Mutex<Option<usize>>,
}

impl SecretStore for MemoryStore {
    fn store_name(&self) -> String {
        "memory".into()
    }
    fn set_token(&self, id: &str, token: &Token) -> Result<(), ConfigError> {
        let mut fail = self.fail_on_write.lock().unwrap();
        if let Some(n) = fail.as_mut() {
            if *n == 0 {
                return Err(ConfigError::KeychainUnavailable {
                    store: "memory".into(),
                    detail: "down".into(),
                    hint: "",
                });
            }
            *n -= 1;
        }
        self.tokens
            .lock()
            .unwrap()
            .insert(id.into(), token.expose_secret().into());
        Ok(())
    }
    fn token(&self, id: &str) -> Result<Option<Token>, ConfigError> {
        Ok(self
            .tokens
            .lock()
            .unwrap()
            .get(id)
            .cloned()
            .map(Token::from))
    }
    fn delete_token(&self, id: &str) -> Result<bool, ConfigError> {
        Ok(self.tokens.lock().unwrap().remove(id).is_some())
    }
}
