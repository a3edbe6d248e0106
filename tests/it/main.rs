//! Integration tests, one binary: engine oracles, invariants, determinism, promotion, CLI.

mod common;
mod oracles;
mod promotion;
mod determinism;
