//! One module per subcommand. Each resolves what it needs from the [`Context`](crate::context)
//! and calls the core's use cases; across accounts it uses the core's fan-out.

pub mod check;
pub mod create;
pub mod destroy;
pub mod dns;
pub mod domains;
pub mod firewall;
pub mod info;
pub mod list;
pub mod list_domain;
pub mod names;
pub mod protect;
pub mod rebuild;
pub mod rename;
pub mod resize;
pub mod snapshot;
pub mod status;
pub mod tag;
