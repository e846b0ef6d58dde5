//! An account's defaults (what the Create form preselects, what the CLI's create falls back
//! to), and saving them after the same checks a create makes.

use super::{Fleet, blocking};
use crate::accounts::{self, AccountDefaults, AccountDetails, AccountId};
use crate::error::{Error, Result};
use crate::settings::SettingsFile;
use crate::usecases::create::preflight::check_defaults;

/// Saves the defaults of `account_id` (region, plan, image, SSH keys, DNS zone) after
/// checking each against the account's live catalogs with the create's pre-flight checks.
/// The project is kept. The caller reloads its fleet to use them.
pub async fn save_defaults(
    fleet: &Fleet,
    file: &SettingsFile,
    account_id: &str,
    defaults: AccountDefaults,
) -> Result<AccountDefaults> {
    let (account, client) = fleet.client(account_id)?;
    if account.simulated {
        return Err(Error::validation(
            "The demo accounts' defaults are built in; add an account to set your own.",
        ));
    }
    let current = account.defaults.clone();
    check_defaults(
        client.as_ref(),
        &AccountDefaults {
            project: current.project,
            ..defaults.clone()
        },
    )
    .await?;
    let file = file.clone();
    let id = account_id.to_owned();
    blocking(move || save_defaults_in(&file, &id, defaults)).await
}

/// Writes `defaults` to the account `account_id` in `file`, keeping its label, base URL and
/// project.
pub fn save_defaults_in(
    file: &SettingsFile,
    account_id: &str,
    defaults: AccountDefaults,
) -> Result<AccountDefaults> {
    let id = AccountId::from(account_id);
    let current = accounts::get_account(file, &id)?;
    let details = AccountDetails {
        label: current.label,
        provider: current.provider,
        base_url: current.base_url,
        defaults: AccountDefaults {
            project: current.defaults.project,
            ..defaults
        },
    };
    Ok(accounts::update_account(file, &id, details)?.defaults)
}
