//! The floor under `hats --version`: a Rust program that prints one line and
//! exits, built with the same release profile. `tests/bench/bench.py` times it
//! beside `hats --version`, so the report shows what starting hats costs above
//! starting any Rust program on this machine.

fn main() {
    println!("hello {}", env!("CARGO_PKG_VERSION"));
}
