//! The emulator's error type.

/// Why an emulator could not be configured or started.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The seed YAML could not be parsed.
    #[error("the emulator seed is not valid YAML for a seed: {0}")]
    SeedYaml(#[from] serde_yaml_ng::Error),
    /// The seed parsed but names something that does not exist (e.g. an unknown region).
    #[error("the emulator seed is inconsistent: {0}")]
    SeedInvalid(String),
    /// A listener could not be bound.
    #[error("the emulator could not listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
}
