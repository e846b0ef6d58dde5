//! Reading and writing the settings file safely.
//!
//! - Writes are atomic: a temporary file in the same directory, `fsync`, rename over the
//!   target, then `fsync` of the directory. A crash leaves the old file or the new one.
//! - A file that does not parse is never overwritten in place: [`keep_unreadable_copy`]
//!   copies it to `<name>.bak` (or `<name>.bak.1`, `.2`, ... if that exists) first.
//! - A read-modify-write holds [`lock`]: an advisory lock on `<name>.lock` beside the file
//!   (the file itself is replaced by each write, so it cannot carry the lock), across
//!   processes. A second writer waits for the first; the OS drops the lock of a process that
//!   dies, even by kill -9. Taking the lock also removes the temporary files a killed writer
//!   left behind.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::config_error::ConfigError;

/// The file's text, or `None` when it does not exist.
pub fn read_optional(path: &Path) -> Result<Option<String>, ConfigError> {
    match fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ConfigError::io("read", path, e)),
    }
}

/// Replaces `path` with `contents` atomically, creating the directory if needed. The new
/// file is readable by its owner only.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), ConfigError> {
    let dir = parent_dir(path);
    fs::create_dir_all(&dir).map_err(|e| ConfigError::io("create the directory", &dir, e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(&dir)
        .map_err(|e| ConfigError::io("create a temporary file in", &dir, e))?;
    tmp.write_all(contents)
        .map_err(|e| ConfigError::io("write", tmp.path().to_owned(), e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| ConfigError::io("flush", tmp.path().to_owned(), e))?;
    tmp.persist(path)
        .map_err(|e| ConfigError::io("replace", path, e.error))?;
    sync_dir(&dir)
}

/// Copies a file that is about to be replaced to a free `.bak` name and returns that name.
pub fn keep_unreadable_copy(path: &Path) -> Result<PathBuf, ConfigError> {
    let base = path.as_os_str().to_owned();
    let mut n = 0;
    loop {
        let mut candidate = base.clone();
        candidate.push(if n == 0 {
            ".bak".to_owned()
        } else {
            format!(".bak.{n}")
        });
        let candidate = PathBuf::from(candidate);
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(mut out) => {
                let bytes = fs::read(path).map_err(|e| ConfigError::io("read", path, e))?;
                out.write_all(&bytes)
                    .and_then(|()| out.sync_all())
                    .map_err(|e| ConfigError::io("write", &candidate, e))?;
                return Ok(candidate);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => n += 1,
            Err(e) => return Err(ConfigError::io("create", &candidate, e)),
        }
    }
}

/// Held while a read-modify-write of one file runs; released when dropped (or when the
/// process ends, however it ends).
#[derive(Debug)]
pub struct FileLock {
    _file: fs::File,
}

/// Takes the exclusive lock of `path` (on `<path>.lock`), waiting for another holder.
pub fn lock(path: &Path) -> Result<FileLock, ConfigError> {
    let dir = parent_dir(path);
    fs::create_dir_all(&dir).map_err(|e| ConfigError::io("create the directory", &dir, e))?;
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let lock_path = PathBuf::from(name);
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .map_err(|e| ConfigError::io("open the lock file", &lock_path, e))?;
    <fs::File as fs4::FileExt>::lock(&file).map_err(|e| ConfigError::io("lock", &lock_path, e))?;
    remove_stale_temporaries(path);
    Ok(FileLock { _file: file })
}

/// Removes `.<name>.*.tmp` files beside `path`: what [`write_atomic`] leaves when its
/// process is killed before the rename. Called with the lock held, so no live writer owns
/// one. Failing to remove one is harmless, so errors are ignored.
fn remove_stale_temporaries(path: &Path) {
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return;
    };
    let prefix = format!(".{name}.");
    let Ok(entries) = fs::read_dir(parent_dir(path)) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().into_owned();
        if file_name.starts_with(&prefix) && file_name.ends_with(".tmp") {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    }
}

#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<(), ConfigError> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| ConfigError::io("flush the directory", dir, e))
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<(), ConfigError> {
    // Windows cannot open a directory as a file; the rename itself is durable there.
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taking_the_lock_removes_a_killed_writers_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.yml");
        write_atomic(&path, b"kept").unwrap();
        fs::write(dir.path().join(".settings.yml.abc123.tmp"), "half").unwrap();
        fs::write(dir.path().join(".other.yml.abc123.tmp"), "not ours").unwrap();
        let _held = lock(&path).unwrap();
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [".other.yml.abc123.tmp", "settings.yml", "settings.yml.lock"]
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "kept");
    }

    #[test]
    fn a_second_holder_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.yml");
        let held = lock(&path).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn({
            let path = path.clone();
            move || {
                let _second = lock(&path).unwrap();
                tx.send(()).unwrap();
            }
        });
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(300))
                .is_err()
        );
        drop(held);
        rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
        waiter.join().unwrap();
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/settings.yml");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "two");
        let names: Vec<_> = fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("settings.yml")]);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).unwrap().permissions().mode() & 0o777,
                0o600
            );
        }
    }

    #[test]
    fn unreadable_copies_never_overwrite_each_other() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.yml");
        fs::write(&path, "first").unwrap();
        assert_eq!(
            keep_unreadable_copy(&path).unwrap(),
            dir.path().join("settings.yml.bak")
        );
        fs::write(&path, "second").unwrap();
        assert_eq!(
            keep_unreadable_copy(&path).unwrap(),
            dir.path().join("settings.yml.bak.1")
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("settings.yml.bak")).unwrap(),
            "first"
        );
        assert_eq!(
            fs::read_to_string(dir.path().join("settings.yml.bak.1")).unwrap(),
            "second"
        );
    }

    #[test]
    fn missing_file_reads_as_none() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_optional(&dir.path().join("nope")).unwrap(), None);
    }
}
