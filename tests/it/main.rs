//! Integration tests, one binary: engine oracles, invariants, determinism, promotion, CLI.

mod common;
mod determinism;
mod oracles;
mod promotion;
