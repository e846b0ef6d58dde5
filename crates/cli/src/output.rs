//! Printing: one line at a time to stdout, and the answers of several accounts as each
//! arrives.

use std::future::Future;
use std::io::Write;
use std::sync::Arc;

use serde_json::Value;

use crate::context::Context;
use hangar::error::{Error, ErrorKind, Result};
use hangar::fleet::{LiveAccount, PerAccount, fan_out};
use hangar::provider::CloudProvider;

/// One line on stdout.
pub fn out(line: impl AsRef<str>) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "{}", line.as_ref());
}

/// A JSON value as one line on stdout.
pub fn out_json(value: &impl serde::Serialize) {
    out(serde_json::to_string(value).unwrap_or_default());
}

/// `[label] line` when several accounts print, else `line`.
pub fn tagged(ctx: &Context, account_id: &str, many: bool, line: &str) -> String {
    if many {
        format!("[{}] {line}", ctx.label(account_id))
    } else {
        line.to_owned()
    }
}

/// How a command prints one account's result: its lines, given the account's id.
pub type PrintOne<'a, T> = &'a (dyn Fn(&str, &T) + Send + Sync);

/// Prints one account's answer: its lines through `print`; across accounts, its error on
/// stderr (a single account's error is the command's own, returned by [`finish`]).
pub fn show<T>(ctx: &Context, many: bool, answer: &PerAccount<T>, print: PrintOne<'_, T>) {
    match answer.outcome() {
        Ok(value) => print(&answer.account_id, value),
        Err(e) if many => eprintln!("Error: {}: {}", ctx.label(&answer.account_id), e.message),
        Err(_) => {}
    }
}

/// Runs `job` on the selected account, or on every account (`many`) at once. With `stream`,
/// each account's answer is printed ([`show`]) as soon as it arrives, so a slow account
/// holds up no other; without it (JSON, or a check across all answers) nothing is printed.
pub async fn across<'a, T, F, Fut>(
    ctx: &'a Context,
    many: bool,
    stream: bool,
    job: F,
    print: PrintOne<'_, T>,
) -> Vec<PerAccount<T>>
where
    F: Fn(&'a LiveAccount, Arc<dyn CloudProvider>) -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let on_each = |answer: &PerAccount<T>| {
        if stream {
            show(ctx, many, answer, print);
        }
    };
    fan_out(
        ctx.accounts(many).into_iter().map(|account| (account, ())),
        |account, client, ()| job(account, client),
        &on_each,
    )
    .await
}

/// Every answer's JSON items, each with the `account` it came from.
pub fn json_with_account<T>(
    ctx: &Context,
    answers: &[PerAccount<T>],
    items: impl Fn(&T) -> Vec<Value>,
) -> Value {
    let mut all = Vec::new();
    for answer in answers {
        if let Ok(value) = answer.outcome() {
            for mut item in items(value) {
                if let Value::Object(map) = &mut item {
                    map.insert("account".into(), ctx.label(&answer.account_id).into());
                }
                all.push(item);
            }
        }
    }
    Value::Array(all)
}

/// The answers' result: the single account's error as it is; with several accounts, a
/// partial failure naming those that failed (their errors were printed as they came).
pub fn finish<T>(ctx: &Context, answers: Vec<PerAccount<T>>, many: bool) -> Result<()> {
    let failed: Vec<PerAccount<T>> = answers.into_iter().filter(|a| a.error.is_some()).collect();
    if failed.is_empty() {
        return Ok(());
    }
    if !many {
        return match failed.into_iter().next() {
            Some(only) => only.into_outcome().map(|_| ()),
            None => Ok(()),
        };
    }
    let labels: Vec<&str> = failed.iter().map(|a| ctx.label(&a.account_id)).collect();
    Err(Error::new(
        ErrorKind::Partial,
        format!(
            "{} of {} accounts failed: {}",
            labels.len(),
            ctx.accounts_count(),
            labels.join(", ")
        ),
    ))
}
