//! The floor under a cached hand-out on Linux: the fewest Secret Service calls
//! that read one of hats' entries (connect, open a plain session, search, read
//! the secret), through the same `dbus-secret-service` crate, with nothing of
//! hats around them: no configuration, no runtime, no output but a length.
//! `tests/bench/bench.py` times it beside `hats env`, so the report shows how
//! much of a cached hand-out is the keyring's own round trips and this
//! machine's process start-up, and how much is hats.

#[cfg(target_os = "linux")]
fn main() -> std::process::ExitCode {
    use dbus_secret_service::{EncryptionType, SecretService};
    use std::collections::HashMap;
    let read = || -> Result<usize, dbus_secret_service::Error> {
        let service = SecretService::connect(EncryptionType::Plain)?;
        let found = service.search_items(HashMap::from([("service", "hats")]))?;
        let item = found
            .unlocked
            .first()
            .ok_or(dbus_secret_service::Error::NoResult)?;
        Ok(item.get_secret()?.len())
    };
    match read() {
        Ok(length) => {
            println!("{length}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("keyring_floor: no unlocked hats entry could be read: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("keyring_floor: the Secret Service is Linux's");
}
